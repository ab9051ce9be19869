"""The logboek: an append-only, hash-chained record of every person-data response.

Fields follow Logboek Dataverwerkingen (Logius/MinBZK): ``trace_id`` (16 bytes
hex), ``span_id`` (8 bytes hex), ``parent_span_id``, ``name`` (the activity),
``start_time``, ``end_time``, ``status_code`` (0 unset, 1 ok, 2 error),
``processing_activity_id`` (the doel's verwerkingsactiviteit URI), the
betrokkene (``dpl.core.data_subject_id``, type BSN) as a keyed hash plus the
BSN encrypted, and ``foreign_operation`` (the caller's traceparent). The hub
adds the doel code, the medewerker, role, client, the fields delivered and the
outcome.

Integrity
---------
* Each gemeente has its own chain: record *n* stores ``prev_hash`` (the
  ``record_hash`` of *n-1*) and ``record_hash`` = SHA-256 over a canonical JSON
  of its own content, its betrokkenen and ``prev_hash``. Editing, deleting or
  reordering a row breaks the chain at that row; :func:`verify` reports the
  first broken record.
* The chain head (``logboek_keten``) holds the last sequence number and hash,
  signed with the gemeente's key, so cutting records off the end is detected
  too. Appends lock the head row, so concurrent appends never fork the chain
  (PostgreSQL: the row lock of ``UPDATE … RETURNING``; SQLite: the database
  write lock taken by the first statement).
* Retention: :func:`purge` removes a prefix of the chain older than the
  gemeente's bewaartermijn and stores a signed checkpoint (the last purged
  sequence number and hash); verification continues from it.
* PostgreSQL refuses UPDATE and DELETE on the logboek tables by trigger; DELETE
  is allowed only inside :func:`purge` (``SET LOCAL kcc_hub.retention_purge``).
  SQLite has the same guard with a permission row. These triggers stop mistakes
  and the application's own database role; an attacker with owner rights can
  drop them, which is what the hash chain and the signatures are for.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    DDL,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    delete,
    event,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.privacy.keys import LogboekSleutels
from hub.store.base import Base, UtcDateTime, utcnow

GENESIS = "0" * 64
STATUS_UNSET, STATUS_OK, STATUS_ERROR = 0, 1, 2
_ID = BigInteger().with_variant(Integer(), "sqlite")


class LogboekRecord(Base):
    """One person-data response."""

    __tablename__ = "logboek"
    __table_args__ = (
        UniqueConstraint("gemeente", "volgnummer", name="uq_logboek_gemeente_volgnummer"),
        Index("ix_logboek_gemeente_start_time", "gemeente", "start_time"),
        Index("ix_logboek_gemeente_medewerker", "gemeente", "medewerker"),
        Index("ix_logboek_gemeente_trace_id", "gemeente", "trace_id"),
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    gemeente: Mapped[str] = mapped_column(String(4))
    volgnummer: Mapped[int] = mapped_column(BigInteger)
    trace_id: Mapped[str] = mapped_column(String(32))
    span_id: Mapped[str] = mapped_column(String(16))
    parent_span_id: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    start_time: Mapped[datetime] = mapped_column(UtcDateTime)
    end_time: Mapped[datetime] = mapped_column(UtcDateTime)
    status_code: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(40))
    http_status: Mapped[int] = mapped_column(SmallInteger)
    processing_activity_id: Mapped[str | None] = mapped_column(String(500))
    doel: Mapped[str | None] = mapped_column(String(64))
    medewerker: Mapped[str] = mapped_column(String(200))
    rol: Mapped[str] = mapped_column(String(40))
    client_id: Mapped[str] = mapped_column(String(200))
    velden: Mapped[str] = mapped_column(Text)  # JSON list of delivered field paths
    aantal_personen: Mapped[int] = mapped_column(Integer)
    foreign_operation: Mapped[str | None] = mapped_column(String(200))
    signalen: Mapped[str | None] = mapped_column(String(100))  # comma separated, e.g. "bulk"
    prev_hash: Mapped[str] = mapped_column(String(64))
    record_hash: Mapped[str] = mapped_column(String(64))


class LogboekBetrokkene(Base):
    """A person (betrokkene) whose data a logboek record covers: keyed hash and encrypted BSN."""

    __tablename__ = "logboek_betrokkene"
    __table_args__ = (
        Index("ix_logboek_betrokkene_gemeente_hash", "gemeente", "betrokkene_hash"),
        Index("ix_logboek_betrokkene_gemeente_volgnummer", "gemeente", "volgnummer"),
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    logboek_id: Mapped[int] = mapped_column(ForeignKey("logboek.id"))
    gemeente: Mapped[str] = mapped_column(String(4))
    volgnummer: Mapped[int] = mapped_column(BigInteger)
    positie: Mapped[int] = mapped_column(SmallInteger)
    betrokkene_hash: Mapped[str] = mapped_column(String(64))
    bsn_versleuteld: Mapped[str] = mapped_column(String(120))


class LogboekKeten(Base):
    """The head of a gemeente's chain: last sequence number and hash, signed."""

    __tablename__ = "logboek_keten"

    gemeente: Mapped[str] = mapped_column(String(4), primary_key=True)
    volgnummer: Mapped[int] = mapped_column(BigInteger)
    laatste_hash: Mapped[str] = mapped_column(String(64))
    handtekening: Mapped[str] = mapped_column(String(64))


class LogboekCheckpoint(Base):
    """Signed marker of a retention purge: the chain continues after ``volgnummer``."""

    __tablename__ = "logboek_checkpoint"
    __table_args__ = (
        UniqueConstraint(
            "gemeente", "volgnummer", name="uq_logboek_checkpoint_gemeente_volgnummer"
        ),
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    gemeente: Mapped[str] = mapped_column(String(4))
    volgnummer: Mapped[int] = mapped_column(BigInteger)
    record_hash: Mapped[str] = mapped_column(String(64))
    aantal_verwijderd: Mapped[int] = mapped_column(BigInteger)
    ouder_dan: Mapped[datetime] = mapped_column(UtcDateTime)
    gepurged_op: Mapped[datetime] = mapped_column(UtcDateTime)
    handtekening: Mapped[str] = mapped_column(String(64))


class LogboekPurgeVergunning(Base):
    """SQLite only: a row here during :func:`purge` lets the guard trigger allow DELETE."""

    __tablename__ = "logboek_purge_vergunning"

    gemeente: Mapped[str] = mapped_column(String(4), primary_key=True)


# ---------------------------------------------------------------------------
# Append-only guards (the migration 0004_privacy installs the same DDL)

# No percent signs in here: DDL() runs the text through Python %-formatting.
PG_GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION kcc_logboek_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME IN ('logboek', 'logboek_betrokkene')
       AND current_setting('kcc_hub.retention_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'logboek_keten' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = 'the logboek is append-only: ' || TG_OP || ' on ' || TG_TABLE_NAME || ' refused',
        ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""
PG_GUARDED_TABLES = ("logboek", "logboek_betrokkene", "logboek_checkpoint", "logboek_keten")


def _pg_trigger_ddl(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION kcc_logboek_append_only()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION kcc_logboek_append_only()",
    ]


def _sqlite_trigger_ddl(table: str) -> list[str]:
    stmts = [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'the logboek is append-only'); END"
    ]
    if table in ("logboek", "logboek_betrokkene"):
        stmts.append(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "  # noqa: S608 - fixed names
            "WHEN NOT EXISTS (SELECT 1 FROM logboek_purge_vergunning "
            "WHERE gemeente = OLD.gemeente) "
            "BEGIN SELECT RAISE(ABORT, 'the logboek is append-only'); END"
        )
    else:
        stmts.append(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'the logboek is append-only'); END"
        )
    return stmts


def _after_create(table: Any, statement: str, dialect: str) -> None:
    ddl = DDL(statement)  # type: ignore[no-untyped-call]
    event.listen(table, "after_create", ddl.execute_if(dialect=dialect))


for _name in ("logboek", "logboek_betrokkene", "logboek_checkpoint"):
    for _stmt in _sqlite_trigger_ddl(_name):
        _after_create(Base.metadata.tables[_name], _stmt, "sqlite")
# The keten head is updated on every append; on SQLite only its deletion is refused.
_after_create(
    Base.metadata.tables["logboek_keten"],
    "CREATE TRIGGER logboek_keten_no_delete BEFORE DELETE ON logboek_keten "
    "BEGIN SELECT RAISE(ABORT, 'the logboek is append-only'); END",
    "sqlite",
)
for _name in PG_GUARDED_TABLES:
    # Tables may be created in any order; CREATE OR REPLACE makes the function idempotent.
    _after_create(Base.metadata.tables[_name], PG_GUARD_FUNCTION, "postgresql")
    for _stmt in _pg_trigger_ddl(_name):
        _after_create(Base.metadata.tables[_name], _stmt, "postgresql")


# ---------------------------------------------------------------------------
# Appending


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


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _canonical(
    record: LogboekRecord, betrokkenen: Sequence[tuple[str, str]], prev_hash: str
) -> bytes:
    body = {
        "gemeente": record.gemeente,
        "volgnummer": record.volgnummer,
        "trace_id": record.trace_id,
        "span_id": record.span_id,
        "parent_span_id": record.parent_span_id,
        "name": record.name,
        "start_time": _iso(record.start_time),
        "end_time": _iso(record.end_time),
        "status_code": record.status_code,
        "status": record.status,
        "http_status": record.http_status,
        "processing_activity_id": record.processing_activity_id,
        "doel": record.doel,
        "medewerker": record.medewerker,
        "rol": record.rol,
        "client_id": record.client_id,
        "velden": json.loads(record.velden),
        "aantal_personen": record.aantal_personen,
        "foreign_operation": record.foreign_operation,
        "betrokkenen": [list(b) for b in betrokkenen],
        "prev_hash": prev_hash,
    }
    if record.signalen:  # only when set, so records from before signals keep their hashes
        body["signalen"] = record.signalen
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(
    record: LogboekRecord, betrokkenen: Sequence[tuple[str, str]], prev_hash: str
) -> str:
    """SHA-256 (hex) over the canonical JSON of the record, its betrokkenen and ``prev_hash``."""
    return hashlib.sha256(_canonical(record, betrokkenen, prev_hash)).hexdigest()


def _head_message(gemeente: str, volgnummer: int, laatste_hash: str) -> bytes:
    return f"keten|{gemeente}|{volgnummer}|{laatste_hash}".encode()


def _checkpoint_message(cp: LogboekCheckpoint) -> bytes:
    return (
        f"checkpoint|{cp.gemeente}|{cp.volgnummer}|{cp.record_hash}|{cp.aantal_verwijderd}|"
        f"{_iso(cp.ouder_dan)}|{_iso(cp.gepurged_op)}"
    ).encode()


def _insert_ignore(session: Session, values: dict[str, Any]) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(pg_insert(LogboekKeten).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite_insert(LogboekKeten).values(**values).on_conflict_do_nothing())
    elif session.get(LogboekKeten, values["gemeente"]) is None:
        session.add(LogboekKeten(**values))
        session.flush()


def append(session: Session, sleutels: LogboekSleutels, invoer: LogboekInvoer) -> LogboekRecord:
    """Add one record at the end of the gemeente's chain (flushed, not committed).

    The caller commits, in the same transaction as anything else the request
    stores, and only then lets data leave the hub.
    """
    # Everything that needs no lock is computed first, so the chain head is held briefly.
    hasher = sleutels.betrokkene_hasher() if invoer.betrokkenen else None
    crypt = sleutels.versleutelaar() if invoer.betrokkenen else None
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for bsn in invoer.betrokkenen:
        if bsn in seen or hasher is None or crypt is None:
            continue
        seen.add(bsn)
        pairs.append((hasher.hash(bsn), crypt.versleutel(bsn)))
    record = LogboekRecord(
        gemeente=invoer.gemeente,
        trace_id=invoer.trace_id,
        span_id=invoer.span_id,
        parent_span_id=invoer.parent_span_id,
        name=invoer.name,
        start_time=invoer.start_time,
        end_time=invoer.end_time,
        status_code=invoer.status_code,
        status=invoer.status,
        http_status=invoer.http_status,
        processing_activity_id=invoer.processing_activity_id,
        doel=invoer.doel,
        medewerker=invoer.medewerker,
        rol=invoer.rol,
        client_id=invoer.client_id,
        velden=json.dumps(sorted(set(invoer.velden)), ensure_ascii=False),
        aantal_personen=invoer.aantal_personen,
        foreign_operation=invoer.foreign_operation,
        signalen=",".join(sorted(set(invoer.signalen))) or None,
    )
    # Taking the head's row lock (PostgreSQL) or the write lock (SQLite) serialises appenders.
    advance = (
        update(LogboekKeten)
        .where(LogboekKeten.gemeente == invoer.gemeente)
        .values(volgnummer=LogboekKeten.volgnummer + 1)
        .returning(LogboekKeten.volgnummer, LogboekKeten.laatste_hash)
    )
    row = session.execute(advance).first()
    if row is None:
        # The gemeente's first record: create its head (concurrent creators: one wins).
        genesis = sleutels.onderteken(_head_message(invoer.gemeente, 0, GENESIS))
        _insert_ignore(
            session,
            {
                "gemeente": invoer.gemeente,
                "volgnummer": 0,
                "laatste_hash": GENESIS,
                "handtekening": genesis,
            },
        )
        row = session.execute(advance).one()
    record.volgnummer = int(row[0])
    record.prev_hash = str(row[1])
    record.record_hash = record_hash(record, pairs, record.prev_hash)
    session.add(record)
    session.flush()
    for position, (digest, sealed) in enumerate(pairs):
        session.add(
            LogboekBetrokkene(
                logboek_id=record.id,
                gemeente=record.gemeente,
                volgnummer=record.volgnummer,
                positie=position,
                betrokkene_hash=digest,
                bsn_versleuteld=sealed,
            )
        )
    session.execute(
        update(LogboekKeten)
        .where(LogboekKeten.gemeente == invoer.gemeente)
        .values(
            laatste_hash=record.record_hash,
            handtekening=sleutels.onderteken(
                _head_message(invoer.gemeente, record.volgnummer, record.record_hash)
            ),
        )
    )
    session.flush()
    return record


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


def _latest_checkpoint(session: Session, gemeente: str) -> LogboekCheckpoint | None:
    return session.scalars(
        select(LogboekCheckpoint)
        .where(LogboekCheckpoint.gemeente == gemeente)
        .order_by(LogboekCheckpoint.volgnummer.desc())
        .limit(1)
    ).first()


def _betrokkenen_of(
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


_BATCH = 1000


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
    checkpoint = _latest_checkpoint(session, gemeente)
    expected, prev = 1, GENESIS
    cp_volgnummer: int | None = None
    if checkpoint is not None:
        cp_volgnummer = checkpoint.volgnummer
        if not sleutels.controleer(_checkpoint_message(checkpoint), checkpoint.handtekening):
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
            .limit(_BATCH)
        )
        if limit is not None:
            query = query.where(LogboekRecord.volgnummer <= limit)
        batch = list(session.scalars(query))
        if not batch:
            break
        children = _betrokkenen_of(session, gemeente, batch[0].volgnummer, batch[-1].volgnummer)
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


# ---------------------------------------------------------------------------
# Retention


class PurgeGeweigerd(Exception):
    """The chain is broken; purging would destroy the evidence, so it is refused."""


@dataclass(frozen=True)
class PurgeResultaat:
    gemeente: str
    verwijderd: int
    tot_en_met_volgnummer: int | None


def purge(
    session: Session,
    sleutels: LogboekSleutels,
    bewaartermijn_dagen: int,
    *,
    nu: datetime | None = None,
) -> PurgeResultaat:
    """Remove the records older than the bewaartermijn, leaving a signed checkpoint.

    Only a prefix of the chain is removed (records after the first one still
    within the bewaartermijn stay, even if older), so the remaining chain
    starts right after the checkpoint. The part to remove is verified first; a
    broken chain is never purged (:class:`PurgeGeweigerd`).
    """
    gemeente = sleutels.gemeente
    moment = nu or utcnow()
    ouder_dan = moment - timedelta(days=bewaartermijn_dagen)
    first_kept = session.scalar(
        select(func.min(LogboekRecord.volgnummer)).where(
            LogboekRecord.gemeente == gemeente, LogboekRecord.start_time >= ouder_dan
        )
    )
    last_old_query = select(func.max(LogboekRecord.volgnummer)).where(
        LogboekRecord.gemeente == gemeente, LogboekRecord.start_time < ouder_dan
    )
    if first_kept is not None:
        last_old_query = last_old_query.where(LogboekRecord.volgnummer < first_kept)
    last_old = session.scalar(last_old_query)
    if last_old is None:
        return PurgeResultaat(gemeente, 0, None)
    check = verify(session, sleutels, tot_en_met=int(last_old))
    if not check.intact:
        raise PurgeGeweigerd(
            f"logboek van gemeente {gemeente} is niet intact "
            f"(volgnummer {check.eerste_breuk.volgnummer if check.eerste_breuk else '?'}); "
            "niets verwijderd"
        )
    last = session.scalars(
        select(LogboekRecord).where(
            LogboekRecord.gemeente == gemeente, LogboekRecord.volgnummer == last_old
        )
    ).one()
    previous = _latest_checkpoint(session, gemeente)
    low = previous.volgnummer if previous is not None else 0
    count = int(last_old) - low
    checkpoint = LogboekCheckpoint(
        gemeente=gemeente,
        volgnummer=last.volgnummer,
        record_hash=last.record_hash,
        aantal_verwijderd=count,
        ouder_dan=ouder_dan,
        gepurged_op=moment,
        handtekening="",
    )
    checkpoint.handtekening = sleutels.onderteken(_checkpoint_message(checkpoint))
    session.add(checkpoint)
    session.flush()
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SET LOCAL kcc_hub.retention_purge = 'on'"))
    elif dialect == "sqlite":
        session.add(LogboekPurgeVergunning(gemeente=gemeente))
        session.flush()
    session.execute(
        delete(LogboekBetrokkene).where(
            LogboekBetrokkene.gemeente == gemeente, LogboekBetrokkene.volgnummer <= last_old
        )
    )
    session.execute(
        delete(LogboekRecord).where(
            LogboekRecord.gemeente == gemeente, LogboekRecord.volgnummer <= last_old
        )
    )
    if dialect == "postgresql":
        session.execute(text("SET LOCAL kcc_hub.retention_purge = 'off'"))
    elif dialect == "sqlite":
        session.execute(
            delete(LogboekPurgeVergunning).where(LogboekPurgeVergunning.gemeente == gemeente)
        )
    session.flush()
    return PurgeResultaat(gemeente, count, int(last_old))


# ---------------------------------------------------------------------------
# For the privacy officer


@dataclass(frozen=True)
class LogboekRegel:
    """A logboek record as the privacy officer sees it (no BSNs)."""

    volgnummer: int
    trace_id: str
    span_id: str
    activiteit: str
    start_time: datetime
    end_time: datetime
    status: str
    http_status: int
    doel: str | None
    verwerkingsactiviteit: str | None
    medewerker: str
    rol: str
    client_id: str
    velden: list[str]
    aantal_personen: int
    aantal_betrokkenen: int
    foreign_operation: str | None
    signalen: list[str]

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["start_time"] = _iso(self.start_time)
        out["end_time"] = _iso(self.end_time)
        return out


@dataclass(frozen=True)
class Pagina:
    items: list[LogboekRegel]
    totaal: int
    pagina: int
    grootte: int


def _regel(record: LogboekRecord, betrokkenen: int) -> LogboekRegel:
    return LogboekRegel(
        volgnummer=record.volgnummer,
        trace_id=record.trace_id,
        span_id=record.span_id,
        activiteit=record.name,
        start_time=record.start_time,
        end_time=record.end_time,
        status=record.status,
        http_status=record.http_status,
        doel=record.doel,
        verwerkingsactiviteit=record.processing_activity_id,
        medewerker=record.medewerker,
        rol=record.rol,
        client_id=record.client_id,
        velden=json.loads(record.velden),
        aantal_personen=record.aantal_personen,
        aantal_betrokkenen=betrokkenen,
        foreign_operation=record.foreign_operation,
        signalen=record.signalen.split(",") if record.signalen else [],
    )


MAX_PAGE_SIZE = 200


def search(
    session: Session,
    sleutels: LogboekSleutels,
    *,
    bsn: str | None = None,
    medewerker: str | None = None,
    doel: str | None = None,
    van: datetime | None = None,
    tot: datetime | None = None,
    signaal: str | None = None,
    page: int = 1,
    size: int = 50,
) -> Pagina:
    """Records of the gemeente, newest first, filtered; a BSN is matched by its keyed hash."""
    page = max(page, 1)
    size = min(max(size, 1), MAX_PAGE_SIZE)
    gemeente = sleutels.gemeente
    where = [LogboekRecord.gemeente == gemeente]
    if bsn is not None:
        digest = sleutels.betrokkene_hash(bsn)
        where.append(
            LogboekRecord.volgnummer.in_(
                select(LogboekBetrokkene.volgnummer).where(
                    LogboekBetrokkene.gemeente == gemeente,
                    LogboekBetrokkene.betrokkene_hash == digest,
                )
            )
        )
    if medewerker is not None:
        where.append(LogboekRecord.medewerker == medewerker)
    if doel is not None:
        where.append(LogboekRecord.doel == doel)
    if van is not None:
        where.append(LogboekRecord.start_time >= van)
    if tot is not None:
        where.append(LogboekRecord.start_time < tot)
    if signaal is not None:
        where.append(LogboekRecord.signalen.contains(signaal))
    total = int(session.scalar(select(func.count()).select_from(LogboekRecord).where(*where)) or 0)
    records = list(
        session.scalars(
            select(LogboekRecord)
            .where(*where)
            .order_by(LogboekRecord.volgnummer.desc())
            .offset((page - 1) * size)
            .limit(size)
        )
    )
    counts: dict[int, int] = {}
    if records:
        rows = session.execute(
            select(LogboekBetrokkene.volgnummer, func.count())
            .where(
                LogboekBetrokkene.gemeente == gemeente,
                LogboekBetrokkene.volgnummer.in_([r.volgnummer for r in records]),
            )
            .group_by(LogboekBetrokkene.volgnummer)
        ).all()
        counts = {int(v): int(c) for v, c in rows}
    return Pagina(
        items=[_regel(r, counts.get(r.volgnummer, 0)) for r in records],
        totaal=total,
        pagina=page,
        grootte=size,
    )


def export(
    session: Session, gemeente: str, *, van: datetime | None = None, tot: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Every record (with hashes, betrokkene hashes and ciphertexts) for archiving or outside
    verification, in chain order; the first item describes the chain's checkpoint and head."""
    checkpoint = _latest_checkpoint(session, gemeente)
    head = session.get(LogboekKeten, gemeente)
    yield {
        "soort": "keten",
        "gemeente": gemeente,
        "checkpoint": None
        if checkpoint is None
        else {
            "volgnummer": checkpoint.volgnummer,
            "record_hash": checkpoint.record_hash,
            "aantal_verwijderd": checkpoint.aantal_verwijderd,
            "ouder_dan": _iso(checkpoint.ouder_dan),
            "gepurged_op": _iso(checkpoint.gepurged_op),
            "handtekening": checkpoint.handtekening,
        },
        "kop": None
        if head is None
        else {"volgnummer": head.volgnummer, "laatste_hash": head.laatste_hash},
    }
    where = [LogboekRecord.gemeente == gemeente]
    if van is not None:
        where.append(LogboekRecord.start_time >= van)
    if tot is not None:
        where.append(LogboekRecord.start_time < tot)
    after = 0
    while True:
        batch = list(
            session.scalars(
                select(LogboekRecord)
                .where(*where, LogboekRecord.volgnummer > after)
                .order_by(LogboekRecord.volgnummer)
                .limit(_BATCH)
            )
        )
        if not batch:
            return
        children = _betrokkenen_of(session, gemeente, batch[0].volgnummer, batch[-1].volgnummer)
        for r in batch:
            yield {
                "soort": "record",
                "gemeente": r.gemeente,
                "volgnummer": r.volgnummer,
                "trace_id": r.trace_id,
                "span_id": r.span_id,
                "parent_span_id": r.parent_span_id,
                "name": r.name,
                "start_time": _iso(r.start_time),
                "end_time": _iso(r.end_time),
                "status_code": r.status_code,
                "status": r.status,
                "http_status": r.http_status,
                "attributes": {
                    "dpl.core.processing_activity_id": r.processing_activity_id,
                    "dpl.core.data_subject_id_type": "BSN",
                },
                "doel": r.doel,
                "medewerker": r.medewerker,
                "rol": r.rol,
                "client_id": r.client_id,
                "velden": json.loads(r.velden),
                "aantal_personen": r.aantal_personen,
                "foreign_operation": r.foreign_operation,
                "signalen": r.signalen,
                "betrokkenen": [
                    {"hash": d, "bsn_versleuteld": s} for d, s in children.get(r.volgnummer, [])
                ],
                "prev_hash": r.prev_hash,
                "record_hash": r.record_hash,
            }
        after = batch[-1].volgnummer
        for r in batch:
            session.expunge(r)


# The privacy officer's inzage lives in its own module; re-exported here for callers.
from hub.privacy.inzage import (  # noqa: E402
    INZAGE_CSV_COLUMNS,
    InzageRegel,
    inzage,
    inzage_csv,
    inzage_json,
)

__all__ = ["INZAGE_CSV_COLUMNS", "InzageRegel", "inzage", "inzage_csv", "inzage_json"]
