"""Sync bookkeeping per gemeente × plugin: the checkpoint and the history of runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.store.base import Base, UtcDateTime, utcnow


class SyncCheckpoint(Base):
    __tablename__ = "sync_checkpoints"

    gemeente: Mapped[str] = mapped_column(String(4), primary_key=True)
    plugin: Mapped[str] = mapped_column(String(64), primary_key=True)
    checkpoint: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SyncRun(Base):
    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gemeente: Mapped[str] = mapped_column(String(4), index=True)
    plugin: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # running | ok | failed | config_error
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    # Records written (synchronised), and records removed (deleted upstream, or not seen
    # in a full run): the two never add up into one count.
    records: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


FAILED_STATUSES = ("failed", "config_error")


def start_run(session: Session, gemeente: str, plugin: str, *, full: bool) -> int:
    """Record a run as started; returns its id."""
    run = SyncRun(
        gemeente=gemeente,
        plugin=plugin,
        started_at=utcnow(),
        status="running",
        full=full,
        records=0,
        removed=0,
    )
    session.add(run)
    session.flush()
    return run.id


def finish_run(
    session: Session, run_id: int, *, records: int, removed: int = 0, full: bool | None = None
) -> None:
    row = session.get(SyncRun, run_id)
    assert row is not None
    row.status, row.finished_at, row.records, row.removed = "ok", utcnow(), records, removed
    if full is not None:
        row.full = full


def fail_run(
    session: Session, run_id: int, error: str, *, config_error: bool, records: int = 0
) -> None:
    """Record a failed run; a configuration error is told apart from an upstream failure."""
    row = session.get(SyncRun, run_id)
    assert row is not None
    row.status = "config_error" if config_error else "failed"
    row.finished_at, row.records, row.error = utcnow(), records, error[:2000]


def get_checkpoint(session: Session, gemeente: str, plugin: str) -> dict[str, Any] | None:
    row = session.get(SyncCheckpoint, (gemeente, plugin))
    return dict(row.checkpoint) if row else None


def put_checkpoint(session: Session, gemeente: str, plugin: str, value: dict[str, Any]) -> None:
    row = session.get(SyncCheckpoint, (gemeente, plugin))
    if row is None:
        session.add(
            SyncCheckpoint(gemeente=gemeente, plugin=plugin, checkpoint=value, updated_at=utcnow())
        )
    else:
        row.checkpoint = value
        row.updated_at = utcnow()


def clear_checkpoint(session: Session, gemeente: str, plugin: str) -> None:
    row = session.get(SyncCheckpoint, (gemeente, plugin))
    if row is not None:
        session.delete(row)


def last_runs(session: Session, gemeente: str, plugin: str, limit: int = 20) -> list[SyncRun]:
    stmt = (
        select(SyncRun)
        .where(SyncRun.gemeente == gemeente, SyncRun.plugin == plugin)
        .order_by(SyncRun.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def last_successful(session: Session, gemeente: str, plugin: str) -> SyncRun | None:
    stmt = (
        select(SyncRun)
        .where(SyncRun.gemeente == gemeente, SyncRun.plugin == plugin, SyncRun.status == "ok")
        .order_by(SyncRun.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def error_count(session: Session, gemeente: str, plugin: str) -> int:
    from sqlalchemy import func

    stmt = select(func.count()).where(
        SyncRun.gemeente == gemeente,
        SyncRun.plugin == plugin,
        SyncRun.status.in_(FAILED_STATUSES),
    )
    return int(session.scalar(stmt) or 0)
