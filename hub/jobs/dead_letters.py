"""Messages that exhausted their retries, kept per gemeente so admins can see and replay them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.store.base import Base, UtcDateTime


class DeadLetter(Base):
    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gemeente: Mapped[str] = mapped_column(String(4), index=True)
    actor: Mapped[str] = mapped_column(String(128))
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    # Only ids and plugin names travel in job arguments, never person data.
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text)
    retries: Mapped[int] = mapped_column(Integer, default=0)
    failed_at: Mapped[datetime] = mapped_column(UtcDateTime)


def list_dead(session: Session, gemeente: str | None = None, limit: int = 100) -> list[DeadLetter]:
    stmt = select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)
    if gemeente is not None:
        stmt = stmt.where(DeadLetter.gemeente == gemeente)
    return list(session.scalars(stmt))
