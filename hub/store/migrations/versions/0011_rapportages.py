"""Rapportages: local day, ISO week and afdeling of a klantcontact; lead times of a
contactverzoek. Existing klantcontacten get their day, week and afdeling here; the lead times
of contactverzoeken handled earlier are filled in by the reminder planner
(hub.klantcontacten.doorlooptijd.vul_aan), which knows each gemeente's working hours.

Revision ID: 0011_rapportages
Revises: 0010_beschikbaarheid_werktijden
Create Date: 2026-12-02
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from hub.store.base import UtcDateTime

revision = "0011_rapportages"
down_revision = "0010_beschikbaarheid_werktijden"
branch_labels = None
depends_on = None

_INDEX = "ix_klantcontacten_rapportage"
_INDEX_KOLOMMEN = [
    "gemeente",
    "dag",
    "afhandeling",
    "kanaal",
    "week",
    "afdeling",
    "geregistreerd_door_medewerker",
    "id",
]
_CV_INDEX = "ix_contactverzoeken_rapportage"
_CV_INDEX_KOLOMMEN = [
    "klantcontact_id",
    "status",
    "te_plannen",
    "deadline",
    "binnen_termijn",
    "doorlooptijd_seconden",
    "doorlooptijd_werkseconden",
]
# As hub.klantcontacten.kalender, frozen here so this migration never changes with the code.
_ZONE = ZoneInfo("Europe/Amsterdam")


def _dag_en_week(moment: datetime) -> tuple[str, str]:
    dag = moment.astimezone(_ZONE).date()
    jaar, week, _ = dag.isocalendar()
    return dag.isoformat(), f"{jaar:04d}-W{week:02d}"


def _vul_klantcontacten_aan() -> None:
    bind = op.get_bind()
    kc = sa.table(
        "klantcontacten",
        sa.column("id", sa.String()),
        sa.column("plaatsgevonden_op", UtcDateTime()),
        sa.column("doorverbonden_met", sa.JSON()),
        sa.column("dag", sa.String()),
        sa.column("week", sa.String()),
        sa.column("afdeling", sa.String()),
    )
    cv = sa.table(
        "contactverzoeken",
        sa.column("klantcontact_id", sa.String()),
        sa.column("afdeling", sa.String()),
        sa.column("medewerker_afdeling", sa.String()),
        sa.column("aangemaakt_op", UtcDateTime()),
    )
    # The afdeling of a klantcontact's first contactverzoek, as registration now sets it.
    afdelingen: dict[str, str | None] = {}
    for kc_id, afdeling, eigen in bind.execute(
        sa.select(cv.c.klantcontact_id, cv.c.afdeling, cv.c.medewerker_afdeling).order_by(
            cv.c.aangemaakt_op.desc()
        )
    ):
        afdelingen[kc_id] = afdeling or eigen
    for kc_id, moment, doorverbonden in bind.execute(
        sa.select(kc.c.id, kc.c.plaatsgevonden_op, kc.c.doorverbonden_met)
    ).all():
        dag, week = _dag_en_week(moment)
        afdeling = afdelingen.get(kc_id)
        if afdeling is None and isinstance(doorverbonden, dict):
            afdeling = doorverbonden.get("afdeling")
        bind.execute(
            kc.update().where(kc.c.id == kc_id).values(dag=dag, week=week, afdeling=afdeling)
        )


def upgrade() -> None:
    with op.batch_alter_table("klantcontacten") as batch:
        batch.add_column(sa.Column("dag", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("week", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("afdeling", sa.String(length=512), nullable=True))
    op.create_index(_INDEX, "klantcontacten", _INDEX_KOLOMMEN)
    with op.batch_alter_table("contactverzoeken") as batch:
        batch.add_column(sa.Column("doorlooptijd_seconden", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("doorlooptijd_werkseconden", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("binnen_termijn", sa.Boolean(), nullable=True))
    op.create_index(_CV_INDEX, "contactverzoeken", _CV_INDEX_KOLOMMEN)
    _vul_klantcontacten_aan()


def downgrade() -> None:
    op.drop_index(_CV_INDEX, table_name="contactverzoeken")
    with op.batch_alter_table("contactverzoeken") as batch:
        batch.drop_column("binnen_termijn")
        batch.drop_column("doorlooptijd_werkseconden")
        batch.drop_column("doorlooptijd_seconden")
    op.drop_index(_INDEX, table_name="klantcontacten")
    with op.batch_alter_table("klantcontacten") as batch:
        batch.drop_column("afdeling")
        batch.drop_column("week")
        batch.drop_column("dag")
