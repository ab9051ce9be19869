"""The last known availability per mailbox of a gemeente.

Revision ID: 0003_beschikbaarheid
Revises: 0002_directory
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store.base import UtcDateTime

revision = "0003_beschikbaarheid"
down_revision = "0002_directory"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "beschikbaarheid",
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("tot", UtcDateTime(), nullable=True),
        sa.Column("volgend_vrij_moment", UtcDateTime(), nullable=True),
        sa.Column("afwezigheidsbericht", sa.Text(), nullable=True),
        sa.Column("peilmoment", UtcDateTime(), nullable=False),
        sa.Column("bezet", sa.JSON(), nullable=False),
        sa.Column("refreshed_at", UtcDateTime(), nullable=False),
        sa.Column("venster_tot", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("gemeente", "email", name="pk_beschikbaarheid"),
    )
    op.create_index(
        "ix_beschikbaarheid_gemeente_refreshed_at",
        "beschikbaarheid",
        ["gemeente", "refreshed_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_beschikbaarheid_gemeente_refreshed_at", table_name="beschikbaarheid")
    op.drop_table("beschikbaarheid")
