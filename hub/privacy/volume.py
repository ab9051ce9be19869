"""Volume and breadth of person lookups: per-user rate limits and the bulk-lookup signal.

One medewerker doing hundreds of person lookups in seconds is not answering a
caller. Per gemeente and role (``[rate_limits]`` in ``config/hub.toml``, a gemeente
may override it in its own file):

* ``persoon_bevragingen`` — person lookups per user (``/personen``, zaken by BSN, …);
  over the limit the caller gets 429 with ``Retry-After``;
* ``wildcard_zoeken`` and ``adres_zoeken`` — name searches with a ``*`` and
  "everyone at this address" searches, stricter; ``"0"`` forbids them for a role (403);
* ``bulk_signaal`` — a lower threshold that refuses nothing but marks the lookups
  above it: the logboek record gets the signal ``bulk`` and the metric
  ``kcc_hub_bulk_lookups_total`` counts it, so the privacy officer can look.

Limits are strings as the ``limits`` library reads them (``"60/minute;600/hour"``);
the key ``"*"`` is the default for roles not listed. Counters live in Redis
(``REDIS_URL`` or ``storage_url``), shared by every API process; without Redis
(the embedded demo) they are per process.
"""

from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from prometheus_client import Counter
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hub.errors import Forbidden, KccError

BULK_LOOKUPS = Counter(
    "kcc_hub_bulk_lookups_total",
    "Person lookups above the bulk-signal threshold, by gemeente and role.",
    ["gemeente", "rol"],
)
REFUSED_LOOKUPS = Counter(
    "kcc_hub_rate_limited_lookups_total",
    "Person lookups refused by a rate limit, by gemeente, role and kind.",
    ["gemeente", "rol", "soort"],
)

PERSOON = "persoon_bevragingen"
WILDCARD = "wildcard_zoeken"
ADRES = "adres_zoeken"
FORBIDDEN = "0"


class TooManyRequests(KccError):
    """The caller exceeded a rate limit; ``retry_after`` seconds until the next attempt."""

    status = 429
    title = "Te veel verzoeken"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class RateLimitSettings(BaseModel):
    """``[rate_limits]``: per role, limits as ``"N/period[;N/period]"``; ``"*"`` = other roles."""

    model_config = ConfigDict(extra="forbid")

    storage_url: str | None = Field(
        default=None, description="limits storage URL; default REDIS_URL, else per process."
    )
    persoon_bevragingen: dict[str, str] = Field(
        default_factory=lambda: {
            "kcc-medewerker": "60/minute;600/hour",
            "backoffice": "120/minute;2000/hour",
            "*": "30/minute;300/hour",
        }
    )
    bulk_signaal: dict[str, str] = Field(
        default_factory=lambda: {"kcc-medewerker": "20/minute", "*": "40/minute"}
    )
    wildcard_zoeken: dict[str, str] = Field(
        default_factory=lambda: {"kcc-medewerker": "5/minute;30/hour", "*": "20/minute"}
    )
    adres_zoeken: dict[str, str] = Field(
        default_factory=lambda: {"kcc-medewerker": "10/minute;60/hour", "*": "30/minute"}
    )

    @model_validator(mode="before")
    @classmethod
    def _over_defaults(cls, data: Any) -> Any:
        """A table names only the roles it changes; the others keep the defaults."""
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        for name, info in cls.model_fields.items():
            given = data.get(name)
            if isinstance(given, dict) and info.default_factory is not None:
                merged[name] = {**info.default_factory(), **given}  # type: ignore[call-arg]
        return merged

    @field_validator("persoon_bevragingen", "bulk_signaal", "wildcard_zoeken", "adres_zoeken")
    @classmethod
    def _parsable(cls, value: dict[str, str]) -> dict[str, str]:
        for rol, limit in value.items():
            if limit != FORBIDDEN:
                try:
                    parse_many(limit)
                except ValueError:
                    raise ValueError(
                        f"{rol}: {limit!r} is not a limit such as '60/minute;600/hour'"
                    ) from None
        return value

    def merged(self, override: dict[str, Any]) -> RateLimitSettings:
        """These settings with a gemeente's ``[rate_limits]`` laid over them, per role."""
        data = self.model_dump()
        for key, value in override.items():
            base = data.get(key)
            data[key] = (
                {**base, **value} if isinstance(base, dict) and isinstance(value, dict) else value
            )
        return RateLimitSettings.model_validate(data)

    def limit(self, soort: str, rol: str) -> str | None:
        table: dict[str, str] = getattr(self, soort)
        return table.get(rol, table.get("*"))


@dataclass(frozen=True)
class Signalen:
    """What the volume check found for one lookup (for the logboek record)."""

    bulk: bool = False

    def as_list(self) -> list[str]:
        return ["bulk"] if self.bulk else []


# The settings object is kept with its limiter so its id is never reused for another.
_LIMITERS: dict[str, tuple[RateLimitSettings, MovingWindowRateLimiter]] = {}
_LOCK = threading.Lock()


def _limiter(settings: RateLimitSettings) -> MovingWindowRateLimiter:
    url = settings.storage_url or os.environ.get("REDIS_URL")
    # Without a shared store the counters belong to this configuration (one per process).
    key = url or f"memory:{id(settings)}"
    with _LOCK:
        found = _LIMITERS.get(key)
        if found is None:
            storage = storage_from_string(url or "memory://")
            assert isinstance(storage, Storage)  # the synchronous kind, for these threads
            found = (settings, MovingWindowRateLimiter(storage))
            _LIMITERS[key] = found
        return found[1]


@lru_cache(maxsize=128)
def _items(limit: str) -> tuple[RateLimitItem, ...]:
    """A limit string such as '60/minute;600/hour', parsed once per distinct string."""
    return tuple(parse_many(limit))


def _hit(
    limiter: MovingWindowRateLimiter, items: tuple[RateLimitItem, ...], *keys: str
) -> int | None:
    """Count one hit against every item; None when allowed, else seconds until allowed."""
    for item in items:
        if not limiter.hit(item, *keys):
            reset = limiter.get_window_stats(item, *keys).reset_time
            return max(1, math.ceil(reset - time.time()))
    return None


def check_lookup(
    settings: RateLimitSettings, gemeente: str, subject: str, rol: str, soorten: tuple[str, ...]
) -> Signalen:
    """Count a person lookup of ``subject``; raise TooManyRequests or Forbidden when over a
    limit, else return the signals (bulk) for the logboek record."""
    limiter = _limiter(settings)
    for soort in (*soorten, PERSOON):
        limit = settings.limit(soort, rol)
        if limit is None:
            continue
        if limit == FORBIDDEN:
            raise Forbidden(f"uw rol mag deze zoekvraag niet stellen ({soort})")
        wait = _hit(limiter, _items(limit), "kcc-hub", soort, gemeente, subject)
        if wait is not None:
            REFUSED_LOOKUPS.labels(gemeente, rol or "-", soort).inc()
            raise TooManyRequests(
                f"te veel opvragingen van persoonsgegevens ({soort}); probeer het over "
                f"{wait} seconden opnieuw",
                retry_after=wait,
            )
    threshold = settings.limit("bulk_signaal", rol)
    bulk = False
    if threshold and threshold != FORBIDDEN:
        bulk = _hit(limiter, _items(threshold), "kcc-hub", "bulk", gemeente, subject) is not None
    if bulk:
        BULK_LOOKUPS.labels(gemeente, rol or "-").inc()
    return Signalen(bulk=bulk)


# Searches that list who lives at an address: the stricter address limit applies to both.
ADRES_ZOEKVRAGEN = frozenset(
    {"ZoekMetPostcodeEnHuisnummer", "ZoekMetAdresseerbaarObjectIdentificatie"}
)


def soorten_of(query_type: str, query: dict[str, Any]) -> tuple[str, ...]:
    """The stricter limits a person query falls under besides the plain lookup limit."""
    found: list[str] = []
    names = (query.get("geslachtsnaam"), query.get("voornamen"))
    if any(isinstance(n, str) and n.endswith("*") for n in names):
        found.append(WILDCARD)
    if query_type in ADRES_ZOEKVRAGEN:
        found.append(ADRES)
    return tuple(found)


def limits_of(gemeente: object) -> RateLimitSettings | None:
    """The gemeente's merged ``[rate_limits]`` (None for a configuration object without them)."""
    found = getattr(gemeente, "rate_limits", None)
    return found if isinstance(found, RateLimitSettings) else None
