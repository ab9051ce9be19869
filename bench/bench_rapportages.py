"""Rapportages over N klantcontacten (default 1,000,000), on SQLite and on PostgreSQL.

One run per store (PostgreSQL when ``DATABASE_URL_TEST`` is set, in a throw-away database):

* the rows are generated inside the database — a recursive CTE on SQLite,
  ``generate_series`` on PostgreSQL — spread over 365 days, four kanalen, five afdelingen,
  50 medewerkers; 18% end in a contactverzoek, three quarters of those handled;
* the rapportage of the whole year is computed once per grouping (kanaal, afdeling,
  medewerker, dag, week), and the time of each is printed;
* baseline in the same run: a plain ``SELECT COUNT(*)`` over the same period, and the ratio
  of each rapportage to it.

Usage: ``python bench/bench_rapportages.py [--klantcontacten N]``. Not run by ``make test``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from hub.domain.rapportages import Groepering  # noqa: E402
from hub.rapportages import Periode, rapportage  # noqa: E402
from hub.store.db import Store, make_engine  # noqa: E402
from hub.store.migrate import upgrade  # noqa: E402

GEMEENTE = "9999"
PERIODE = Periode(date(2026, 1, 1), date(2026, 12, 31))
NU = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)

# Columns shared by both dialects; {i} is the series number, {dag} the day offset expression.
_KC_KOLOMMEN = (
    "id, gemeente, kanaal, onderwerp, vertrouwelijk, taal, plaatsgevonden_op, afhandeling, "
    "geregistreerd_door, geregistreerd_door_naam, geregistreerd_door_medewerker, "
    "geregistreerd_op, onderwerpobjecten, bron, dag, week, afdeling"
)
_CV_KOLOMMEN = (
    "id, gemeente, klantcontact_id, gevraagde_handeling, toelichting, status, urgentie, "
    "afdeling, toegewezen_op, deadline, escalatie_gepland, te_plannen, afgehandeld_op, "
    "aangemaakt_door, aangemaakt_op, bron, doorlooptijd_seconden, doorlooptijd_werkseconden, "
    "binnen_termijn"
)


def _sqlite_vul(conn: object, n: int) -> None:
    c = conn  # type: ignore[assignment]
    c.execute(  # type: ignore[attr-defined]
        text(f"""
        WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n)
        INSERT INTO klantcontacten ({_KC_KOLOMMEN})
        SELECT printf('kc-%010d', i), '{GEMEENTE}',
          CASE i % 4 WHEN 0 THEN 'telefoon' WHEN 1 THEN 'e-mail' WHEN 2 THEN 'balie' ELSE 'chat' END,
          'Vraag', 0, 'nld', datetime('2026-01-01 08:00:00', '+' || (i % 365) || ' days'),
          CASE WHEN i % 100 < 70 THEN 'direct' WHEN i % 100 < 82 THEN 'doorverbonden'
               ELSE 'contactverzoek' END,
          'agent', 'Agent', 'mw-' || (i % 50), datetime('2026-01-01 08:00:00'), '[]', 'hub',
          date('2026-01-01', '+' || (i % 365) || ' days'),
          strftime('%Y-W%W', date('2026-01-01', '+' || (i % 365) || ' days')),
          CASE WHEN i % 100 < 70 THEN NULL ELSE 'Afdeling ' || (i % 5) END
        FROM s
        """),
        {"n": n},
    )
    c.execute(  # type: ignore[attr-defined]
        text(f"""
        INSERT INTO contactverzoeken ({_CV_KOLOMMEN})
        SELECT 'cv-' || substr(id, 4), gemeente, id, 'Terugbellen', 'Graag terugbellen',
          CASE WHEN rowid % 4 = 0 THEN 'te_verwerken' ELSE 'verwerkt' END, 'normaal', afdeling,
          plaatsgevonden_op, datetime(plaatsgevonden_op, '+2 days'), 0, 0,
          CASE WHEN rowid % 4 = 0 THEN NULL ELSE datetime(plaatsgevonden_op, '+' || (rowid % 97) || ' hours') END,
          'agent', plaatsgevonden_op, 'hub',
          CASE WHEN rowid % 4 = 0 THEN NULL ELSE (rowid % 97) * 3600 END,
          CASE WHEN rowid % 4 = 0 THEN NULL ELSE (rowid % 97) * 1200 END,
          CASE WHEN rowid % 4 = 0 THEN NULL ELSE (rowid % 97) <= 48 END
        FROM klantcontacten WHERE afhandeling = 'contactverzoek'
        """)
    )
    c.execute(text("ANALYZE"))  # type: ignore[attr-defined]


def _pg_vul(conn: object, n: int) -> None:
    c = conn  # type: ignore[assignment]
    c.execute(  # type: ignore[attr-defined]
        text(f"""
        INSERT INTO klantcontacten ({_KC_KOLOMMEN})
        SELECT 'kc-' || lpad(i::text, 10, '0'), '{GEMEENTE}',
          (ARRAY['chat', 'telefoon', 'e-mail', 'balie'])[i % 4 + 1],
          'Vraag', false, 'nld', timestamptz '2026-01-01 08:00:00+00' + (i % 365) * interval '1 day',
          CASE WHEN i % 100 < 70 THEN 'direct' WHEN i % 100 < 82 THEN 'doorverbonden'
               ELSE 'contactverzoek' END,
          'agent', 'Agent', 'mw-' || (i % 50), timestamptz '2026-01-01 08:00:00+00', '[]', 'hub',
          to_char(date '2026-01-01' + (i % 365), 'YYYY-MM-DD'),
          to_char(date '2026-01-01' + (i % 365), 'IYYY-"W"IW'),
          CASE WHEN i % 100 < 70 THEN NULL ELSE 'Afdeling ' || (i % 5) END
        FROM generate_series(1, :n) AS i
        """),
        {"n": n},
    )
    c.execute(  # type: ignore[attr-defined]
        text(f"""
        INSERT INTO contactverzoeken ({_CV_KOLOMMEN})
        SELECT 'cv-' || substr(id, 4), gemeente, id, 'Terugbellen', 'Graag terugbellen',
          CASE WHEN k % 4 = 0 THEN 'te_verwerken' ELSE 'verwerkt' END, 'normaal', afdeling,
          plaatsgevonden_op, plaatsgevonden_op + interval '2 days', false, false,
          CASE WHEN k % 4 = 0 THEN NULL ELSE plaatsgevonden_op + (k % 97) * interval '1 hour' END,
          'agent', plaatsgevonden_op, 'hub',
          CASE WHEN k % 4 = 0 THEN NULL ELSE (k % 97) * 3600 END,
          CASE WHEN k % 4 = 0 THEN NULL ELSE (k % 97) * 1200 END,
          CASE WHEN k % 4 = 0 THEN NULL ELSE (k % 97) <= 48 END
        FROM (SELECT *, row_number() OVER () AS k FROM klantcontacten
              WHERE afhandeling = 'contactverzoek') AS kc
        """)
    )
    c.execute(text("ANALYZE"))  # type: ignore[attr-defined]


def _tijd(f: Callable[[], object], herhalingen: int = 3) -> float:
    beste = float("inf")
    for _ in range(herhalingen):
        start = time.perf_counter()
        f()
        beste = min(beste, time.perf_counter() - start)
    return beste


def meet(naam: str, url: str, n: int, vul: Callable[[object, int], None]) -> None:
    upgrade(url)
    store = Store(make_engine(url))
    start = time.perf_counter()
    with store.engine.begin() as conn:
        vul(conn, n)
    print(f"\n{naam}: {n:,} klantcontacten generated in {time.perf_counter() - start:.1f} s")

    def telling() -> object:
        with store.engine.connect() as conn:
            return conn.execute(
                text(
                    "SELECT COUNT(*) FROM klantcontacten WHERE gemeente = :g AND dag BETWEEN :v AND :t"
                ),
                {"g": GEMEENTE, "v": PERIODE.van.isoformat(), "t": PERIODE.tot.isoformat()},
            ).scalar()

    basis = _tijd(telling)
    print(f"  baseline COUNT(*) over the period: {basis * 1000:9.1f} ms")
    for groepering in Groepering:
        t = _tijd(
            lambda g=groepering: rapportage(  # type: ignore[misc]
                store, GEMEENTE, PERIODE, g, norm_direct_procent=80, nu=NU
            ),
            herhalingen=2,
        )
        print(
            f"  rapportage groepeer={groepering.value:<10} {t * 1000:9.1f} ms   ratio {t / basis:6.1f}x"
        )
    store.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--klantcontacten", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        meet("SQLite", f"sqlite:///{tmp}/bench.sqlite3", args.klantcontacten, _sqlite_vul)
    admin_url = os.environ.get("DATABASE_URL_TEST")
    if not admin_url:
        print("\nPostgreSQL: skipped (set DATABASE_URL_TEST)")
        return
    base = make_url(admin_url)
    naam = f"kcc_bench_{secrets.token_hex(4)}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{naam}"'))
    try:
        url = base.set(database=naam).render_as_string(hide_password=False)
        meet("PostgreSQL", url, args.klantcontacten, _pg_vul)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
