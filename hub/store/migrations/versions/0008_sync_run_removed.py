"""Sync runs count removed records apart from synchronised ones.

Revision ID: 0008_sync_run_removed
Revises: 0007_klantcontacten
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_sync_run_removed"
down_revision = "0007_klantcontacten"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_runs") as batch:
        batch.add_column(sa.Column("removed", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("sync_runs") as batch:
        batch.drop_column("removed")
