"""Directory search: generation counters per gemeente, so API processes can cache answers, and
an index that ranks candidates without reading their rows.

Revision ID: 0012_directory_zoeken
Revises: 0011_rapportages
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_directory_zoeken"
down_revision = "0011_rapportages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_generaties",
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("generatie", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("gemeente", name="pk_store_generaties"),
    )
    # Ranking thousands of candidates of a three-letter prefix orders them by name: with the
    # names in the index, the join reads no table rows (SQLite: 19 -> 14 ms for "jan" in
    # 20,000). Not in the model, so the directory tables of migration 0002 stay its tables.
    op.create_index(
        "ix_medewerkers_gemeente_id_namen",
        "medewerkers",
        ["gemeente", "id", "achternaam_norm", "weergavenaam_norm"],
    )
    # The planners pick the covering index only once they know the table's statistics.
    op.execute("ANALYZE medewerkers")


def downgrade() -> None:
    op.drop_index("ix_medewerkers_gemeente_id_namen", table_name="medewerkers")
    op.drop_table("store_generaties")
