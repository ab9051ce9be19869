"""Generation counters per gemeente, so API processes can cache directory searches.

Revision ID: 0012_directory_zoeken
Revises: 0010_beschikbaarheid_werktijden
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_directory_zoeken"
down_revision = "0010_beschikbaarheid_werktijden"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_generaties",
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("generatie", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("gemeente", name="pk_store_generaties"),
    )


def downgrade() -> None:
    op.drop_table("store_generaties")
