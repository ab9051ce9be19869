"""``Retry-After`` (RFC 9110 §10.2.3) as seconds to wait: the one parser of the hub.

Both forms are accepted: delta-seconds (``"120"``) and an HTTP-date
(``"Wed, 21 Oct 2015 07:28:00 GMT"``). A date in the past means "now" (0 s); anything
unreadable is ``None`` (no advice), never an exception: a malformed header must not
turn a transient failure into a crash.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header value, or ``None``."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # RFC 9110 dates are GMT; an obsolete form may parse naive
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())
