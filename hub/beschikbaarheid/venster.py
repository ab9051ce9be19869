"""Availability of one medewerker in a window, read through the store.

Served from the store when it is fresh and covers the window asked; otherwise asked of
the gemeente's calendar plugin (as far ahead as a sync would, so the one upstream call
also serves the next requests for this colleague) and stored. When the calendar cannot
be reached, the last known availability is served with ``actueel`` false.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hub.beschikbaarheid.refresh import DEFAULT_MAX_AGE, DEFAULT_WINDOW, HOOK, PluginCaller
from hub.beschikbaarheid.store import Opgeslagen, latest, upsert
from hub.directory import get as get_medewerker
from hub.domain.beschikbaarheid import Beschikbaarheid
from hub.errors import KccError, NotFound
from hub.store.db import Store


@dataclass(frozen=True)
class Venster:
    """What is known of one medewerker's availability for the window ``van``–``tot``."""

    van: datetime
    tot: datetime
    opgeslagen: Opgeslagen
    actueel: bool

    def beschikbaarheid(self) -> Beschikbaarheid:
        """The availability with only the busy blocks that overlap the window."""
        item = self.opgeslagen.beschikbaarheid
        bezet = [b for b in item.bezet if b.tot > self.van and b.van < self.tot]
        return item.model_copy(update={"bezet": bezet})

    def leeftijd(self, nu: datetime) -> timedelta:
        return self.opgeslagen.leeftijd(nu)


def venster_van_medewerker(
    store: Store,
    plugins: PluginCaller,
    gemeente: str,
    medewerker_id: str,
    van: datetime,
    tot: datetime,
    *,
    nu: datetime,
    max_age: timedelta = DEFAULT_MAX_AGE,
    **hook_context: Any,
) -> Venster:
    """The medewerker's availability for ``van``–``tot``; ``hook_context`` (caller, trace_id)
    goes with the plugin call. Raises :class:`NotFound` for an unknown medewerker or one
    without a calendar, and the plugin's error when nothing is stored to fall back on."""
    with store.session() as session:
        gevonden = get_medewerker(session, gemeente, medewerker_id)
        if gevonden is None:
            raise NotFound("medewerker niet gevonden")
        email = gevonden[0].email
        if not email:
            raise NotFound("deze medewerker heeft geen mailadres voor een agenda")
        opgeslagen = latest(session, gemeente, [email]).get(email.strip().lower())

    if (
        opgeslagen is not None
        and not opgeslagen.verouderd(max_age, nu)
        and opgeslagen.dekt(van, tot)
    ):
        return Venster(van, tot, opgeslagen, actueel=True)
    gevraagd_tot = max(tot, nu + DEFAULT_WINDOW)
    try:
        vers = plugins.first(
            gemeente,
            HOOK,
            emails=[email],
            van=min(van, nu),
            tot=gevraagd_tot,
            **hook_context,
        )
    except KccError:
        if opgeslagen is None:
            raise
        return Venster(van, tot, opgeslagen, actueel=False)
    key = email.strip().lower()
    item = next((b for b in vers or [] if b.email.strip().lower() == key), None)
    if item is None:
        raise NotFound("de agenda gaf geen antwoord voor deze medewerker")
    with store.session() as session:
        upsert(session, gemeente, [item], nu, venster_tot=gevraagd_tot)
    return Venster(van, tot, Opgeslagen(item, nu, gevraagd_tot), actueel=True)
