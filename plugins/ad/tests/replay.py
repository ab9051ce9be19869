"""Apply SyncBatches to a dict the way the hub's store does, so tests can compare states."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hub.domain.medewerkers import Medewerker
from hub.plugin_api import SyncBatch


@dataclass
class Run:
    batches: list[SyncBatch]
    full: bool
    upserts: dict[str, Medewerker] = field(default_factory=dict)
    deletes: set[str] = field(default_factory=set)
    checkpoint: Mapping[str, Any] | None = None
    # Batches of the other kinds (groepen, lidmaatschappen, uitgeschakelde_accounts).
    others: dict[str, list[SyncBatch]] = field(default_factory=dict)


def collect(batches: Iterable[SyncBatch]) -> Run:
    listed = list(batches)
    run = Run(batches=listed, full=any(b.full for b in listed))
    for batch in listed:
        if batch.kind != "medewerkers":
            run.others.setdefault(batch.kind, []).append(batch)
            continue
        for record in batch.upserts:
            assert isinstance(record, Medewerker)
            run.upserts[record.id] = record
        run.deletes.update(batch.deletes)
    run.checkpoint = listed[-1].checkpoint if listed else None
    return run


def apply(state: dict[str, Medewerker], run: Run) -> dict[str, Medewerker]:
    if run.full:
        return dict(run.upserts)
    new = dict(state)
    new.update(run.upserts)
    for guid in run.deletes:
        new.pop(guid, None)
    return new
