"""``kcc-hub worker``: the Dramatiq worker runs inside this process, not as the dramatiq CLI's child.

Why not the ``dramatiq`` command: it forks worker processes that outlive a ``kill -9`` of their
parent (they keep consuming, so a supervisor that restarts "the worker" ends up with two), and a
SIGTERM to the whole process group reaches each child twice (once from the group, once forwarded
by the parent), which the child takes as "kill now": jobs are cut off instead of drained.

Here ``--processes 1`` (the default, and what a supervisor should run once per core) has no
child at all: ``kill -9`` leaves nothing behind, and the one signal handler only sets a flag
(:mod:`hub.shutdown`), so any number of SIGTERMs means one graceful stop bounded by
``--shutdown-timeout``. ``--processes N`` starts N such processes as children that the kernel
sends SIGTERM when the parent dies (``PR_SET_PDEATHSIG``, Linux); a child also checks at start
that its parent is still the one that started it, closing the window before the ``prctl``.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import time

log = logging.getLogger(__name__)

PARENT_ENV = "KCC_HUB_WORKER_PARENT"
PR_SET_PDEATHSIG = 1
# Beyond --shutdown-timeout, what a child gets to close its broker connection and exit.
EXIT_GRACE_SECONDS = 5.0


def die_with_parent() -> None:
    """In a child started by :func:`supervise`: get SIGTERM when the parent dies, however it dies."""
    parent = os.environ.pop(PARENT_ENV, None)
    if parent is None:
        return
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            log.warning("could not ask to be stopped with the parent worker process")
    if os.getppid() != int(parent):  # the parent died before the prctl: nobody waits for us
        sys.exit(0)


def run_in_process(threads: int, shutdown_timeout: float) -> None:
    """Consume jobs in this process until SIGTERM or SIGINT, then drain for at most the timeout."""
    import dramatiq

    from hub.logging_setup import configure_logging
    from hub.shutdown import exit_if_threads_hang, stop_on_signals

    requested = stop_on_signals()
    die_with_parent()
    configure_logging()
    import hub.jobs.actors  # noqa: F401  (registers the actors with the Redis broker)

    broker = dramatiq.get_broker()
    broker.emit_after("process_boot")
    worker = dramatiq.Worker(broker, worker_threads=threads)
    worker.start()
    log.info("worker ready for action (pid %d, %d threads)", os.getpid(), threads)
    requested.wait()
    log.info("worker stopping: jobs in progress get %.0f s to finish", shutdown_timeout)
    # Unstarted prefetched messages go back to Redis; a job still running after the timeout is
    # delivered again later (jobs are idempotent).
    worker.stop(timeout=int(shutdown_timeout * 1000))
    broker.close()
    from hub.jobs.context import close_runtime

    close_runtime()  # the plugins' connection pools
    log.info("worker stopped")
    exit_if_threads_hang(0)


def supervise(processes: int, child_args: list[str], shutdown_timeout: float) -> int:
    """Run ``processes`` single-process workers; stop them all when one ends or on a signal.

    A child that dies is not restarted here: the parent exits non-zero so that the supervisor
    (systemd, Kubernetes) restarts the whole unit, and is the only one deciding about restarts.
    """
    from hub.shutdown import stop_on_signals

    requested = stop_on_signals()
    env = {**os.environ, PARENT_ENV: str(os.getpid())}
    children = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "hub", "worker", "--processes", "1", *child_args], env=env
        )
        for _ in range(processes)
    ]
    requested.wait(until=lambda: any(child.poll() is not None for child in children))
    for child in children:
        if child.poll() is None:
            # A child that already has the group's SIGTERM takes a second one as the same stop.
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + shutdown_timeout + EXIT_GRACE_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("worker process %d did not stop in time; killed", child.pid)
            child.kill()
            child.wait()
    return 0 if requested.requested else 1


__all__ = ["die_with_parent", "run_in_process", "supervise"]
