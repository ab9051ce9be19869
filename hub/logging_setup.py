"""Application logging: one line per event with the trace id, and BSNs scrubbed as a last line of defence.

Code never logs person data on purpose; the redaction filter catches the
accident (a library logging a URL with a query, an exception text) by
replacing every nine-digit number that passes the 11-proof with ``[BSN]``.
"""

from __future__ import annotations

import logging
import os
import re
import sys

from hub.bsn import is_valid_bsn
from hub.tracing import current_trace_id

_NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")


def redact(text: str) -> str:
    return _NINE_DIGITS.sub(lambda m: "[BSN]" if is_valid_bsn(m.group(0)) else m.group(0), text)


class RedactBsnFilter(logging.Filter):
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

FORMAT = "%(asctime)s %(levelname)s %(name)s trace=%(trace_id)s %(message)s"


def install_filters(handler: logging.Handler) -> None:
    handler.addFilter(TraceIdFilter())
    handler.addFilter(RedactBsnFilter())


def configure_logging(level: str | None = None) -> None:
    level = level or os.environ.get("KCC_HUB_LOG_LEVEL", "INFO")
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_kcc_hub", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    install_filters(handler)
    handler._kcc_hub = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Our own access log replaces uvicorn's, which prints concrete URLs.
    logging.getLogger("uvicorn.access").disabled = True
