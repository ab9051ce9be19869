"""The logboek's tables and the append-only guards on them (see :mod:`hub.privacy.logboek`)."""

from __future__ import annotations

from datetime import datetime
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
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, UtcDateTime

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


def iso(moment: datetime) -> str:
    """The logboek's timestamp form: hashed, signed and exported as is, so it never changes."""
    return moment.isoformat(timespec="microseconds")
