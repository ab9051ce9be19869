"""The medewerkers directory: one row per medewerker and its inverted token index.

Revision ID: 0002_directory
Revises: 0001_core
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store.base import UtcDateTime

revision = "0002_directory"
down_revision = "0001_core"
branch_labels = None
depends_on = None

# Byte-order collation on PostgreSQL so a prefix range scan on the index is exact.
TOKEN = sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql")
NORM = sa.String(512).with_variant(sa.String(512, collation="C"), "postgresql")


def _text(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(512), nullable=True)


def upgrade() -> None:
    op.create_table(
        "medewerkers",
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        _text("account_naam"),
        sa.Column("weergavenaam", sa.String(512), nullable=False),
        _text("voornaam"),
        _text("achternaam"),
        _text("afdeling"),
        _text("functie"),
        _text("telefoonnummer"),
        _text("mobiel"),
        _text("email"),
        _text("kamer"),
        sa.Column("manager_id", sa.String(64), nullable=True),
        sa.Column("groepen", sa.JSON(), nullable=False),
        sa.Column("expertise", sa.JSON(), nullable=False),
        sa.Column("weergavenaam_norm", NORM, nullable=False),
        sa.Column("achternaam_norm", NORM, nullable=False),
        sa.Column("afdeling_norm", NORM, nullable=False),
        sa.Column("functie_norm", NORM, nullable=False),
        sa.Column("synced_at", UtcDateTime(), nullable=False),
        sa.Column("last_seen_run", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("gemeente", "id", name="pk_medewerkers"),
    )
    for column in ("afdeling_norm", "functie_norm", "achternaam_norm", "last_seen_run"):
        op.create_index(f"ix_medewerkers_gemeente_{column}", "medewerkers", ["gemeente", column])
    op.create_table(
        "medewerker_tokens",
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("medewerker_id", sa.String(64), nullable=False),
        sa.Column("token", TOKEN, nullable=False),
        sa.Column("veld", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("gemeente", "medewerker_id", "token", name="pk_medewerker_tokens"),
    )
    op.create_index(
        "ix_medewerker_tokens_gemeente_token",
        "medewerker_tokens",
        ["gemeente", "token", "veld", "medewerker_id"],
    )


def downgrade() -> None:
    op.drop_table("medewerker_tokens")
    op.drop_table("medewerkers")
