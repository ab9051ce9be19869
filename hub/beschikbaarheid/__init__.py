"""Availability of medewerkers: last known state per mailbox, refreshed from the calendar plugin.

``SINK`` stores ``beschikbaarheid`` batches of a sync (installed by :mod:`hub.wiring`).
"""

from __future__ import annotations

from hub.beschikbaarheid.refresh import Antwoord, refresh, refresh_gemeente, voor_medewerkers
from hub.beschikbaarheid.runs import (
    calendar_plugins,
    is_calendar_plugin,
    refresh_interval_seconds,
    refresh_recorded,
)
from hub.beschikbaarheid.store import SINK, Opgeslagen, latest, upsert, vrij_nu

__all__ = [
    "SINK",
    "Antwoord",
    "Opgeslagen",
    "calendar_plugins",
    "is_calendar_plugin",
    "latest",
    "refresh",
    "refresh_gemeente",
    "refresh_interval_seconds",
    "refresh_recorded",
    "upsert",
    "voor_medewerkers",
    "vrij_nu",
]
