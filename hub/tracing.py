"""W3C Trace Context: the trace id that ties a response, its logboek record and log lines together."""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

from hub.scrub import carries_bsn as _carries_bsn

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")

current_trace_id: ContextVar[str] = ContextVar("current_trace_id", default="-")


def new_trace_id() -> str:
    # Never an id with a nine-digit run passing the 11-proof: a log scrubber would hide it and
    # a reader might take it for a BSN; trace ids must be quotable everywhere.
    while True:
        trace_id = secrets.token_hex(16)
        if not _carries_bsn(trace_id):
            return trace_id


def new_span_id() -> str:
    while True:
        span_id = secrets.token_hex(8)
        if not _carries_bsn(span_id):
            return span_id


def parse_traceparent(value: str | None) -> tuple[str, str] | None:
    """(trace id, parent span id) from a valid ``traceparent`` header, else None."""
    if not value:
        return None
    match = _TRACEPARENT.match(value.strip().lower())
    if not match or match.group(1) == "0" * 32 or match.group(2) == "0" * 16:
        return None
    # A caller's trace id that carries a BSN is not adopted: it would become our trace id in
    # logs, headers and the logboek. The request gets a fresh one instead.
    if _carries_bsn(match.group(1)) or _carries_bsn(match.group(2)):
        return None
    return match.group(1), match.group(2)


def safe_traceparent(value: str | None) -> str | None:
    """The caller's ``traceparent``, normalised, when it is valid and carries no BSN; else None."""
    parsed = parse_traceparent(value)
    return value.strip().lower() if parsed and value else None
