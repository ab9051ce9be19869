"""The medewerkers directory tables: one row per medewerker plus an inverted token index.

The token table is the full-text index: one row per (medewerker, normalised token),
with the field it came from for ranking, and a B-tree on (gemeente, token). A
prefix query is a range scan on that index on both SQLite and PostgreSQL, so
both backends give the same results in the same order. On PostgreSQL the token
column uses the "C" collation so that byte order equals the order the range
predicate assumes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, UtcDateTime

TOKEN_TYPE = String(64).with_variant(String(64, collation="C"), "postgresql")
NORM_TYPE = String(512).with_variant(String(512, collation="C"), "postgresql")


class MedewerkerRow(Base):
    __tablename__ = "medewerkers"

    gemeente: Mapped[str] = mapped_column(String(4), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_naam: Mapped[str | None] = mapped_column(String(512), nullable=True)
    weergavenaam: Mapped[str] = mapped_column(String(512))
    voornaam: Mapped[str | None] = mapped_column(String(512), nullable=True)
    achternaam: Mapped[str | None] = mapped_column(String(512), nullable=True)
    afdeling: Mapped[str | None] = mapped_column(String(512), nullable=True)
    functie: Mapped[str | None] = mapped_column(String(512), nullable=True)
    telefoonnummer: Mapped[str | None] = mapped_column(String(512), nullable=True)
    mobiel: Mapped[str | None] = mapped_column(String(512), nullable=True)
    email: Mapped[str | None] = mapped_column(String(512), nullable=True)
    kamer: Mapped[str | None] = mapped_column(String(512), nullable=True)
    manager_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    groepen: Mapped[list[Any]] = mapped_column(JSON)
    expertise: Mapped[list[Any]] = mapped_column(JSON)
    # Normalised copies for filters and ordering (accent- and case-folded).
    weergavenaam_norm: Mapped[str] = mapped_column(NORM_TYPE)
    achternaam_norm: Mapped[str] = mapped_column(NORM_TYPE)
    afdeling_norm: Mapped[str] = mapped_column(NORM_TYPE)
    functie_norm: Mapped[str] = mapped_column(NORM_TYPE)
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_run: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_medewerkers_gemeente_afdeling_norm", "gemeente", "afdeling_norm"),
        Index("ix_medewerkers_gemeente_functie_norm", "gemeente", "functie_norm"),
        Index("ix_medewerkers_gemeente_achternaam_norm", "gemeente", "achternaam_norm"),
        Index("ix_medewerkers_gemeente_last_seen_run", "gemeente", "last_seen_run"),
    )


class MedewerkerToken(Base):
    __tablename__ = "medewerker_tokens"

    gemeente: Mapped[str] = mapped_column(String(4), primary_key=True)
    medewerker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(TOKEN_TYPE, primary_key=True)
    # Which field the token came from (see hub.directory.ranking.Veld); drives the ranking.
    veld: Mapped[int] = mapped_column(SmallInteger)

    # Covering (token, veld, id): a prefix scan never has to visit the table itself.
    __table_args__ = (
        Index("ix_medewerker_tokens_gemeente_token", "gemeente", "token", "veld", "medewerker_id"),
    )
