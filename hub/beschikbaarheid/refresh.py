"""Refreshing availability through the enabled calendar plugin, and serving it with its age.

``refresh`` is the job body the lead wraps in a Dramatiq actor (rate-limited per upstream);
``voor_medewerkers`` is what the API calls: stored values, stale ones refreshed on demand,
and when Exchange cannot be reached the last known values with their age.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select

from hub import hookspecs
from hub.beschikbaarheid.store import Opgeslagen, latest, upsert
from hub.beschikbaarheid.tables import BeschikbaarheidRow
from hub.directory.tables import MedewerkerRow
from hub.domain.beschikbaarheid import Beschikbaarheid
from hub.errors import KccError
from hub.hookspecs import Hook
from hub.store import generaties
from hub.store.db import Store

log = logging.getLogger(__name__)

HOOK = hookspecs.kcc_get_beschikbaarheid
DEFAULT_MAX_AGE = timedelta(minutes=10)
DEFAULT_WINDOW = timedelta(hours=96)
BATCH = 500  # per hook call; the plugin batches further to its upstream's limits


class PluginCaller(Protocol):
    def first(self, gemeente: str, hook: Hook, **kwargs: Any) -> Any: ...


def refresh(
    store: Store,
    plugins: PluginCaller,
    gemeente: str,
    emails: Sequence[str],
    *,
    nu: datetime | None = None,
    venster: timedelta = DEFAULT_WINDOW,
) -> list[Beschikbaarheid]:
    """Ask the gemeente's calendar plugin for these mailboxes and store the answers.

    Raises the plugin's error (e.g. ``UpstreamUnavailable``) when the upstream as a whole
    fails; what is already stored stays as it was.
    """
    nu = nu or datetime.now(UTC)
    unique = list(dict.fromkeys(e.strip().lower() for e in emails if e and e.strip()))
    refreshed: list[Beschikbaarheid] = []
    for start in range(0, len(unique), BATCH):
        chunk = unique[start : start + BATCH]
        answer = plugins.first(gemeente, HOOK, emails=chunk, van=nu, tot=nu + venster)
        items = list(answer or [])
        with store.session() as session:
            upsert(session, gemeente, items, datetime.now(UTC), venster_tot=nu + venster)
        refreshed.extend(items)
    return refreshed


def refresh_gemeente(
    store: Store,
    plugins: PluginCaller,
    gemeente: str,
    *,
    nu: datetime | None = None,
    venster: timedelta = DEFAULT_WINDOW,
) -> int:
    """Refresh every synced medewerker of the gemeente that has a mail address.

    The periodic job body. Availability of addresses that left the directory is removed, so
    nothing is kept about colleagues who are gone. Returns the number of mailboxes refreshed.
    """
    with store.session() as session:
        emails = sorted(
            {
                e.strip().lower()
                for e in session.scalars(
                    select(MedewerkerRow.email).where(
                        MedewerkerRow.gemeente == gemeente, MedewerkerRow.email.is_not(None)
                    )
                )
                if e and e.strip()
            }
        )
    refreshed = refresh(store, plugins, gemeente, emails, nu=nu, venster=venster)
    with store.session() as session:
        session.execute(
            delete(BeschikbaarheidRow).where(
                BeschikbaarheidRow.gemeente == gemeente,
                BeschikbaarheidRow.email.not_in(emails)
                if emails
                else BeschikbaarheidRow.email.is_not(None),
            )
        )
        generaties.bump(session, gemeente)
    return len(refreshed)


@dataclass(frozen=True)
class Antwoord:
    """Availability per address as served, with its age and whether it is fresh."""

    per_email: dict[str, Opgeslagen]
    bron_bereikbaar: bool

    def leeftijd(self, email: str, nu: datetime | None = None) -> timedelta | None:
        found = self.per_email.get(email.strip().lower())
        return found.leeftijd(nu) if found else None


def voor_medewerkers(
    store: Store,
    plugins: PluginCaller,
    gemeente: str,
    emails: Sequence[str],
    *,
    max_age: timedelta = DEFAULT_MAX_AGE,
    venster: timedelta = DEFAULT_WINDOW,
    nu: datetime | None = None,
) -> Antwoord:
    """Stored availability, refreshing missing or stale entries on demand.

    When the refresh fails (Exchange unreachable, throttled too long), the last known
    values are served with their age and ``bron_bereikbaar`` is false.
    """
    nu = nu or datetime.now(UTC)
    with store.session() as session:
        known = latest(session, gemeente, emails)
    stale = [
        e
        for e in dict.fromkeys(x.strip().lower() for x in emails if x)
        if e not in known or known[e].verouderd(max_age, nu)
    ]
    if not stale:
        return Antwoord(known, True)
    try:
        refresh(store, plugins, gemeente, stale, nu=nu, venster=venster)
    except KccError as exc:
        log.warning(
            "availability refresh failed for gemeente %s (%s); serving last known",
            gemeente,
            type(exc).__name__,
        )
        return Antwoord(known, False)
    with store.session() as session:
        return Antwoord(latest(session, gemeente, emails), True)
