"""Overhead of the privacy pipeline per person lookup, against the bare upstream call.

Each lookup goes through ``hub.privacy.pipeline.lookup_personen`` with the real
BRP plugin talking to the Haal Centraal test double. The upstream call inside
the lookup is timed separately, so every lookup yields a pair:

* upstream: the bare plugin call (HTTP to the double, spec validation in the double)
* overhead: everything else — body validation, doelbinding, deriving ``fields``,
  masking, and the durable logboek write (keyed hash, AES-GCM, hash chain, commit)

Printed per store (SQLite file; PostgreSQL when ``DATABASE_URL_TEST`` or ``--pg``
is given): p50 and p99 of both, and overhead as a ratio of the upstream call.

``--fsync-diagnostic`` adds, per store, the same run with the commit's flush to disk
switched off (SQLite ``synchronous=OFF``, PostgreSQL ``synchronous_commit=off``), labelled as
a diagnostic: the difference is what the durable commit waits for on this disk. The hub
never runs like that — a released answer must be logged durably.

The double runs in its own process (as an upstream would), so its request and
response validation does not compete with the hub for the interpreter lock.

    .venv/bin/python bench/bench_privacy.py [-n 400] [--pg postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, event, text  # noqa: E402

from hub.caller import Caller  # noqa: E402
from hub.pluginmanager import PluginHost, load_plugins  # noqa: E402
from hub.privacy.logboek import chain as logboek_chain  # noqa: E402
from hub.privacy.logboek import tables as logboek_tables  # noqa: E402
from hub.privacy.pipeline import lookup_personen  # noqa: E402
from hub.privacy.settings import privacy_for  # noqa: E402
from hub.store.base import Base  # noqa: E402
from hub.store.db import Store, make_engine  # noqa: E402
from hub.tenants import load_tenants  # noqa: E402

BSNS = ["999993653", "999994529", "999999102"]
CALLER = Caller(
    subject="bench-medewerker",
    display_name="Bench",
    roles=frozenset({"kcc-medewerker"}),
    gemeenten=frozenset({"9999"}),
    client_id="bench",
)
TABLES = [
    logboek_tables.LogboekRecord.__table__,
    logboek_tables.LogboekBetrokkene.__table__,
    logboek_tables.LogboekKeten.__table__,
    logboek_tables.LogboekCheckpoint.__table__,
    logboek_tables.LogboekPurgeVergunning.__table__,
]


class TimedHost:
    """Wraps the PluginHost and times the upstream call inside each lookup (wall and CPU)."""

    def __init__(self, host: PluginHost) -> None:
        self.host = host
        self.last = 0.0
        self.last_cpu = 0.0

    def first(self, gemeente: str, hook: str, **kwargs: Any) -> Any:
        started, started_cpu = time.perf_counter(), time.thread_time()
        try:
            return self.host.first(gemeente, hook, **kwargs)
        finally:
            self.last = time.perf_counter() - started
            self.last_cpu = time.thread_time() - started_cpu


def _config(directory: Path, base_url: str) -> None:
    (directory / "gemeenten").mkdir(parents=True)
    (directory / "privacy").mkdir()
    (directory / "privacy" / "masking.toml").write_bytes(
        (REPO / "config" / "privacy" / "masking.toml").read_bytes()
    )
    (directory / "gemeenten" / "9999.toml").write_text(
        'naam = "Voorbeeldstad"\n'
        '[[doelen]]\ncode = "kcc-identificatie"\nomschrijving = "Beller identificeren"\n'
        'verwerkingsactiviteit = "https://register.voorbeeldstad.nl/verwerkingen/kcc-1"\n'
        'rollen = ["kcc-medewerker", "backoffice"]\n'
        f'[plugins.brp]\nbackend = "haalcentraal"\n[plugins.brp.haalcentraal]\nbase_url = "{base_url}"\n',
        encoding="utf-8",
    )


@contextmanager
def double_process() -> Iterator[str]:
    """``python -m plugins.brp.double`` on a free port; yields its base_url, stops it by pid."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "plugins.brp.double", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if "base_url = " not in line:
            raise RuntimeError("the BRP double did not start")
        yield line.split("base_url = ", 1)[1].strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _no_sync(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


@contextmanager
def sqlite_store(tmp: Path, durable: bool = True) -> Iterator[Store]:
    engine = make_engine(f"sqlite:///{tmp / ('bench.sqlite3' if durable else 'nosync.sqlite3')}")
    if not durable:  # diagnostic only (--fsync-diagnostic)
        event.listen(engine, "connect", _no_sync)
    Base.metadata.create_all(engine, tables=TABLES)
    yield Store(engine)
    engine.dispose()


@contextmanager
def pg_store(url: str, durable: bool = True) -> Iterator[Store]:
    schema = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    options = f"-csearch_path={schema}"
    if not durable:  # diagnostic only (--fsync-diagnostic)
        options += " -csynchronous_commit=off"
    engine = create_engine(url, connect_args={"options": options})
    Base.metadata.create_all(engine, tables=TABLES)
    try:
        yield Store(engine)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(
    store: Store, host: TimedHost, gemeente: Any, n: int
) -> tuple[list[float], list[float], list[float]]:
    """Per lookup: upstream wall time, overhead wall time, overhead CPU time (this thread)."""
    upstream: list[float] = []
    overhead: list[float] = []
    overhead_cpu: list[float] = []
    for i in range(n + 20):
        body = {
            "type": "RaadpleegMetBurgerservicenummer",
            "burgerservicenummer": [BSNS[i % len(BSNS)]],
            "doel": "kcc-identificatie",
        }
        # One lookup per medewerker, as in a KCC: the per-user rate limit is checked, as in
        # production, without one bench user running into it.
        caller = replace(CALLER, subject=f"bench-medewerker-{i}")
        started, started_cpu = time.perf_counter(), time.thread_time()
        lookup_personen(store, host, gemeente, caller, secrets.token_hex(16), body)
        total, total_cpu = time.perf_counter() - started, time.thread_time() - started_cpu
        if i >= 20:  # warm-up: connections, the double's spec loading, caches
            upstream.append(host.last)
            overhead.append(total - host.last)
            overhead_cpu.append(total_cpu - host.last_cpu)
    return upstream, overhead, overhead_cpu


def fsync_floor(directory: Path, n: int = 50) -> float:
    """p50 of one small write + fdatasync in ``directory``: what any durable commit there
    waits for at least (SQLite's WAL commit, and PostgreSQL's on the same disk)."""
    times = []
    with (directory / "fsync-probe").open("ab") as f:
        for _ in range(n):
            started = time.perf_counter()
            f.write(b"x" * 512)
            f.flush()
            os.fdatasync(f.fileno())
            times.append(time.perf_counter() - started)
    return _pct(times, 0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=400, help="lookups per store")
    parser.add_argument("--pg", default=os.environ.get("DATABASE_URL_TEST"))
    parser.add_argument(
        "--fsync-diagnostic",
        action="store_true",
        help="also run each store with the commit's disk flush off (diagnostic, not the product)",
    )
    args = parser.parse_args()
    os.environ.setdefault("KCC_LOGBOEK_HMAC_SLEUTEL", base64.b64encode(os.urandom(32)).decode())
    os.environ.setdefault(
        "KCC_LOGBOEK_ENCRYPTIE_SLEUTEL", base64.b64encode(os.urandom(32)).decode()
    )
    os.environ["KCC_HUB_LOAD_PLUGINS"] = "brp"
    with tempfile.TemporaryDirectory() as tmpdir, double_process() as base_url:
        tmp = Path(tmpdir)
        _config(tmp / "config", base_url)
        loaded = load_plugins()
        tenants = load_tenants(tmp / "config", loaded.settings_models())
        gemeente = tenants.gemeenten["9999"]
        privacy_for(gemeente)  # validate policy and keys once, as start-up does
        host = TimedHost(PluginHost(loaded, tenants.gemeenten, retry_attempts=1))
        stores: list[tuple[str, Any]] = [("sqlite", lambda: sqlite_store(tmp))]
        if args.fsync_diagnostic:
            stores.append(("sqlite-nosync", lambda: sqlite_store(tmp, durable=False)))
        if args.pg:
            stores.append(("postgresql", lambda: pg_store(args.pg)))
            if args.fsync_diagnostic:
                stores.append(("pg-nosync", lambda: pg_store(args.pg, durable=False)))
        else:
            print("postgresql: skipped (set DATABASE_URL_TEST or pass --pg)")
        print(
            f"{args.n} lookups per store, kcc-medewerker, "
            "Haal Centraal double in its own process on loopback"
        )
        print(f"load: {os.getloadavg()}; fdatasync p50 here: {fsync_floor(tmp) * 1000:.2f} ms")
        print(
            f"{'store':<11} {'upstream p50':>13} {'p99':>9} {'overhead p50':>13} {'p99':>9}"
            f" {'ratio p50':>10} {'ratio p99':>10} {'overhead CPU p50':>17}"
        )
        summary: list[str] = []
        for name, factory in stores:
            with factory() as store:
                upstream, overhead, overhead_cpu = run(store, host, gemeente, args.n)
                with store.session() as s:
                    assert logboek_chain.verify(s, privacy_for(gemeente).sleutels).intact
            up50, up99 = _pct(upstream, 0.5), _pct(upstream, 0.99)
            ov50, ov99 = _pct(overhead, 0.5), _pct(overhead, 0.99)
            print(
                f"{name:<11} {up50 * 1000:>10.2f} ms {up99 * 1000:>6.2f} ms"
                f" {ov50 * 1000:>10.2f} ms {ov99 * 1000:>6.2f} ms"
                f" {ov50 / up50:>10.2f} {ov99 / up99:>10.2f}"
                f" {_pct(overhead_cpu, 0.5) * 1000:>14.2f} ms"
            )
            summary.append(
                f"summary: privacy pipeline overhead / bare upstream call ({name}, p50) "
                f"= {ov50 / up50:.2f} (overhead {ov50 * 1000:.1f} ms, of it CPU "
                f"{_pct(overhead_cpu, 0.5) * 1000:.1f} ms)"
            )
            print(
                f"{'':<11} mean upstream {statistics.fmean(upstream) * 1000:.2f} ms, "
                f"mean overhead {statistics.fmean(overhead) * 1000:.2f} ms"
            )
        if args.fsync_diagnostic:
            print(
                "*-nosync: DIAGNOSTIC ONLY, durability off; the gap to the durable line "
                "is the commit's wait for the disk"
            )
        print("\n".join(line for line in summary if "nosync" not in line))


if __name__ == "__main__":
    main()
