"""``kcc-hub demo``: the embedded default in one process, for gemeente 9999 (Voorbeeldstad).

Starts the project's own test doubles on loopback (the upstreams the demo
gemeente's plugins point at), migrates SQLite under ``var/``, runs the API, an
in-process worker and the scheduler, and prints the docs URL and a dev token
per role.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from hub.runtime import Runtime

DEMO_GEMEENTE = "9999"

# (module to run with ``python -m``, its arguments, what it is); ports match
# config/gemeenten/9999.toml.
DEMO_DOUBLES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("plugins.exchange.double", ("--port", "8711"), "Exchange EWS + Graph on 127.0.0.1:8711"),
    (
        "plugins.brp.double",
        ("--port", "8712", "--stufbg-port", "8722"),
        "Haal Centraal BRP on 127.0.0.1:8712, StUF-BG on :8722",
    ),
    ("plugins.zaak.double", ("--port", "8713"), "ZGW Zaken + Catalogi on 127.0.0.1:8713"),
    ("plugins.fixi.double", ("--port", "8714"), "Fixi on 127.0.0.1:8714"),
)

# Demo secrets: references in config/ point at these variables; real deployments set their own.
DEMO_ENV = {
    "KCC_HUB_DEV_KEY": "demo-dev-key-" + "0" * 32,
    "KCC_DEMO_SECRET": "demo-secret-not-for-production-0000000000",
    # base64 of 32 bytes each; a real deployment generates its own (docs/privacy.md).
    "KCC_LOGBOEK_HMAC_SLEUTEL": "ZGVtby1obWFjLXNsZXV0ZWwtMzItYnl0ZXMtLS0tLS0=",
    "KCC_LOGBOEK_ENCRYPTIE_SLEUTEL": "ZGVtby1hZXMtc2xldXRlbC0zMi1ieXRlcy0tLS0tLS0=",
}


@contextmanager
def running_doubles(enabled: bool) -> Iterator[list[str]]:
    procs: list[subprocess.Popen[bytes]] = []
    started: list[str] = []
    try:
        if enabled:
            for module, args, label in DEMO_DOUBLES:
                if importlib.util.find_spec(module) is None:
                    continue
                proc = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
                    [sys.executable, "-m", module, *args],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
                procs.append(proc)
                started.append(label)
        yield started
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_until_up(url: str, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def _fill_directory(rt: Runtime, real_dc: bool) -> None:
    """The first directory sync runs before the API answers, so the demo starts with data."""
    from hub.directory.demo import seed_demo_directory
    from hub.sync.runner import run_sync

    if real_dc:
        outcome = run_sync(rt, DEMO_GEMEENTE, "ad", full=True)
        print(f"  directory: {outcome.records} medewerkers synchronised from the demo DC")
    else:
        seed_demo_directory(rt.store, DEMO_GEMEENTE)


def run_demo(*, host: str, port: int, start_doubles: bool = True) -> None:
    for key, value in DEMO_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.pop("REDIS_URL", None)  # the embedded default: in-process broker and worker
    Path("var").mkdir(exist_ok=True)

    import uvicorn

    from hub.api.app import create_app
    from hub.api.server import server_config
    from hub.auth import issue_dev_token
    from hub.beheer.sessie import is_loopback
    from hub.demo_directory import demo_directory
    from hub.jobs.broker import install_broker, start_in_process_worker, stop_in_process_worker
    from hub.jobs.context import install_runtime
    from hub.logging_setup import configure_logging
    from hub.runtime import Runtime
    from hub.scheduler import run_forever
    from hub.store.migrate import upgrade
    from hub.tenants import config_dir

    configure_logging(os.environ.get("KCC_HUB_LOG_LEVEL", "INFO"))
    upgrade()
    install_broker(None)
    with (
        running_doubles(start_doubles) as doubles,
        demo_directory(config_dir(), Path("var"), DEMO_GEMEENTE) as directory,
    ):
        rt = Runtime.build(config_dir=directory.config_dir)
        install_runtime(rt)
        _fill_directory(rt, directory.real_dc)
        start_in_process_worker()
        stop = threading.Event()
        scheduler = threading.Thread(target=run_forever, args=(rt, stop), daemon=True)
        scheduler.start()
        server = uvicorn.Server(
            server_config(
                # Session cookies without Secure only on plain http to loopback (the demo).
                create_app(rt, beheer_loopback_http=is_loopback(host)),
                host=host,
                port=port,
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        base = f"http://{host}:{port}"
        if not _wait_until_up(base + "/livez"):
            print("the API did not start; see the log above", file=sys.stderr)
            server.should_exit = True
            sys.exit(1)
        gemeente = rt.tenants.get(DEMO_GEMEENTE)
        print(f"\nKCC Hub demo is running: {base}/api/v1/docs")
        print(
            f"  OpenAPI: {base}/api/v1/openapi.json   health: {base}/readyz   metrics: {base}/metrics"
        )
        print(f"  Beheer (privacy officer, beheerder, teamleider; dev login): {base}/beheer/")
        for line in [*doubles, directory.description]:
            print(f"  upstream: {line}")
        if gemeente is not None:
            print(f"\nDev tokens for gemeente {DEMO_GEMEENTE} ({gemeente.naam}), valid 8 hours:")
            for role in (
                "kcc-medewerker",
                "backoffice",
                "privacy-officer",
                "beheerder",
                "teamleider",
            ):
                token = issue_dev_token(
                    gemeente.auth,
                    subject=f"demo-{role}",
                    gemeenten=[DEMO_GEMEENTE],
                    roles=[role],
                    name=f"Demo {role}",
                )
                print(f"  {role}:\n    {token}")
            print(
                f"\nTry: curl -H 'Authorization: Bearer <token>' '{base}/api/v1/gemeenten/{DEMO_GEMEENTE}/medewerkers?zoek=jan'"
            )
        print("\nPress Ctrl+C to stop.")
        done = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: done.set())
        try:
            while not done.is_set() and thread.is_alive():
                done.wait(0.5)
        except KeyboardInterrupt:
            pass
        server.should_exit = True
        stop.set()
        thread.join(timeout=10)
        stop_in_process_worker()


__all__ = ["DEMO_GEMEENTE", "run_demo"]
