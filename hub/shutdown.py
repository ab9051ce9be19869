"""Stopping long-running processes on SIGTERM and SIGINT without deadlocking.

A signal handler runs in the main thread, between two bytecodes of whatever the
main thread was doing. A handler that calls ``threading.Event.set()`` while the
main thread is inside ``Event.wait()`` may try to take the event's lock that
the main thread already holds, and then waits for itself forever: a process
that ignores SIGTERM until systemd, Docker or Kubernetes kills it.

So the handler here only sets a plain attribute (no lock), and the main thread
polls it with short sleeps. Other threads are stopped by the main thread, after
the wait, through their own ``threading.Event``.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from types import FrameType

POLL_SECONDS = 0.2


class StopRequest:
    """Set by SIGTERM or SIGINT; read by the main thread's wait loop.

    While ``interrupting`` is true (a process still starting up, with nothing to hand
    over yet), the signal also raises ``KeyboardInterrupt`` in the main thread, as
    Ctrl+C does, so start-up unwinds through its ``finally`` blocks at once.
    """

    def __init__(self) -> None:
        self.signal_number: int | None = None
        self.interrupting = False

    @property
    def requested(self) -> bool:
        return self.signal_number is not None

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        # Only attribute assignments: no lock, no I/O, no logging.
        first = self.signal_number is None
        self.signal_number = signum
        if self.interrupting and first:
            raise KeyboardInterrupt

    def install(self, *signums: int) -> StopRequest:
        """Handle these signals (default SIGTERM and SIGINT); only from the main thread."""
        if threading.current_thread() is not threading.main_thread():
            return self
        for signum in signums or (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._handle)
        return self

    def wait(
        self, until: Callable[[], bool] | None = None, *, timeout: float | None = None
    ) -> bool:
        """Sleep until a stop signal, ``until()`` turns true, or ``timeout`` passes.

        Returns whether a stop was requested.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.requested:
            if until is not None and until():
                break
            if deadline is not None and time.monotonic() >= deadline:
                break
            time.sleep(POLL_SECONDS)
        return self.requested


def stop_on_signals(*signums: int) -> StopRequest:
    """A :class:`StopRequest` handling SIGTERM and SIGINT (or ``signums``)."""
    return StopRequest().install(*signums)


__all__ = ["StopRequest", "stop_on_signals"]
