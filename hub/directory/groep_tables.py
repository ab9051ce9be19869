"""The directory's groups, their direct memberships, and the accounts that are switched off.

Memberships are stored as (groep, lid) pairs where a lid is a medewerker or another
group, so nested groups resolve in the store. Each row carries the run that last
saw it: a full sync removes what it did not see, as for medewerkers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.directory.tables import NORM_TYPE
from hub.store.base import Base, UtcDateTime


class GroepRow(Base):
    __tablename__ = "groepen"

    gemeente: Mapped[str] = mapped_column(String(4), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    naam: Mapped[str] = mapped_column(String(512))
    identificatie: Mapped[str | None] = mapped_column(String(512), nullable=True)
    email: Mapped[str | None] = mapped_column(String(512), nullable=True)
    omschrijving: Mapped[str | None] = mapped_column(String(512), nullable=True)
    # Accent- and case-folded name, for filters and ordering.
    naam_norm: Mapped[str] = mapped_column(NORM_TYPE)
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_run: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_groepen_gemeente_naam_norm", "gemeente", "naam_norm"),
        Index("ix_groepen_gemeente_last_seen_run", "gemeente", "last_seen_run"),
    )


class GroepLidRow(Base):
    __tablename__ = "groep_leden"

    gemeente: Mapped[str] = mapped_column(String(4), primary_key=True)
    groep_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lid_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seen_run: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_groep_leden_gemeente_lid_id", "gemeente", "lid_id"),
        Index("ix_groep_leden_gemeente_last_seen_run", "gemeente", "last_seen_run"),
    )


class UitgeschakeldAccountRow(Base):
    __tablename__ = "uitgeschakelde_accounts"

    gemeente: Mapped[str] = mapped_column(String(4), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Lower-cased, as a user is named case-insensitively.
    account_naam: Mapped[str | None] = mapped_column(String(512), nullable=True)
    email: Mapped[str | None] = mapped_column(String(512), nullable=True)
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_run: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_uitgeschakelde_accounts_gemeente_account_naam", "gemeente", "account_naam"),
        Index("ix_uitgeschakelde_accounts_gemeente_email", "gemeente", "email"),
        Index("ix_uitgeschakelde_accounts_gemeente_last_seen_run", "gemeente", "last_seen_run"),
    )
