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

import concurrent.futures.thread as futures_thread
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType

log = logging.getLogger(__name__)

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


def exit_if_threads_hang(code: int = 0) -> None:
    """After a graceful stop: exit now when threads still wait on an upstream.

    Python waits for every non-daemon thread before a process ends, and thread pools
    (the core's plugin calls, a plugin's own) are non-daemon: one call waiting on an
    upstream that never answers would keep a stopped process alive until the client's
    timeout. Their work is not lost: a job that did not finish is delivered again
    (at-least-once), a request that did not finish was already cancelled.
    """
    current = threading.current_thread()
    # Python joins pool threads at exit even when they are daemon threads (they are, when a
    # daemon thread created the pool): the private registry is the only way to see them.
    pooled = set(getattr(futures_thread, "_threads_queues", {}).keys())
    hanging = [
        t.name
        for t in threading.enumerate()
        if t is not current
        and t is not threading.main_thread()
        and t.is_alive()
        and (not t.daemon or t in pooled)
    ]
    if not hanging:
        return
    log.warning(
        "stopping without waiting for %d thread(s) (%s); unfinished work is done again later",
        len(hanging),
        ", ".join(sorted(hanging)[:5]),
    )
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def stop_on_signals(*signums: int) -> StopRequest:
    """A :class:`StopRequest` handling SIGTERM and SIGINT (or ``signums``)."""
    return StopRequest().install(*signums)


__all__ = ["StopRequest", "exit_if_threads_hang", "stop_on_signals"]
