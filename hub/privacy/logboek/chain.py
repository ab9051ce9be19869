"""Appending to a gemeente's hash chain and verifying it (see :mod:`hub.privacy.logboek`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hub.privacy.keys import LogboekSleutels
from hub.privacy.logboek.tables import (
    GENESIS,
    LogboekBetrokkene,
    LogboekCheckpoint,
    LogboekKeten,
    LogboekRecord,
    iso,
)


@dataclass
class LogboekInvoer:
    """What the pipeline knows about one response, before it gets its place in the chain."""

    gemeente: str
    trace_id: str
    span_id: str
    name: str
    start_time: datetime
    end_time: datetime
    status_code: int
    status: str
    http_status: int
    medewerker: str
    rol: str
    client_id: str
    processing_activity_id: str | None = None
    doel: str | None = None
    parent_span_id: str | None = None
    foreign_operation: str | None = None
    velden: list[str] = field(default_factory=list)
    aantal_personen: int = 0
    # Raw BSNs of the betrokkenen, in order; only their hash and ciphertext are stored.
    betrokkenen: list[str] = field(default_factory=list)
    signalen: list[str] = field(default_factory=list)  # hub.privacy.volume, e.g. "bulk"


# The record's columns that its hash covers, in the names the canonical JSON uses.
_HASHED = (
    "gemeente",
    "volgnummer",
    "trace_id",
    "span_id",
    "parent_span_id",
    "name",
    "start_time",
    "end_time",
    "status_code",
    "status",
    "http_status",
    "processing_activity_id",
    "doel",
    "medewerker",
    "rol",
    "client_id",
    "velden",
    "aantal_personen",
    "foreign_operation",
    "signalen",
)


def _canonical(
    values: Mapping[str, Any], betrokkenen: Sequence[tuple[str, str]], prev_hash: str
) -> bytes:
    """The bytes a record's hash is taken over; ``values`` are its column values as stored
    (``velden`` the JSON text). Unchanged since the first chain: existing hashes must hold."""
    body = {name: values[name] for name in _HASHED if name != "signalen"}
    body["start_time"] = iso(values["start_time"])
    body["end_time"] = iso(values["end_time"])
    body["velden"] = json.loads(values["velden"])
    body["betrokkenen"] = [list(b) for b in betrokkenen]
    body["prev_hash"] = prev_hash
    if values["signalen"]:  # only when set, so records from before signals keep their hashes
        body["signalen"] = values["signalen"]
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _hash_values(
    values: Mapping[str, Any], betrokkenen: Sequence[tuple[str, str]], prev_hash: str
) -> str:
    return hashlib.sha256(_canonical(values, betrokkenen, prev_hash)).hexdigest()


def record_hash(
    record: LogboekRecord, betrokkenen: Sequence[tuple[str, str]], prev_hash: str
) -> str:
    """SHA-256 (hex) over the canonical JSON of the record, its betrokkenen and ``prev_hash``."""
    return _hash_values({name: getattr(record, name) for name in _HASHED}, betrokkenen, prev_hash)


def _head_message(gemeente: str, volgnummer: int, laatste_hash: str) -> bytes:
    return f"keten|{gemeente}|{volgnummer}|{laatste_hash}".encode()


def checkpoint_message(cp: LogboekCheckpoint) -> bytes:
    return (
        f"checkpoint|{cp.gemeente}|{cp.volgnummer}|{cp.record_hash}|{cp.aantal_verwijderd}|"
        f"{iso(cp.ouder_dan)}|{iso(cp.gepurged_op)}"
    ).encode()


def _insert_ignore(conn: Connection, values: dict[str, Any]) -> None:
    keten = cast(Table, LogboekKeten.__table__)
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(pg_insert(keten).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        conn.execute(sqlite_insert(keten).values(**values).on_conflict_do_nothing())
    elif (
        conn.execute(select(keten.c.gemeente).where(keten.c.gemeente == values["gemeente"])).first()
        is None
    ):
        conn.execute(insert(keten).values(**values))


@dataclass(frozen=True)
class Plaats:
    """Where :func:`append` put a record in its gemeente's chain."""

    gemeente: str
    volgnummer: int
    record_hash: str


# The append's statements, built once: Core on the session's connection, because the ORM's
# unit of work (object state, flush ordering) was most of an append's CPU
# (bench/bench_privacy.py). Taking the head's row lock (PostgreSQL) or the write lock
# (SQLite) with the first statement serialises appenders.
_KETEN = cast(Table, LogboekKeten.__table__)
_RECORD = cast(Table, LogboekRecord.__table__)
_BETROKKENE = cast(Table, LogboekBetrokkene.__table__)
_ADVANCE = (
    update(_KETEN)
    .where(_KETEN.c.gemeente == bindparam("g"))
    .values(volgnummer=_KETEN.c.volgnummer + 1)
    .returning(_KETEN.c.volgnummer, _KETEN.c.laatste_hash)
)
_SEAL = (
    update(_KETEN)
    .where(_KETEN.c.gemeente == bindparam("g"))
    .values(laatste_hash=bindparam("h"), handtekening=bindparam("s"))
)
_INSERT_RECORD = insert(_RECORD)
_INSERT_BETROKKENE = insert(_BETROKKENE)


def append(
    target: Session | Connection, sleutels: LogboekSleutels, invoer: LogboekInvoer
) -> Plaats:
    """Add one record at the end of the gemeente's chain (executed, not committed).

    ``target`` is the request's session (its connection is used) or a connection in a
    transaction. The caller commits, in the same transaction as anything else the request
    stores, and only then lets data leave the hub. Written with Core statements, so a
    session holds no ORM object of the record.
    """
    # Everything that needs no lock is computed first, so the chain head is held briefly.
    pairs: list[tuple[str, str]] = []
    if invoer.betrokkenen:
        hasher = sleutels.betrokkene_hasher()
        crypt = sleutels.versleutelaar()
        for bsn in dict.fromkeys(invoer.betrokkenen):  # unique, in order
            pairs.append((hasher.hash(bsn), crypt.versleutel(bsn)))
    values: dict[str, Any] = {
        "gemeente": invoer.gemeente,
        "trace_id": invoer.trace_id,
        "span_id": invoer.span_id,
        "parent_span_id": invoer.parent_span_id,
        "name": invoer.name,
        "start_time": invoer.start_time,
        "end_time": invoer.end_time,
        "status_code": invoer.status_code,
        "status": invoer.status,
        "http_status": invoer.http_status,
        "processing_activity_id": invoer.processing_activity_id,
        "doel": invoer.doel,
        "medewerker": invoer.medewerker,
        "rol": invoer.rol,
        "client_id": invoer.client_id,
        "velden": json.dumps(sorted(set(invoer.velden)), ensure_ascii=False),
        "aantal_personen": invoer.aantal_personen,
        "foreign_operation": invoer.foreign_operation,
        "signalen": ",".join(sorted(set(invoer.signalen))) or None,
    }
    conn = target.connection() if isinstance(target, Session) else target
    row = conn.execute(_ADVANCE, {"g": invoer.gemeente}).first()
    if row is None:
        # The gemeente's first record: create its head (concurrent creators: one wins).
        genesis = sleutels.onderteken(_head_message(invoer.gemeente, 0, GENESIS))
        _insert_ignore(
            conn,
            {
                "gemeente": invoer.gemeente,
                "volgnummer": 0,
                "laatste_hash": GENESIS,
                "handtekening": genesis,
            },
        )
        row = conn.execute(_ADVANCE, {"g": invoer.gemeente}).one()
    values["volgnummer"] = volgnummer = int(row[0])
    values["prev_hash"] = prev_hash = str(row[1])
    values["record_hash"] = digest = _hash_values(values, pairs, prev_hash)
    inserted = conn.execute(_INSERT_RECORD, values).inserted_primary_key
    assert inserted is not None  # an INSERT of one row always has its key
    logboek_id = inserted[0]
    if pairs:
        conn.execute(
            _INSERT_BETROKKENE,
            [
                {
                    "logboek_id": logboek_id,
                    "gemeente": invoer.gemeente,
                    "volgnummer": volgnummer,
                    "positie": position,
                    "betrokkene_hash": betrokkene_hash,
                    "bsn_versleuteld": sealed,
                }
                for position, (betrokkene_hash, sealed) in enumerate(pairs)
            ],
        )
    signature = sleutels.onderteken(_head_message(invoer.gemeente, volgnummer, digest))
    conn.execute(_SEAL, {"g": invoer.gemeente, "h": digest, "s": signature})
    return Plaats(invoer.gemeente, volgnummer, digest)


# ---------------------------------------------------------------------------
# Verification


@dataclass(frozen=True)
class Breuk:
    """The first broken place in a chain."""

    volgnummer: int
    reden: str


@dataclass(frozen=True)
class Verificatie:
    """Result of :func:`verify`."""

    gemeente: str
    intact: bool
    aantal_gecontroleerd: int
    laatste_volgnummer: int
    checkpoint_volgnummer: int | None
    eerste_breuk: Breuk | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def latest_checkpoint(session: Session, gemeente: str) -> LogboekCheckpoint | None:
    return session.scalars(
        select(LogboekCheckpoint)
        .where(LogboekCheckpoint.gemeente == gemeente)
        .order_by(LogboekCheckpoint.volgnummer.desc())
        .limit(1)
    ).first()


def betrokkenen_of(
    session: Session, gemeente: str, low: int, high: int
) -> dict[int, list[tuple[str, str]]]:
    rows = session.execute(
        select(
            LogboekBetrokkene.volgnummer,
            LogboekBetrokkene.positie,
            LogboekBetrokkene.betrokkene_hash,
            LogboekBetrokkene.bsn_versleuteld,
        )
        .where(
            LogboekBetrokkene.gemeente == gemeente,
            LogboekBetrokkene.volgnummer >= low,
            LogboekBetrokkene.volgnummer <= high,
        )
        .order_by(LogboekBetrokkene.volgnummer, LogboekBetrokkene.positie)
    ).all()
    grouped: dict[int, list[tuple[str, str]]] = {}
    for volgnummer, _pos, digest, sealed in rows:
        grouped.setdefault(int(volgnummer), []).append((digest, sealed))
    return grouped


BATCH = 1000


def verify(
    session: Session, sleutels: LogboekSleutels, *, tot_en_met: int | None = None
) -> Verificatie:
    """Check the gemeente's chain from its latest checkpoint (or the start) to the head.

    Reports the first broken record with a reason: a missing record, a record
    whose ``prev_hash`` does not follow (reordered or removed before it), or a
    record whose content no longer matches its hash. ``tot_en_met`` stops at
    that sequence number and skips the head check (used before a purge).

    The head is read first and the chain checked up to it, so records appended
    while verifying (which move the head in the same transaction) are not
    mistaken for tampering; a record beyond the head is.
    """
    gemeente = sleutels.gemeente
    head = _head(session, gemeente) if tot_en_met is None else None
    limit = tot_en_met if tot_en_met is not None else (head[0] if head else None)
    checkpoint = latest_checkpoint(session, gemeente)
    expected, prev = 1, GENESIS
    cp_volgnummer: int | None = None
    if checkpoint is not None:
        cp_volgnummer = checkpoint.volgnummer
        if not sleutels.controleer(checkpoint_message(checkpoint), checkpoint.handtekening):
            return Verificatie(
                gemeente,
                False,
                0,
                checkpoint.volgnummer,
                cp_volgnummer,
                Breuk(
                    checkpoint.volgnummer,
                    "checkpoint van de bewaartermijn is niet geldig ondertekend",
                ),
            )
        expected, prev = checkpoint.volgnummer + 1, checkpoint.record_hash
    checked = 0

    def result(breuk: Breuk | None) -> Verificatie:
        return Verificatie(gemeente, breuk is None, checked, expected - 1, cp_volgnummer, breuk)

    while True:
        query = (
            select(LogboekRecord)
            .where(LogboekRecord.gemeente == gemeente, LogboekRecord.volgnummer >= expected)
            .order_by(LogboekRecord.volgnummer)
            .limit(BATCH)
        )
        if limit is not None:
            query = query.where(LogboekRecord.volgnummer <= limit)
        batch = list(session.scalars(query))
        if not batch:
            break
        children = betrokkenen_of(session, gemeente, batch[0].volgnummer, batch[-1].volgnummer)
        for record in batch:
            if record.volgnummer != expected:
                return result(
                    Breuk(expected, f"record ontbreekt (volgende aanwezige is {record.volgnummer})")
                )
            if record.prev_hash != prev:
                return result(
                    Breuk(
                        record.volgnummer,
                        "prev_hash sluit niet aan op het vorige record "
                        "(volgorde gewijzigd of een record ervoor vervangen)",
                    )
                )
            pairs = children.get(record.volgnummer, [])
            if record_hash(record, pairs, record.prev_hash) != record.record_hash:
                return result(Breuk(record.volgnummer, "inhoud gewijzigd: de hash klopt niet"))
            prev = record.record_hash
            expected += 1
            checked += 1
            session.expunge(record)
    if tot_en_met is not None:
        if expected - 1 != tot_en_met:
            return result(Breuk(expected, "record ontbreekt"))
        return result(None)
    if head is None:
        if checked or checkpoint is not None:
            return result(Breuk(expected - 1, "de keten-kop ontbreekt"))
        return result(None)
    head_volgnummer, head_hash, head_signature = head
    if not sleutels.controleer(_head_message(gemeente, head_volgnummer, head_hash), head_signature):
        return result(Breuk(head_volgnummer, "de keten-kop is niet geldig ondertekend"))
    if head_volgnummer != expected - 1:
        return result(
            Breuk(
                expected,
                f"records aan het eind ontbreken (de keten-kop staat op {head_volgnummer})",
            )
        )
    if head_hash != prev:
        return result(Breuk(head_volgnummer, "het laatste record wijkt af van de keten-kop"))
    # Records the head does not cover: appended since (fine) or slipped in (tampering).
    # Reading the highest number before the head again makes the distinction race-free.
    highest = session.scalar(
        select(func.max(LogboekRecord.volgnummer)).where(LogboekRecord.gemeente == gemeente)
    )
    now_head = _head(session, gemeente)
    if highest is not None and now_head is not None and highest > now_head[0]:
        return result(Breuk(now_head[0] + 1, "record buiten de ondertekende keten-kop"))
    return result(None)


def _head(session: Session, gemeente: str) -> tuple[int, str, str] | None:
    row = session.execute(
        select(LogboekKeten.volgnummer, LogboekKeten.laatste_hash, LogboekKeten.handtekening).where(
            LogboekKeten.gemeente == gemeente
        )
    ).first()
    return None if row is None else (int(row[0]), str(row[1]), str(row[2]))
