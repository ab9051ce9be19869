"""Working hours with the stored availability (for the weekly grid of the smoelenboek).

Revision ID: 0010_beschikbaarheid_werktijden
Revises: 0009_directory_groepen
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_beschikbaarheid_werktijden"
down_revision = "0009_directory_groepen"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("beschikbaarheid") as batch:
        batch.add_column(sa.Column("werktijden", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("beschikbaarheid") as batch:
        batch.drop_column("werktijden")
