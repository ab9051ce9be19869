"""Meldingen openbare ruimte: never lost (stored first, submitted from an outbox) and never
doubled (an Idempotency-Key per request, the melding id as key upstream)."""

from hub.meldingen.intake import (
    IdempotencyKeyReused,
    accept,
    get_melding,
    meldingen_van_melder,
)
from hub.meldingen.outbox import (
    dispatch,
    pending_outbox,
    requeue,
    set_dispatcher,
    submit_outbox,
)
from hub.meldingen.records import Melding, MeldingBron
from hub.meldingen.retention import anonymiseer_melders
from hub.meldingen.status_sync import sync_statuses

__all__ = [
    "IdempotencyKeyReused",
    "Melding",
    "MeldingBron",
    "accept",
    "anonymiseer_melders",
    "dispatch",
    "get_melding",
    "meldingen_van_melder",
    "pending_outbox",
    "requeue",
    "set_dispatcher",
    "submit_outbox",
    "sync_statuses",
]
