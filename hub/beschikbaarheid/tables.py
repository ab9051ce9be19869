"""The last known availability per mailbox of a gemeente."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, UtcDateTime


class BeschikbaarheidRow(Base):
    __tablename__ = "beschikbaarheid"

    gemeente: Mapped[str] = mapped_column(String(4), primary_key=True)
    # Lower-cased mail address: the link to a medewerker.
    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    tot: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    volgend_vrij_moment: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    afwezigheidsbericht: Mapped[str | None] = mapped_column(Text, nullable=True)
    peilmoment: Mapped[datetime] = mapped_column(UtcDateTime)
    # Busy blocks as [{"van": iso, "tot": iso, "soort": ...}]: times only.
    bezet: Mapped[list[Any]] = mapped_column(JSON)
    refreshed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Until when ``bezet`` is complete (the window asked of the calendar); None if unknown.
    venster_tot: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Working hours as [{"dagen": [1..7], "van": "HH:MM", "tot": "HH:MM"}]; None if unknown.
    werktijden: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)

    __table_args__ = (
        Index("ix_beschikbaarheid_gemeente_refreshed_at", "gemeente", "refreshed_at"),
    )
