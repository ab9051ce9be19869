"""Stored meldingen and their outbox rows. A melding is stored before anything goes upstream."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, UtcDateTime

IN_WACHTRIJ = "in_wachtrij"
INGEDIEND = "ingediend"
MISLUKT = "mislukt"
LOKALE_STATUSSEN = (IN_WACHTRIJ, INGEDIEND, MISLUKT)


class MeldingRij(Base):
    """One melding: what the caller filed, the hub's status and the upstream's last known view."""

    __tablename__ = "meldingen"
    __table_args__ = (
        UniqueConstraint("gemeente", "idempotency_key"),
        Index("ix_meldingen_gemeente_status", "gemeente", "status"),
        Index("ix_meldingen_gemeente_extern_id", "gemeente", "extern_id"),
        Index("ix_meldingen_gemeente_melder_email", "gemeente", "melder_email"),
        Index("ix_meldingen_gemeente_melder_telefoon", "gemeente", "melder_telefoon"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    gemeente: Mapped[str] = mapped_column(String(4))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    # sha256 of the canonical body and the caller: a key reused for another body is refused.
    vingerafdruk: Mapped[str] = mapped_column(String(64))
    aangemaakt_door: Mapped[str] = mapped_column(String(255))
    categorie: Mapped[str] = mapped_column(String(200))
    omschrijving: Mapped[str] = mapped_column(Text)
    locatie: Mapped[dict[str, Any]] = mapped_column(JSON)
    melder: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    # Normalised contact details, so a caller's earlier meldingen can be found (klantbeeld).
    melder_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    melder_telefoon: Mapped[str | None] = mapped_column(String(20), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    aangemaakt_op: Mapped[datetime] = mapped_column(UtcDateTime)
    ingediend_op: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    pogingen: Mapped[int] = mapped_column(Integer, default=0)
    laatste_fout: Mapped[str | None] = mapped_column(Text, nullable=True)
    plugin: Mapped[str | None] = mapped_column(String(64), nullable=True)
    extern_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    extern_status: Mapped[str | None] = mapped_column(String(100), nullable=True)
    extern_aangemaakt: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    extern_afgesloten: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    extern_bijgewerkt_op: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class OutboxRij(Base):
    """Work still to do for a melding: submit it upstream. Written in the melding's transaction."""

    __tablename__ = "melding_outbox"
    __table_args__ = (Index("ix_melding_outbox_gemeente_verwerkt_op", "gemeente", "verwerkt_op"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gemeente: Mapped[str] = mapped_column(String(4))
    melding_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("meldingen.id", ondelete="CASCADE"), unique=True
    )
    aangemaakt_op: Mapped[datetime] = mapped_column(UtcDateTime)
    verwerkt_op: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    pogingen: Mapped[int] = mapped_column(Integer, default=0)
    volgende_poging_op: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # A worker holds the row until then; a crashed worker's claim simply runs out.
    geclaimd_tot: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    laatste_fout: Mapped[str | None] = mapped_column(Text, nullable=True)
