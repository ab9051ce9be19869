"""Module given to the ``dramatiq`` CLI by ``kcc-hub worker``: sets up logging and imports the actors."""

from typing import Any

import dramatiq
from dramatiq.middleware import Middleware

from hub.logging_setup import configure_logging
from hub.shutdown import exit_if_threads_hang

configure_logging()

import hub.jobs.actors  # noqa: E402,F401  (registers the actors with the Redis broker)


class ExitWhenStopped(Middleware):
    """Once the worker has stopped (jobs had ``--shutdown-timeout`` to finish), the process
    ends even if a job's thread still waits on a hanging upstream; Redis delivers that job
    again."""

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: Any) -> None:
        from hub.jobs.context import install_runtime, job_runtime

        job_runtime().close()  # the plugins' connection pools
        install_runtime(None)
        exit_if_threads_hang(0)


dramatiq.get_broker().add_middleware(ExitWhenStopped())
