"""Objects API facade: listing N medewerkers page by page (as KISS's Elastic sync does).

One run, per store (SQLite; PostgreSQL too when ``DATABASE_URL_TEST`` is set):

* the directory holds N synthetic medewerkers (default 20,000) with groups, memberships
  and stored availability, written through the sync sinks as an AD sync would;
* ``GET …/objecten/api/v2/objects?type=<medewerker>&pageSize=P`` walked from page 1 to the
  end by following ``next``: p50/p99 per page, total time;
* memory per page: tracemalloc's peak while serving one page, for the first and the last
  tenth of the walk (constant memory means the last pages cost what the first did), and
  the process's peak RSS before and after the walk;
* baseline in the same run: the hub's own ``GET …/medewerkers?zoek=…`` (20 per page),
  p50/p99, and the ratio of the facade's page time to it.

Usage: ``python bench/bench_objecten.py [--medewerkers N] [--page-size P]``.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import secrets
import shutil
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from hub.api.app import create_app  # noqa: E402
from hub.auth import issue_dev_token  # noqa: E402
from hub.beschikbaarheid import upsert  # noqa: E402
from hub.domain.beschikbaarheid import (  # noqa: E402
    Beschikbaarheid,
    BeschikbaarheidStatus,
    Werktijd,
)
from hub.domain.groepen import Groep, Lidmaatschappen  # noqa: E402
from hub.domain.medewerkers import Medewerker  # noqa: E402
from hub.plugin_api import SyncBatch  # noqa: E402
from hub.runtime import Runtime  # noqa: E402
from hub.store.base import utcnow  # noqa: E402
from hub.store.migrate import upgrade  # noqa: E402
from hub.sync.sinks import sink_for  # noqa: E402
from hub.tenants import AuthSettings  # noqa: E402
from hub.wiring import install_sinks  # noqa: E402
from plugins.ad.double.samba import make_people  # noqa: E402

GEMEENTE = "9999"
TOKEN = "bench-objecten-token-" + "t" * 24
TYPE = "https://objecttypen.bench.test/api/v2/objecttypes/" + str(uuid.UUID(int=7))
BATCH = 1000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def gemeente_toml() -> str:
    return f"""naam = "Bench"
[plugins.ad]
servers = ["127.0.0.1:1"]
tls = "none"
bind_user = "bench@gemeente.test"
bind_password = "${{KCC_BENCH_NOT_USED}}"
search_bases = ["OU=Gemeente,DC=gemeente,DC=test"]
[[doelen]]
code = "kcc-identificatie"
omschrijving = "bench"
verwerkingsactiviteit = "https://register.bench.test/1"
rollen = ["kcc-medewerker", "backoffice"]
[objecten.objecttypen]
medewerker = "{TYPE}"
[[objecten.clients]]
naam = "kiss"
token = "${{KCC_BENCH_OBJECTEN_TOKEN}}"
"""


def finish(runtime: Runtime, started: datetime) -> None:
    """What the sync runner does when a full run ends (and what refreshes the statistics)."""
    with runtime.store.session() as session:
        for kind in ("medewerkers", "groepen", "lidmaatschappen"):
            finish_full = sink_for(kind).finish_full
            if finish_full is not None:
                finish_full(session, GEMEENTE, started)


def seed(runtime: Runtime, count: int) -> None:
    """N medewerkers, 60 groups, 1-3 memberships each, availability with working hours."""
    rng = random.Random(5)
    people = make_people(count, seed=21)
    groepen = [
        Groep(id=str(uuid.UUID(int=0xB000 + i)), naam=f"Team {i:02d}", identificatie=f"T{i}")
        for i in range(60)
    ]
    started = utcnow()
    nu = datetime.now(UTC)

    def apply(kind: str, **batch: object) -> None:
        with runtime.store.session() as session:
            sink_for(kind).apply(session, GEMEENTE, SyncBatch(kind=kind, **batch), started)  # type: ignore[arg-type]

    apply("groepen", upserts=groepen, full=True)
    for start in range(0, count, BATCH):
        chunk = people[start : start + BATCH]
        medewerkers = [
            Medewerker(
                id=str(uuid.UUID(int=0xA0000000 + start + i)),
                account_naam=p.sam,
                weergavenaam=p.display_name,
                voornaam=p.voornaam,
                achternaam=p.sn,
                afdeling=p.afdeling,
                functie=p.functie,
                telefoonnummer=p.telefoon,
                mobiel=p.mobiel,
                email=p.mail,
                kamer=p.kamer,
                expertise=list(p.expertise),
            )
            for i, p in enumerate(chunk)
        ]
        apply("medewerkers", upserts=medewerkers, full=True)
        leden = [
            Lidmaatschappen(
                lid=m.id, groepen=[g.id for g in rng.sample(groepen, rng.randint(1, 3))]
            )
            for m in medewerkers
        ]
        apply("lidmaatschappen", upserts=leden, full=True)
        werktijden = [Werktijd(dagen=[1, 2, 3, 4, 5], van="08:30", tot="17:00")]
        with runtime.store.session() as session:
            upsert(
                session,
                GEMEENTE,
                [
                    Beschikbaarheid(
                        email=m.email or "",
                        status=BeschikbaarheidStatus.VRIJ,
                        volgend_vrij_moment=nu,
                        peilmoment=nu,
                        werktijden=werktijden,
                    )
                    for m in medewerkers
                ],
                nu,
                venster_tot=nu + timedelta(hours=96),
            )
    finish(runtime, started)
    if runtime.store.engine.dialect.name == "postgresql":
        # A running hub's tables have been analysed by autovacuum long since; a freshly
        # seeded one has not, and the availability table would be read by a poor plan.
        with runtime.store.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()


@contextmanager
def hub_on(url: str, tmp: Path) -> Iterator[TestClient]:
    config = tmp / "config"
    shutil.rmtree(config, ignore_errors=True)
    (config / "gemeenten").mkdir(parents=True)
    shutil.copy(REPO / "config" / "hub.toml", config / "hub.toml")
    (config / "privacy").mkdir()
    shutil.copy(REPO / "config" / "privacy" / "masking.toml", config / "privacy" / "masking.toml")
    (config / "gemeenten" / f"{GEMEENTE}.toml").write_text(gemeente_toml(), encoding="utf-8")
    upgrade(url)
    runtime = Runtime.build(config_dir=config, database_url=url)
    try:
        with TestClient(create_app(runtime)) as client:
            client.app_state = runtime  # type: ignore[attr-defined]
            yield client
    finally:
        runtime.store.engine.dispose()


def walk(client: TestClient, page_size: int, traced: bool) -> tuple[list[float], list[int], int]:
    """Every page by ``next``: (ms per page, tracemalloc peak bytes per page, records)."""
    headers = {"Authorization": f"Token {TOKEN}"}
    path = f"/api/v1/gemeenten/{GEMEENTE}/objecten/api/v2/objects"
    params: dict[str, object] | None = {"type": TYPE, "pageSize": page_size}
    times: list[float] = []
    peaks: list[int] = []
    records = 0
    while True:
        if traced:
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
        started = time.perf_counter()
        response = client.get(path, params=params, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        if traced:
            peaks.append(tracemalloc.get_traced_memory()[1] - base)
        assert response.status_code == 200, response.text[:300]
        body = response.json()
        records += len(body["results"])
        if body["next"] is None:
            return times, peaks, records
        parts = urlsplit(body["next"])
        path, params = f"{parts.path}?{parts.query}", None


def search_baseline(client: TestClient, queries: list[str]) -> list[float]:
    auth = AuthSettings.model_validate({"dev_key": "${KCC_HUB_DEV_KEY}"})
    token = issue_dev_token(auth, subject="bench", gemeenten=[GEMEENTE], roles=["kcc-medewerker"])
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/gemeenten/{GEMEENTE}/medewerkers"
    for q in queries[:20]:
        client.get(path, params={"zoek": q}, headers=headers)
    times = []
    for q in queries:
        started = time.perf_counter()
        response = client.get(path, params={"zoek": q}, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text[:300]
    return times


def pg_url() -> tuple[str, Callable[[], None]] | None:
    admin_url = os.environ.get("DATABASE_URL_TEST")
    if not admin_url:
        return None
    base = make_url(admin_url)
    name = f"kcc_bench_objecten_{secrets.token_hex(4)}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    install_sinks()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--medewerkers", type=int, default=20_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("KCC_HUB_DEV_KEY", "bench-dev-key-" + "k" * 40)
    os.environ["KCC_BENCH_OBJECTEN_TOKEN"] = TOKEN
    os.environ.setdefault(
        "KCC_LOGBOEK_HMAC_SLEUTEL", "YmVuY2gtaG1hYy1zbGV1dGVsLTMyLWJ5dGVzLS0tLS0="
    )
    os.environ.setdefault(
        "KCC_LOGBOEK_ENCRYPTIE_SLEUTEL", "YmVuY2gtYWVzLXNsZXV0ZWwtMzItYnl0ZXMtLS0tLS0="
    )
    os.environ["KCC_HUB_LOAD_PLUGINS"] = "ad"

    rng = random.Random(3)
    people = make_people(args.medewerkers, seed=21)
    queries = [
        rng.choice((p.achternaam, p.voornaam + " " + p.sn, p.achternaam[:3]))
        for p in rng.sample(people, min(args.queries, len(people)))
    ]
    stores: list[tuple[str, str, Callable[[], None] | None]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        stores.append(("SQLite", f"sqlite:///{tmp / 'bench.sqlite3'}", None))
        pg = pg_url()
        if pg is not None:
            stores.append(("PostgreSQL", pg[0], pg[1]))
        for label, url, drop in stores:
            try:
                with hub_on(url, tmp) as client:
                    t0 = time.perf_counter()
                    seed(client.app_state, args.medewerkers)  # type: ignore[attr-defined]
                    print(
                        f"[{label}] seeded {args.medewerkers} medewerkers in "
                        f"{time.perf_counter() - t0:.1f} s",
                        flush=True,
                    )
                    rss_before = rss_mb()
                    t0 = time.perf_counter()
                    times, _, records = walk(client, args.page_size, traced=False)
                    total = time.perf_counter() - t0
                    rss_after = rss_mb()
                    tracemalloc.start()
                    _, peaks, _ = walk(client, args.page_size, traced=True)
                    tracemalloc.stop()
                    baseline = search_baseline(client, queries)
            finally:
                if drop is not None:
                    drop()
            tenth = max(1, len(peaks) // 10)
            first = sum(peaks[:tenth]) / tenth / 1024
            last = sum(peaks[-tenth:]) / tenth / 1024
            p50, p99 = percentile(times, 0.5), percentile(times, 0.99)
            b50, b99 = percentile(baseline, 0.5), percentile(baseline, 0.99)
            print(
                f"\n== {label}: {records} medewerkers, pageSize {args.page_size}, {len(times)} pages"
            )
            print(
                f"  objecten page         p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  walk {total:6.1f} s"
            )
            print(
                f"  medewerkers search    p50 {b50:7.1f} ms  p99 {b99:7.1f} ms  ({len(baseline)} queries)"
            )
            print(f"  ratio page/search     p50 {p50 / b50:7.1f}x    p99 {p99 / b99:7.1f}x")
            print(
                f"  page time             first tenth p50 {percentile(times[:tenth], 0.5):6.1f} ms"
                f"  last tenth p50 {percentile(times[-tenth:], 0.5):6.1f} ms"
            )
            print(
                f"  per-page memory peak  first tenth {first:8.0f} KiB  last tenth {last:8.0f} KiB"
                f"  (ratio {last / first:.2f})"
            )
            print(
                f"  peak RSS              before walk {rss_before:6.0f} MiB  after {rss_after:6.0f} MiB"
            )


if __name__ == "__main__":
    main()
