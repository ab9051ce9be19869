"""A multi-process hub on loopback for the scale-out run: API processes, workers and a scheduler
as real ``kcc-hub`` commands, on a PostgreSQL database and a Redis server of their own.

Redis is a private ``redis-server`` without persistence (a node that lost its memory), so the
run can kill and restart it; the database is a fresh ``kcc_hub_scale_<random>`` on the shared
server, dropped afterwards. Every port is picked free: no lock on the demo's fixed ports.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from devkit.demo import DEMO_ENV
from hub.store.migrate import upgrade
from tests.support.demo_process import REPO, free_port

STOP_SECONDS = 20.0


def wait_until(predicate: Callable[[], bool], seconds: float, what: str) -> float:
    """Poll ``predicate``; the seconds it took. Fails naming ``what`` after ``seconds``."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"not within {seconds:.0f} s: {what}")
        time.sleep(0.2)
    return time.monotonic() - started


class RedisServer:
    """A private redis-server on a free port that can be killed and started again."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None, "redis-server is not installed"
        options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), *options, "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        wait_until(lambda: _pings(client), 10, "redis-server answers")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def restart(self) -> None:
        """Crash and start again: every queued message and lease in Redis is gone."""
        self.kill()
        self.start()


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@contextlib.contextmanager
def scale_database(admin_url: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database of the run's own, dropped afterwards."""
    base = make_url(admin_url)
    name = f"kcc_hub_scale_{secrets.token_hex(4)}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class HubProcess:
    name: str
    args: list[str]
    log: Path
    proc: subprocess.Popen[bytes]

    def said(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass
class Cluster:
    """The hub's processes; started and stopped like a supervisor would."""

    workdir: Path
    env: dict[str, str]
    processes: dict[str, HubProcess] = field(default_factory=dict)

    def start(self, name: str, *args: str) -> HubProcess:
        log = self.workdir / f"{name}.log"
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "hub", *args],
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = HubProcess(name, list(args), log, proc)
        return self.processes[name]

    def restart(self, name: str) -> HubProcess:
        """Start the process again with the same arguments, as systemd's Restart= does."""
        return self.start(name, *self.processes[name].args)

    def kill_9(self, name: str) -> None:
        proc = self.processes[name].proc
        proc.kill()
        proc.wait()

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.proc.poll() is None:
                process.proc.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.proc.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.proc.pid, signal.SIGKILL)
                process.proc.wait()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.said()[-1500:]}" for p in self.processes.values())

    def wait_for_api(self, name: str, base: str) -> None:
        process = self.processes[name]

        def ready() -> bool:
            assert process.proc.poll() is None, process.said()[-3000:]
            try:
                return httpx.get(f"{base}/livez", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, 90, f"{name} answers")

    def wait_for_log(self, name: str, line: str, count: int = 1, seconds: float = 90) -> None:
        process = self.processes[name]

        def said_it() -> bool:
            assert process.proc.poll() is None, process.said()[-3000:]
            return process.said().count(line) >= count

        wait_until(said_it, seconds, f"{name} says {line!r}")


def cluster_environment(database_url: str, redis_url: str, config: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    return {
        **base,
        **DEMO_ENV,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "KCC_HUB_CONFIG": str(config),
        "PYTHONPATH": str(REPO),
        "KCC_HUB_LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }


def cluster_config(workdir: Path, *, exchange_url: str, fixi_url: str) -> Path:
    """The shipped configuration, gemeente 9999's Exchange and Fixi moved to the run's doubles,
    with a directory plugin (whose domain controller is down)."""
    config = workdir / "config"
    shutil.copytree(REPO / "config", config)
    gemeente = config / "gemeenten" / "9999.toml"
    text_ = gemeente.read_text(encoding="utf-8")
    for old, new in (("http://127.0.0.1:8711", exchange_url), ("http://127.0.0.1:8714", fixi_url)):
        assert old in text_
        text_ = text_.replace(old, new)
    # No domain controller here: the directory is seeded, and the scheduler's directory sync
    # fails fast on a closed port (a DC that is down), which the directory search survives.
    text_ += (
        "\n[plugins.ad]\n"
        f'servers = ["127.0.0.1:{free_port()}"]\n'
        'tls = "starttls"\n'
        'bind_user = "kcc-hub@gemeente.test"\n'
        'bind_password = "${KCC_DEMO_SECRET}"\n'
        'search_bases = ["DC=gemeente,DC=test"]\n'
        "connect_timeout_seconds = 1\n"
    )
    gemeente.write_text(text_, encoding="utf-8")
    return config
