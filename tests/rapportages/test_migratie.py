"""Migration 0011_rapportages: up and down on both databases; existing klantcontacten get
their local day, ISO week and afdeling."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from hub.store.migrate import alembic_config, upgrade
from tests.support.fixtures import _create_pg_database

VORIGE = "0010_beschikbaarheid_werktijden"


@pytest.fixture(params=["sqlite", "postgresql"])
def lege_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hub.sqlite3'}"
        return
    url, drop = _create_pg_database(request.getfixturevalue("pg_admin_url"))
    try:
        yield url
    finally:
        drop()


KC = """INSERT INTO klantcontacten (id, gemeente, kanaal, onderwerp, vertrouwelijk, taal,
  plaatsgevonden_op, afhandeling, doorverbonden_met, geregistreerd_door,
  geregistreerd_door_naam, geregistreerd_op, onderwerpobjecten, bron)
VALUES (:id, '9999', 'telefoon', 'Vraag', false, 'nld', :op, :afhandeling, :door,
  'agent', 'Agent', :op, '[]', 'hub')"""
CV = """INSERT INTO contactverzoeken (id, gemeente, klantcontact_id, gevraagde_handeling,
  toelichting, status, urgentie, medewerker_afdeling, afdeling, toegewezen_op, deadline,
  escalatie_gepland, te_plannen, aangemaakt_door, aangemaakt_op, bron)
VALUES ('cv-1', '9999', 'kc-2', 'Terugbellen', 'x', 'te_verwerken', 'normaal', 'KCC', NULL,
  :op, :op, false, false, 'agent', :op, 'hub')"""


def test_existing_klantcontacten_get_day_week_and_afdeling_and_the_migration_reverses(
    lege_database: str,
) -> None:
    upgrade(lege_database, VORIGE)
    engine = create_engine(lege_database)
    # 23:30 UTC on Sunday 29 March 2026 is 01:30 on Monday in Amsterdam (summer time): week 14.
    op = "2026-03-29 23:30:00+00:00"
    with engine.begin() as conn:
        conn.execute(
            text(KC),
            {
                "id": "kc-1",
                "op": op,
                "afhandeling": "doorverbonden",
                "door": '{"afdeling": "Belastingen"}',
            },
        )
        conn.execute(
            text(KC), {"id": "kc-2", "op": op, "afhandeling": "contactverzoek", "door": None}
        )
        conn.execute(text(CV), {"op": op})
    upgrade(lege_database, "0011_rapportages")
    with engine.connect() as conn:
        rijen = conn.execute(
            text("SELECT id, dag, week, afdeling FROM klantcontacten ORDER BY id")
        ).all()
    assert [tuple(r) for r in rijen] == [
        ("kc-1", "2026-03-30", "2026-W14", "Belastingen"),
        ("kc-2", "2026-03-30", "2026-W14", "KCC"),
    ]
    command.downgrade(alembic_config(lege_database), VORIGE)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM klantcontacten")).scalar() == 2
    upgrade(lege_database)
    engine.dispose()
