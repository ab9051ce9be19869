"""Module given to the ``dramatiq`` CLI by ``kcc-hub worker``: sets up logging and imports the actors."""

from hub.logging_setup import configure_logging

configure_logging()

import hub.jobs.actors  # noqa: E402,F401  (registers the actors with the Redis broker)
