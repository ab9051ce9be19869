"""Meldingen openbare ruimte and their outbox.

Revision ID: 0005_meldingen
Revises: 0004_privacy
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store.base import UtcDateTime

revision = "0005_meldingen"
down_revision = "0004_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meldingen",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("vingerafdruk", sa.String(64), nullable=False),
        sa.Column("aangemaakt_door", sa.String(255), nullable=False),
        sa.Column("categorie", sa.String(200), nullable=False),
        sa.Column("omschrijving", sa.Text(), nullable=False),
        sa.Column("locatie", sa.JSON(), nullable=False),
        sa.Column("melder", sa.JSON(), nullable=True),
        sa.Column("melder_email", sa.String(254), nullable=True),
        sa.Column("melder_telefoon", sa.String(20), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("aangemaakt_op", UtcDateTime(), nullable=False),
        sa.Column("ingediend_op", UtcDateTime(), nullable=True),
        sa.Column("pogingen", sa.Integer(), nullable=False),
        sa.Column("laatste_fout", sa.Text(), nullable=True),
        sa.Column("plugin", sa.String(64), nullable=True),
        sa.Column("extern_id", sa.String(100), nullable=True),
        sa.Column("extern_status", sa.String(100), nullable=True),
        sa.Column("extern_aangemaakt", UtcDateTime(), nullable=True),
        sa.Column("extern_afgesloten", UtcDateTime(), nullable=True),
        sa.Column("extern_bijgewerkt_op", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_meldingen"),
        sa.UniqueConstraint("gemeente", "idempotency_key", name="uq_meldingen_gemeente"),
    )
    op.create_index("ix_meldingen_gemeente_status", "meldingen", ["gemeente", "status"])
    op.create_index("ix_meldingen_gemeente_extern_id", "meldingen", ["gemeente", "extern_id"])
    op.create_index("ix_meldingen_gemeente_melder_email", "meldingen", ["gemeente", "melder_email"])
    op.create_index(
        "ix_meldingen_gemeente_melder_telefoon", "meldingen", ["gemeente", "melder_telefoon"]
    )
    op.create_table(
        "melding_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("melding_id", sa.String(36), nullable=False),
        sa.Column("aangemaakt_op", UtcDateTime(), nullable=False),
        sa.Column("verwerkt_op", UtcDateTime(), nullable=True),
        sa.Column("pogingen", sa.Integer(), nullable=False),
        sa.Column("volgende_poging_op", UtcDateTime(), nullable=True),
        sa.Column("geclaimd_tot", UtcDateTime(), nullable=True),
        sa.Column("laatste_fout", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_melding_outbox"),
        sa.ForeignKeyConstraint(
            ["melding_id"],
            ["meldingen.id"],
            name="fk_melding_outbox_melding_id_meldingen",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("melding_id", name="uq_melding_outbox_melding_id"),
    )
    op.create_index(
        "ix_melding_outbox_gemeente_verwerkt_op", "melding_outbox", ["gemeente", "verwerkt_op"]
    )


def downgrade() -> None:
    op.drop_table("melding_outbox")
    op.drop_table("meldingen")
