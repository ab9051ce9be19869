"""Availability of medewerkers: last known state per mailbox, refreshed from the calendar plugin.

Importing this package registers the ``beschikbaarheid`` sink with the sync runner.
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
from hub.sync.sinks import register_sink

register_sink(SINK)

__all__ = [
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
