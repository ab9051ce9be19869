"""Availability of medewerkers: last known state per mailbox, refreshed from the calendar plugin.

Importing this package registers the ``beschikbaarheid`` sink with the sync runner.
"""

from __future__ import annotations

from hub.beschikbaarheid.refresh import Antwoord, refresh, refresh_gemeente, voor_medewerkers
from hub.beschikbaarheid.store import SINK, Opgeslagen, latest, upsert
from hub.sync.sinks import register_sink

register_sink(SINK)

__all__ = [
    "Antwoord",
    "Opgeslagen",
    "latest",
    "refresh",
    "refresh_gemeente",
    "upsert",
    "voor_medewerkers",
]
