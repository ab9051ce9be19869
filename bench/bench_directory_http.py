"""Directory search through the whole API: in-process latency, and HTTP req/s for 1 and 2 workers.

One synthetic directory (``bench/directory_setup.py``, default 20,000 medewerkers) and a
query mix as agents type it (``QUERY_MIX``). Measured in one run:

* in-process (the ASGI app called directly, no sockets): p50/p99 per request of the mix
  with the answer cache emptied before every request (``uncached``) and with it warm
  (``cached``), on SQLite and on PostgreSQL (``--pg`` or ``DATABASE_URL_TEST``);
* over HTTP: ``kcc-hub serve --workers 1`` and ``--workers 2`` under ``wrk`` (or, without
  wrk, the asyncio client below), the cached mix: req/s, p50/p99, and the server's CPU time
  per request. Req/s on this shared machine depends on what else runs; CPU ms per request
  does much less, so the bench also prints the capacity it implies for two free cores.
* the ceiling of server and load generator together: the same client against ``/livez``,
  the in-run baseline the req/s are put against.

    .venv/bin/python bench/bench_directory_http.py [--medewerkers 20000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.directory_setup import QUERY_MIX, URL, prepare  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def paths() -> list[str]:
    return [f"{URL}?zoek={quote(q)}" for q in QUERY_MIX]


# ------------------------------------------------------------------ in-process
async def _asgi_get(app: Any, path: str, token: str) -> int:
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def in_process(database_url: str | None, medewerkers: int, rounds: int) -> dict[str, float]:
    from hub.api.app import create_app
    from hub.directory.zoekcache import cache_for
    from hub.runtime import Runtime

    with tempfile.TemporaryDirectory(prefix="kcc-bench-dir-") as tmp:
        prepared = prepare(Path(tmp), database_url, medewerkers)
        rt = Runtime.build(config_dir=prepared.config, database_url=prepared.database_url)
        app = create_app(rt)
        cache = cache_for(rt.store)
        loop = asyncio.new_event_loop()
        results: dict[str, float] = {}
        try:
            for path in paths():  # warm up: connections, statement caches
                assert loop.run_until_complete(_asgi_get(app, path, prepared.token)) == 200
            for label, emptied in (("uncached", True), ("cached", False)):
                times, cpu = [], []
                for _ in range(rounds):
                    for path in paths():
                        if emptied:
                            cache._entries.clear()
                        started, started_cpu = time.perf_counter(), time.process_time()
                        status = loop.run_until_complete(_asgi_get(app, path, prepared.token))
                        times.append((time.perf_counter() - started) * 1000)
                        # The process's CPU (the route runs in a pool thread): what a busy
                        # machine does not inflate the way it inflates wall time.
                        cpu.append((time.process_time() - started_cpu) * 1000)
                        assert status == 200, status
                results[f"{label} p50"] = statistics.median(times)
                results[f"{label} p99"] = percentile(times, 0.99)
                results[f"{label} cpu p50"] = statistics.median(cpu)
                results[f"{label} cpu p99"] = percentile(cpu, 0.99)
        finally:
            loop.close()
            rt.store.engine.dispose()
    return results


# ------------------------------------------------------------------ over HTTP
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / CLOCK_TICKS


def _tree(pid: int) -> list[int]:
    found = [pid]
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        found.extend(_tree(int(child)))
    return found


async def _client(
    port: int, targets: list[str], token: str, seconds: float, conns: int
) -> dict[str, float]:
    """Keep-alive HTTP/1.1 GETs round-robin over ``targets``, ``conns`` connections at once."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    requests = [
        (f"GET {t} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n").encode()
        for t in targets
    ]

    async def one(offset: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        i = offset
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            writer.write(requests[i % len(requests)])
            head = await reader.readuntil(b"\r\n\r\n")
            match = re.search(rb"(?i)content-length:\s*(\d+)", head)
            await reader.readexactly(int(match.group(1)) if match else 0)
            latencies.append((time.perf_counter() - started) * 1000)
            i += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(conns)))
    elapsed = time.perf_counter() - started
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 0.99),
        "requests": len(latencies),
    }


def _wrk(port: int, targets: list[str], token: str, seconds: float, conns: int) -> dict[str, float]:
    quoted = ",".join(f'"{t}"' for t in targets)
    script = (
        f"local paths = {{{quoted}}}\nlocal i = 0\n"
        "request = function()\n  i = i + 1\n"
        f'  return wrk.format("GET", paths[(i % #paths) + 1], '
        f'{{["Authorization"] = "Bearer {token}"}})\nend\n'
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{conns}", f"-d{int(seconds)}s", "--latency", "-s", f.name,
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(f.name)

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": ms("50%"),
        "p99": ms("99%"),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
    }


def load(port: int, targets: list[str], token: str, seconds: float, conns: int) -> dict[str, float]:
    if shutil.which("wrk"):
        return _wrk(port, targets, token, seconds, conns)
    return asyncio.run(_client(port, targets, token, seconds, conns))


def _wait_ready(port: int, process: subprocess.Popen[bytes], workers: int, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"serve exited: {log.read_text()[-2000:]}")
        if log.read_text().count("Application startup complete") >= workers:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                pass
        time.sleep(0.5)
    raise SystemExit("serve did not start within 180 s")


def over_http(
    prepared: Any, workers: int, seconds: float, conns: int, workdir: Path
) -> dict[str, float]:
    port = _free_port()
    log = workdir / f"serve-{workers}.log"
    env = {**os.environ, **prepared.env}  # INFO: the workers say when they have started
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(REPO / ".venv" / "bin" / "kcc-hub"), "serve", "--port", str(port),
             "--workers", str(workers)],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        _wait_ready(port, process, workers, log)
        targets = paths()
        load(port, targets, prepared.token, 2, conns)  # warm: every worker caches the mix
        pids = _tree(process.pid)
        cpu_before = _cpu_seconds(pids)
        result = load(port, targets, prepared.token, seconds, conns)
        result["cpu_ms"] = (_cpu_seconds(pids) - cpu_before) * 1000 / max(1, result["requests"])
        result["ceiling"] = load(port, ["/livez"], prepared.token, seconds / 2, conns)["rps"]
        return result
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--medewerkers", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=10, help="In-process rounds of the mix.")
    parser.add_argument("--pg", default=os.environ.get("DATABASE_URL_TEST"))
    args = parser.parse_args()
    print(f"{args.medewerkers} medewerkers, query mix of {len(QUERY_MIX)}; load: {os.getloadavg()}")
    stores: list[tuple[str, str | None]] = [("sqlite", None)]
    if args.pg:
        stores.append(("postgresql", args.pg))
    for name, admin_url in stores:
        url = _fresh_pg(admin_url) if admin_url is not None else None
        try:
            r = in_process(url, args.medewerkers, args.rounds)
        finally:
            if url is not None:
                _drop_pg(url)
        for label in ("uncached", "cached"):
            print(
                f"in-process {name:10} {label:8}  wall p50 {r[label + ' p50']:7.2f} ms  p99 "
                f"{r[label + ' p99']:7.2f} ms   CPU p50 {r[label + ' cpu p50']:6.2f} ms  p99 "
                f"{r[label + ' cpu p99']:6.2f} ms"
            )
    with tempfile.TemporaryDirectory(prefix="kcc-bench-http-") as tmp:
        prepared = prepare(Path(tmp), None, args.medewerkers)
        print(f"HTTP, SQLite, {'wrk' if shutil.which('wrk') else 'asyncio client'}, "
              f"{args.connections} connections, {args.seconds:.0f} s per run")  # fmt: skip
        rps = {}
        for workers in (1, 2):
            r = over_http(prepared, workers, args.seconds, args.connections, Path(tmp))
            rps[workers] = r["rps"]
            capacity = 2000 / r["cpu_ms"]
            print(
                f"  --workers {workers}: {r['rps']:7.0f} req/s  p50 {r['p50']:6.1f} ms  p99 "
                f"{r['p99']:7.1f} ms  server CPU {r['cpu_ms']:.2f} ms/req (= {capacity:.0f} req/s "
                f"on 2 free cores)  /livez of the same server {r['ceiling']:.0f} req/s"
            )
        print(f"load after: {os.getloadavg()}")
        print(f"summary: directory req/s, 2 workers / 1 worker = {rps[2] / rps[1]:.2f}")


def _fresh_pg(admin_url: str) -> str:
    import secrets

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"kcc_bench_{secrets.token_hex(4)}"
    admin = create_engine(
        make_url(admin_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_pg(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


if __name__ == "__main__":
    main()
