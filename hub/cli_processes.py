"""The long-running ``kcc-hub`` processes: ``serve``, ``worker``, ``scheduler`` and ``demo``.

Each stops within seconds of SIGTERM (or Ctrl+C), idle or busy: signal handlers
only set a flag (:mod:`hub.shutdown`), and work in progress gets a bounded time
(``--shutdown-timeout``) to finish; an interrupted job is delivered again
(jobs are idempotent).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from hub.cli_options import config_option

SHUTDOWN_TIMEOUT_HELP = "Seconds that work in progress gets to finish after SIGTERM."


def _use_config(config_dir: Path | None) -> None:
    """Make ``--config`` the configuration of this process and of what it starts."""
    if config_dir is not None:
        os.environ["KCC_HUB_CONFIG"] = str(config_dir)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=int, help="Uvicorn worker processes.")
@click.option(
    "--shutdown-timeout",
    default=5,
    show_default=True,
    type=click.IntRange(0, 3600),
    help=SHUTDOWN_TIMEOUT_HELP,
)
@config_option
def serve(
    host: str, port: int, workers: int, shutdown_timeout: int, config_dir: Path | None
) -> None:
    """Run the API (production: behind a TLS-terminating load balancer, REDIS_URL set)."""
    import uvicorn

    from hub.api.server import PROTOCOL, run_options
    from hub.cli import runtime_for

    _use_config(config_dir)
    # Validated here, so a broken configuration is one line instead of a worker's traceback.
    rt = runtime_for(config_dir)
    options = {
        "host": host,
        "port": port,
        "proxy_headers": True,
        "timeout_graceful_shutdown": shutdown_timeout,
    }
    if workers == 1:
        from hub.api.app import create_app
        from hub.logging_setup import configure_logging

        # Logging configured here (scrubbing root handler); uvicorn adds no handlers of its own
        # and answers unparseable requests with problem+json (hub.api.server).
        configure_logging()
        uvicorn.run(
            create_app(rt),
            http=PROTOCOL,
            access_log=False,
            log_config=None,
            **options,  # type: ignore[arg-type]
        )
        return
    uvicorn.run(
        "hub.api.app:app_from_env",
        factory=True,
        workers=workers,
        **options,  # type: ignore[arg-type]
        **run_options(),
    )


@click.command("worker")
@click.option("--threads", default=4, show_default=True, type=int)
@click.option("--processes", default=1, show_default=True, type=int)
@click.option(
    "--shutdown-timeout",
    default=5,
    show_default=True,
    type=click.IntRange(0, 3600),
    help=SHUTDOWN_TIMEOUT_HELP,
)
@config_option
def worker(threads: int, processes: int, shutdown_timeout: int, config_dir: Path | None) -> None:
    """Run Dramatiq workers for syncs, mail and the outbox (needs REDIS_URL)."""
    from hub.cli import fail, runtime_for

    if not os.environ.get("REDIS_URL"):
        fail(
            "REDIS_URL is not set: a separate worker needs the Redis broker; set REDIS_URL "
            "(the embedded default runs its worker inside 'kcc-hub demo')",
            2,
        )
    _use_config(config_dir)
    runtime_for(config_dir)  # one clear line for a broken configuration, before forking
    from dramatiq.cli import main as dramatiq_main

    sys.argv = [
        "dramatiq",
        "hub.jobs.worker_entry",
        "--threads",
        str(threads),
        "--processes",
        str(processes),
        "--worker-shutdown-timeout",
        str(int(shutdown_timeout * 1000)),
    ]
    sys.exit(dramatiq_main())  # type: ignore[no-untyped-call]


@click.command("scheduler")
@click.option(
    "--every", default=15.0, show_default=True, type=float, help="Seconds between checks."
)
@config_option
def scheduler_cmd(every: float, config_dir: Path | None) -> None:
    """Enqueue periodic syncs per gemeente × plugin. Run exactly one."""
    import threading

    from hub.cli import runtime_for
    from hub.jobs.context import install_runtime
    from hub.scheduler import run_forever
    from hub.shutdown import exit_if_threads_hang, stop_on_signals

    _use_config(config_dir)
    rt = runtime_for(config_dir)
    install_runtime(rt)
    requested = stop_on_signals()
    stop = threading.Event()
    # The scheduler runs in a thread; the main thread only watches for a stop signal and
    # then sets the event itself (never from inside the signal handler).
    thread = threading.Thread(
        target=run_forever, args=(rt, stop, every), name="scheduler", daemon=True
    )
    thread.start()
    requested.wait(until=lambda: not thread.is_alive())
    stop.set()
    thread.join(timeout=5)
    exit_if_threads_hang(0)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port of the API. The test doubles use 8711-8714, 8722 and 8723.",
)
@click.option("--no-doubles", is_flag=True, help="Do not start the local test doubles.")
def demo(host: str, port: int, no_doubles: bool) -> None:
    """Run everything in one process: API, worker, scheduler, SQLite under var/, test doubles.

    Writes var/demo.env (its secrets, tokens and database) for the CLI and curl:
    'kcc-hub --env-file var/demo.env …'.
    """
    from hub.cli import fail

    try:
        # The demo, its doubles and its AD directory live in the checkout's devkit/, which
        # the wheel does not ship: production installs run serve, worker and scheduler.
        from devkit.demo import DemoError, run_demo
    except ModuleNotFoundError as exc:
        if exc.name not in ("devkit", "devkit.demo"):
            raise
        fail(
            "kcc-hub demo needs a checkout of the KCC Hub repository (it runs the test doubles "
            "from devkit/ and plugins/*/double/, which the installed package does not include); "
            "run 'make demo' in a checkout, or use 'kcc-hub serve', 'worker' and 'scheduler'"
        )
    try:
        run_demo(host=host, port=port, start_doubles=not no_doubles)
    except DemoError as exc:
        fail(str(exc))
