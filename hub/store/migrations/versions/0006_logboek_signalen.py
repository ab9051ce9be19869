"""Logboek: signals on a record (``bulk`` for lookups above the bulk-signal threshold).

Revision ID: 0006_logboek_signalen
Revises: 0005_meldingen
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_logboek_signalen"
down_revision = "0005_meldingen"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Adding a nullable column is DDL: the append-only row triggers do not apply. Existing
    # records keep their hashes: the signal is hashed only when set.
    with op.batch_alter_table("logboek", recreate="never") as batch:
        batch.add_column(sa.Column("signalen", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("logboek", recreate="never") as batch:
        batch.drop_column("signalen")
