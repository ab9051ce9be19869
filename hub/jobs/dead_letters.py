"""Messages that exhausted their retries, kept per gemeente so admins can see and replay them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dramatiq
from dramatiq.errors import ActorNotFound
from sqlalchemy import JSON, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.errors import NotFound
from hub.store.base import Base, UtcDateTime
from hub.store.db import Store


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


def count_dead(session: Session, gemeente: str) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(DeadLetter).where(DeadLetter.gemeente == gemeente)
        )
        or 0
    )


def _own(session: Session, gemeente: str, dead_id: int) -> DeadLetter:
    row = session.get(DeadLetter, dead_id)
    if row is None or row.gemeente != gemeente:
        # Another gemeente's dead letter does not exist for this one.
        raise NotFound(f"dood bericht {dead_id} bestaat niet voor deze gemeente")
    return row


def retry_dead(store: Store, gemeente: str, dead_id: int) -> str:
    """Send a dead message again (after the cause was fixed) and drop it from the list.

    The new message goes through the same actor with the same arguments and retry policy; if
    it fails for good again, it comes back as a new dead letter. Returns the new message id.
    """
    with store.session() as session:
        row = _own(session, gemeente, dead_id)
        try:
            actor = dramatiq.get_broker().get_actor(row.actor)
        except ActorNotFound:
            raise NotFound(f"taak {row.actor} bestaat niet (meer); verwijder het bericht") from None
        arguments = row.arguments or {}
        message = actor.send_with_options(
            args=tuple(arguments.get("args", [])), kwargs=dict(arguments.get("kwargs", {}))
        )
        session.delete(row)
    return str(message.message_id)


def discard_dead(store: Store, gemeente: str, dead_id: int) -> None:
    """Remove a dead letter for good (its work is no longer wanted)."""
    with store.session() as session:
        session.delete(_own(session, gemeente, dead_id))
