"""Persisting a dead message: only ids and plugin names from its arguments, never person data."""

from __future__ import annotations

from typing import Any

from dramatiq.broker import MessageProxy
from sqlalchemy import select

from hub.jobs.context import job_runtime
from hub.jobs.dead_letters import DeadLetter
from hub.store.base import utcnow


def _plain(value: Any) -> str | int | float | bool | None:
    """Scalars keep their type, so a retry sends exactly what the actor got (``full=False``
    must not come back as the truthy string "False"); anything else is kept as text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def record_dead_letter(message: MessageProxy, exception: BaseException) -> None:
    kwargs = dict(message.kwargs or {})
    args = list(message.args or ())
    gemeente = str(kwargs.get("gemeente") or (args[0] if args else "----"))[:4]
    store = job_runtime().store
    with store.session() as session:
        exists = session.scalar(
            select(DeadLetter.id).where(DeadLetter.message_id == message.message_id)
        )
        if exists:
            return
        session.add(
            DeadLetter(
                gemeente=gemeente,
                actor=message.actor_name,
                message_id=message.message_id,
                arguments={
                    "args": [_plain(a) for a in args],
                    "kwargs": {k: _plain(v) for k, v in kwargs.items()},
                },
                error=f"{type(exception).__name__}: {exception}"[:2000],
                # Dramatiq counts the final failed attempt too; store the retries actually made.
                retries=max(int(message.options.get("retries", 0)) - 1, 0),
                failed_at=utcnow(),
            )
        )
