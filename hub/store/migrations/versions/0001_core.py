"""Core tables: sync checkpoints and runs, dead letters.

Revision ID: 0001_core
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store.base import UtcDateTime

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_checkpoints",
        sa.Column("gemeente", sa.String(4), primary_key=True),
        sa.Column("plugin", sa.String(64), primary_key=True),
        sa.Column("checkpoint", sa.JSON(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("plugin", sa.String(64), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_sync_runs_gemeente", "sync_runs", ["gemeente"])
    op.create_index("ix_sync_runs_gemeente_plugin_id", "sync_runs", ["gemeente", "plugin", "id"])
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False, unique=True),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("failed_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_dead_letters_gemeente", "dead_letters", ["gemeente"])


def downgrade() -> None:
    op.drop_table("dead_letters")
    op.drop_table("sync_runs")
    op.drop_table("sync_checkpoints")
