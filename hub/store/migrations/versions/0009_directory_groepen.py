"""Directory groups, their direct memberships, and switched-off accounts (roles from AD groups).

Revision ID: 0009_directory_groepen
Revises: 0008_sync_run_removed
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store.base import UtcDateTime

revision = "0009_directory_groepen"
down_revision = "0008_sync_run_removed"
branch_labels = None
depends_on = None

NORM = sa.String(512).with_variant(sa.String(512, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "groepen",
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("naam", sa.String(512), nullable=False),
        sa.Column("identificatie", sa.String(512), nullable=True),
        sa.Column("email", sa.String(512), nullable=True),
        sa.Column("omschrijving", sa.String(512), nullable=True),
        sa.Column("naam_norm", NORM, nullable=False),
        sa.Column("synced_at", UtcDateTime(), nullable=False),
        sa.Column("last_seen_run", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("gemeente", "id", name="pk_groepen"),
    )
    op.create_index("ix_groepen_gemeente_naam_norm", "groepen", ["gemeente", "naam_norm"])
    op.create_index("ix_groepen_gemeente_last_seen_run", "groepen", ["gemeente", "last_seen_run"])
    op.create_table(
        "groep_leden",
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("groep_id", sa.String(64), nullable=False),
        sa.Column("lid_id", sa.String(64), nullable=False),
        sa.Column("last_seen_run", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("gemeente", "groep_id", "lid_id", name="pk_groep_leden"),
    )
    op.create_index("ix_groep_leden_gemeente_lid_id", "groep_leden", ["gemeente", "lid_id"])
    op.create_index(
        "ix_groep_leden_gemeente_last_seen_run", "groep_leden", ["gemeente", "last_seen_run"]
    )
    op.create_table(
        "uitgeschakelde_accounts",
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("account_naam", sa.String(512), nullable=True),
        sa.Column("email", sa.String(512), nullable=True),
        sa.Column("synced_at", UtcDateTime(), nullable=False),
        sa.Column("last_seen_run", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("gemeente", "id", name="pk_uitgeschakelde_accounts"),
    )
    for column in ("account_naam", "email", "last_seen_run"):
        op.create_index(
            f"ix_uitgeschakelde_accounts_gemeente_{column}",
            "uitgeschakelde_accounts",
            ["gemeente", column],
        )


def downgrade() -> None:
    op.drop_table("uitgeschakelde_accounts")
    op.drop_table("groep_leden")
    op.drop_table("groepen")
