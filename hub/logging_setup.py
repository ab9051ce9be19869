"""Application logging: one line per event with the trace id, person data scrubbed as a last line of defence.

Code never logs person data on purpose; the scrubbing formatter catches the
accident (a library logging a URL with a query, an exception text, a database
error quoting its parameters) by replacing every nine-digit number that passes
the 11-proof with ``[BSN]``, e-mail addresses with ``[E-MAIL]`` and telephone
numbers with ``[TELEFOON]`` in the whole formatted line, traceback included.

Every handler goes through it: the hub's own, the ASGI server's (uvicorn) and
the frameworks' (FastAPI, Starlette, Dramatiq, SQLAlchemy) loggers have no
handlers of their own and propagate to the root handler installed here.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from hub.scrub import redact
from hub.tracing import current_trace_id

__all__ = ["FORMAT", "ScrubbingFormatter", "configure_logging", "redact", "uvicorn_log_config"]


class ScrubbingFormatter(logging.Formatter):
    """Formats the whole record (message, arguments, traceback) and scrubs the result."""

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "trace_id"):
            record.trace_id = current_trace_id.get()
        return redact(super().format(record))


class RedactBsnFilter(logging.Filter):
    """For handlers with a formatter of their own: scrub message and traceback in the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Render the traceback now so it can be scrubbed too.
            formatted = logging.Formatter().formatException(record.exc_info)
            cleaned = f"{cleaned}\n{redact(formatted)}"
            record.exc_info = None
            record.exc_text = None
        record.msg, record.args = cleaned, None
        return True


class TraceIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "trace_id"):
            record.trace_id = current_trace_id.get()
        return True


# httpx logs every request URL at INFO and zeep whole messages at DEBUG; upstream URLs
# (ZGW) and StUF messages can carry a BSN, so these libraries only log warnings.
NOISY_LOGGERS = ("httpx", "httpcore", "zeep", "urllib3", "exchangelib", "ldap3")
# The ASGI server's and the frameworks' loggers: no handlers of their own, so every line
# they write reaches the root handler and its scrubbing formatter.
FRAMEWORK_LOGGERS = (
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "fastapi",
    "starlette",
    "dramatiq",
    "sqlalchemy",
    "alembic",
    "asyncio",
)

FORMAT = "%(asctime)s %(levelname)s %(name)s trace=%(trace_id)s %(message)s"


def install_filters(handler: logging.Handler) -> None:
    handler.addFilter(TraceIdFilter())
    handler.addFilter(RedactBsnFilter())


def uvicorn_log_config(level: str | None = None) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for uvicorn's ``log_config``: its loggers propagate to a
    root handler with the scrubbing formatter (uvicorn's default gives them unscrubbed ones)."""
    level = level or os.environ.get("KCC_HUB_LOG_LEVEL", "INFO")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"scrubbed": {"()": ScrubbingFormatter, "fmt": FORMAT}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "scrubbed",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {name: {"handlers": [], "propagate": True} for name in FRAMEWORK_LOGGERS},
    }


def route_framework_loggers() -> None:
    """Strip handlers that servers and frameworks installed and let their records propagate."""
    for name in FRAMEWORK_LOGGERS:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.propagate = True
    # Our access log (route templates, never concrete URLs) replaces uvicorn's.
    logging.getLogger("uvicorn.access").disabled = True


def configure_logging(level: str | None = None) -> None:
    level = level or os.environ.get("KCC_HUB_LOG_LEVEL", "INFO")
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_kcc_hub", False) or isinstance(handler.formatter, ScrubbingFormatter):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ScrubbingFormatter(FORMAT))
    handler._kcc_hub = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    route_framework_loggers()
