"""Where the test plugin's 'notities' go: an in-memory sink registered like a hub area's sink."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hub.plugin_api import SyncBatch
from hub.sync.sinks import Sink, register_sink

STORED: dict[str, dict[str, str]] = {}
SEEN: dict[str, dict[str, datetime]] = {}


def apply(session: Session, gemeente: str, batch: SyncBatch, run_started: datetime) -> int:
    rows = STORED.setdefault(gemeente, {})
    seen = SEEN.setdefault(gemeente, {})
    for item in batch.upserts:
        data = item.model_dump()
        rows[data["id"]] = data["tekst"]
        seen[data["id"]] = run_started
    for key in batch.deletes:
        rows.pop(key, None)
    return len(batch.upserts) + len(batch.deletes)


def finish_full(session: Session, gemeente: str, run_started: datetime) -> int:
    seen = SEEN.get(gemeente, {})
    stale = [k for k in STORED.get(gemeente, {}) if seen.get(k, run_started) < run_started]
    for key in stale:
        del STORED[gemeente][key]
    return len(stale)


def install() -> None:
    STORED.clear()
    SEEN.clear()
    register_sink(Sink(kind="notities", apply=apply, finish_full=finish_full))
