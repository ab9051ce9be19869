"""Directory benchmark: hub store search next to a live LDAP ``anr`` search, and sync times.

One run against one throw-away Samba AD DC (plugins/ad/double/samba.py) holding
N generated medewerkers (default 20,000):

* p50/p99 of ``hub.directory.search`` on the store (SQLite; PostgreSQL too when
  ``DATABASE_URL_TEST`` is set) next to p50/p99 of a live ``anr`` search over
  LDAPS on one open connection, and their ratio;
* the time of a full sync (LDAP paged read + store writes, as the runner does it);
* the time of an incremental sync after 100 changes (adds, modifies, disables,
  deletes, moves).

Needs root (or an installed Samba). Usage: ``python bench/bench_directory.py [--medewerkers N]``.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import ldap3
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hub.directory
from hub.directory.sink import apply_batch, finish_full
from hub.store.base import utcnow
from hub.store.db import Store, make_engine
from plugins.ad.client import AdClient
from plugins.ad.config import AdSettings
from plugins.ad.double.samba import (
    BASE_DN,
    UAC_DISABLED,
    add_people,
    add_people_parallel,
    make_people,
    samba_dc,
    user_dn,
)
from plugins.ad.sync import sync_medewerkers
from plugins.ad.tests.directory_store import create_directory_tables

GEMEENTE = "9999"
OU = f"OU=Medewerkers,OU=Gemeente,{BASE_DN}"
PASSWORD_ENV = "KCC_BENCH_AD_PASSWORD"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(q * (len(ordered) - 1)))
    return ordered[index]


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def run_sync(
    store: Store, settings: AdSettings, since: dict[str, object] | None
) -> tuple[dict[str, object], float]:
    """What the hub's sync runner does: one transaction per batch, finish_full after a full run.

    Returns the checkpoint and the seconds spent writing the store (the rest is LDAP).
    """
    started = utcnow()
    checkpoint: dict[str, object] | None = None
    full = False
    writing = 0.0
    for batch in sync_medewerkers(settings, since, False):
        t0 = time.perf_counter()
        with store.session() as session:
            apply_batch(session, GEMEENTE, batch, started)
        writing += time.perf_counter() - t0
        full = full or batch.full
        if batch.checkpoint is not None:
            checkpoint = dict(batch.checkpoint)
    if full:
        t0 = time.perf_counter()
        with store.session() as session:
            finish_full(session, GEMEENTE, started)
        writing += time.perf_counter() - t0
    assert checkpoint is not None
    return checkpoint, writing


def queries_from(people: list, count: int, seed: int = 1) -> list[str]:  # type: ignore[type-arg]
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        p = rng.choice(people)
        kind = rng.randrange(4)
        if kind == 0:
            out.append(p.achternaam)
        elif kind == 1:
            out.append(f"{p.voornaam} {p.sn}")
        elif kind == 2:
            out.append(p.achternaam[:3])
        else:
            out.append(p.sam)
    return out


def pg_store() -> tuple[Store, Callable[[], None]] | None:
    admin_url = os.environ.get("DATABASE_URL_TEST")
    if not admin_url:
        return None
    base = make_url(admin_url)
    name = f"kcc_bench_ad_{secrets.token_hex(4)}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(base.set(database=name).render_as_string(hide_password=False))
    create_directory_tables(engine)

    def drop() -> None:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return Store(engine), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--medewerkers", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()

    rows: list[tuple[str, str]] = []
    with samba_dc() as dc, tempfile.TemporaryDirectory() as tmp:
        os.environ[PASSWORD_ENV] = dc.admin_password
        people = make_people(args.medewerkers, seed=20)
        t0 = time.perf_counter()
        add_people_parallel(dc, people, OU)
        create_s = time.perf_counter() - t0
        print(f"created {len(people)} medewerkers in Samba in {create_s:.1f} s", flush=True)

        settings = AdSettings.model_validate(
            {
                "servers": [dc.host],
                "tls": "ldaps",
                "ca_file": str(dc.tls.ca_file),
                "bind_user": "Administrator@gemeente.test",
                "bind_password": "${" + PASSWORD_ENV + "}",
                "search_bases": [f"OU=Gemeente,{BASE_DN}"],
                "receive_timeout_seconds": 120,
            }
        )
        stores: list[tuple[str, Store]] = []
        sqlite_engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        create_directory_tables(sqlite_engine)
        stores.append(("SQLite", Store(sqlite_engine)))
        pg = pg_store()
        if pg is not None:
            stores.append(("PostgreSQL", pg[0]))

        checkpoints: dict[str, dict[str, object]] = {}
        for label, store in stores:
            started = time.perf_counter()
            checkpoints[label], writing = run_sync(store, settings, None)
            total = time.perf_counter() - started
            rows.append(
                (
                    f"full sync ({label}), {len(people)} medewerkers",
                    f"{total:8.2f} s (store writes {writing:.2f} s)",
                )
            )

        queries = queries_from(people, args.queries)
        results: dict[str, list[float]] = {}
        for label, store in stores:
            for q in queries[:20]:  # warm-up
                with store.session() as session:
                    hub.directory.search(session, GEMEENTE, q, limit=20)
            times = []
            for q in queries:

                def one(q: str = q, store: Store = store) -> None:
                    with store.session() as session:
                        hub.directory.search(session, GEMEENTE, q, limit=20)

                times.append(timed(one))
            results[f"hub store search ({label})"] = times

        with AdClient(settings).connect() as conn:
            for q in queries[:20]:
                conn.search_anr(q, 20)
            results["live LDAP anr search (LDAPS, open connection)"] = [
                timed(lambda q=q: conn.search_anr(q, 20)) for q in queries
            ]

        # 100 changes: 40 modified, 20 added, 15 disabled, 15 deleted, 10 moved.
        rng = random.Random(7)
        sample = rng.sample(range(len(people)), 80)
        extra = make_people(20, seed=99, prefix="x")
        with dc.connection() as c:
            for i in sample[:40]:
                c.modify(
                    user_dn(people[i], OU), {"title": [(ldap3.MODIFY_REPLACE, ["Teamleider"])]}
                )
            add_people(c, extra, OU)
            for i in sample[40:55]:
                c.modify(
                    user_dn(people[i], OU),
                    {"userAccountControl": [(ldap3.MODIFY_REPLACE, [str(UAC_DISABLED)])]},
                )
            for i in sample[55:70]:
                c.delete(user_dn(people[i], OU))
            moved_ou = f"OU=Verhuisd,OU=Gemeente,{BASE_DN}"
            c.add(moved_ou, ["top", "organizationalUnit"])
            for i in sample[70:80]:
                dn = user_dn(people[i], OU)
                c.modify_dn(dn, dn.split(",", 1)[0], new_superior=moved_ou)
        for label, store in stores:
            started = time.perf_counter()
            _checkpoint, writing = run_sync(store, settings, checkpoints[label])
            total = time.perf_counter() - started
            rows.append(
                (
                    f"incremental sync ({label}), 100 changes",
                    f"{total:8.2f} s (store writes {writing:.2f} s)",
                )
            )

        live = results["live LDAP anr search (LDAPS, open connection)"]
        print()
        print(f"{'measurement':<58} {'p50':>10} {'p99':>10}")
        print("-" * 80)
        for name, times in results.items():
            print(f"{name:<58} {percentile(times, 0.5):8.2f}ms {percentile(times, 0.99):8.2f}ms")
        summary = []
        for name, times in results.items():
            if name.startswith("hub"):
                print(
                    f"{'ratio live anr / ' + name:<58} "
                    f"{percentile(live, 0.5) / percentile(times, 0.5):9.1f}x "
                    f"{percentile(live, 0.99) / percentile(times, 0.99):9.1f}x"
                )
                summary.append(
                    f"summary: hub / live LDAP search, p50 ({name}) = "
                    f"{percentile(times, 0.5) / percentile(live, 0.5):.3f} "
                    f"({percentile(times, 0.5):.2f} ms / {percentile(live, 0.5):.2f} ms)"
                )
        print("-" * 80)
        for name, value in rows:
            print(f"{name:<48} {value:>31}")
        print(f"{'queries per measurement':<58} {len(queries):>21}")
        print("\n".join(summary))
        if pg is not None:
            pg[1]()


if __name__ == "__main__":
    main()
