"""Storing synchronised medewerkers: the ``medewerkers`` sink of the sync runner."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from hub.directory.normalize import clean, normalized, surname_core
from hub.directory.ranking import index_tokens
from hub.directory.tables import MedewerkerRow, MedewerkerToken
from hub.domain.medewerkers import Medewerker
from hub.plugin_api import SyncBatch
from hub.sync.sinks import Applied, Sink

KIND = "medewerkers"
_CHUNK = 500


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _sanitised(m: Medewerker) -> Medewerker:
    data = m.model_dump()
    for key, value in data.items():
        if isinstance(value, str):
            data[key] = clean(value)
        elif isinstance(value, list):
            data[key] = [clean(v) if isinstance(v, str) else v for v in value]
    return Medewerker.model_validate(data)


def _row(gemeente: str, m: Medewerker, run_started: datetime) -> dict[str, Any]:
    return {
        "gemeente": gemeente,
        **m.model_dump(),
        "weergavenaam_norm": normalized(m.weergavenaam)[:512],
        "achternaam_norm": surname_core(m.achternaam or m.weergavenaam)[:512],
        "afdeling_norm": normalized(m.afdeling)[:512],
        "functie_norm": normalized(m.functie)[:512],
        "synced_at": run_started,
        "last_seen_run": run_started,
    }


def _remove(session: Session, gemeente: str, ids: Sequence[str]) -> int:
    """Delete medewerkers and their tokens by id (primary-key lookups)."""
    if not ids:
        return 0
    removed = 0
    for chunk in _chunks(ids):
        session.execute(
            delete(MedewerkerToken).where(
                MedewerkerToken.gemeente == gemeente, MedewerkerToken.medewerker_id.in_(chunk)
            )
        )
        result = session.execute(
            delete(MedewerkerRow).where(
                MedewerkerRow.gemeente == gemeente, MedewerkerRow.id.in_(chunk)
            )
        )
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


def store_medewerkers(
    session: Session, gemeente: str, records: Iterable[Medewerker], run_started: datetime
) -> int:
    """Write the full current state of these medewerkers (replacing what was stored)."""
    latest: dict[str, Medewerker] = {}
    for record in records:
        latest[record.id] = _sanitised(record)
    if not latest:
        return 0
    _remove(session, gemeente, list(latest))
    session.execute(
        insert(MedewerkerRow), [_row(gemeente, m, run_started) for m in latest.values()]
    )
    token_rows = [
        {"gemeente": gemeente, "medewerker_id": m.id, "token": token, "veld": int(veld)}
        for m in latest.values()
        for token, veld in index_tokens(m).items()
    ]
    if token_rows:
        session.execute(insert(MedewerkerToken), token_rows)
    _analyze_if_never_analyzed(session)
    return len(latest)


def _analyze_if_never_analyzed(session: Session) -> None:
    # A table PostgreSQL never analysed is planned as nearly empty, and deletes by id then
    # filter every token of the gemeente instead of using the primary key: 40 of 54 s of a
    # first load of 20,000 medewerkers. Once analysed, estimates scale with the table size.
    if session.get_bind().dialect.name != "postgresql":
        return
    never = session.execute(
        text(
            "SELECT count(*) FROM pg_class WHERE relname IN ('medewerkers', 'medewerker_tokens')"
            " AND relkind = 'r' AND relnamespace = to_regnamespace(current_schema())"
            " AND reltuples <= 0"
        )
    ).scalar_one()
    if never:
        session.execute(text("ANALYZE medewerkers, medewerker_tokens"))


def apply_batch(
    session: Session, gemeente: str, batch: SyncBatch, run_started: datetime
) -> Applied:
    """The sink's ``apply``: upserts carry full state, deletes are objectGUIDs."""
    records = [
        u if isinstance(u, Medewerker) else Medewerker.model_validate(u.model_dump())
        for u in batch.upserts
    ]
    written = store_medewerkers(session, gemeente, records, run_started)
    upserted = {r.id for r in records}
    gone = [guid for guid in dict.fromkeys(batch.deletes) if guid not in upserted]
    return Applied(written, _remove(session, gemeente, gone))


def finish_full(session: Session, gemeente: str, run_started: datetime) -> int:
    """After a full run: remove the medewerkers that no batch of the run delivered."""
    stale = list(
        session.scalars(
            select(MedewerkerRow.id).where(
                MedewerkerRow.gemeente == gemeente, MedewerkerRow.last_seen_run < run_started
            )
        )
    )
    removed = _remove(session, gemeente, stale)
    _refresh_statistics(session)
    return removed


def _refresh_statistics(session: Session) -> None:
    # After a full load the planner must know how selective tokens are, or PostgreSQL picks
    # a scan over every "van" before autovacuum gets round to it (seen: 200 ms vs 10 ms).
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("ANALYZE medewerkers, medewerker_tokens"))
    elif dialect == "sqlite":
        session.execute(text("PRAGMA optimize"))


SINK = Sink(kind=KIND, apply=apply_batch, finish_full=finish_full)
