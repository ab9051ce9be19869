"""``kcc-hub demo``: the embedded default in one process, for gemeente 9999 (Voorbeeldstad).

Starts the project's own test doubles on loopback (the upstreams the demo
gemeente's plugins point at), migrates SQLite under ``var/``, fills the
directory and the availability of every medewerker, runs the API, an in-process
worker and the scheduler, prints the docs URL and a dev token per role, and
writes ``var/demo.env`` so the CLI and curl can be pointed at it.

It stops within seconds of SIGTERM or Ctrl+C, and refuses to start (exit 1,
one line) when its ports are taken.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from hub.shutdown import StopRequest, exit_if_threads_hang, stop_on_signals

if TYPE_CHECKING:
    from hub.runtime import Runtime
    from hub.tenants import Gemeente

DEMO_GEMEENTE = "9999"
DEMO_ROLES = ("kcc-medewerker", "backoffice", "privacy-officer", "beheerder", "teamleider")
ENV_FILE = Path("var") / "demo.env"
SHUTDOWN_SECONDS = 3

# (module to run with ``python -m``, its arguments, its ports, what it is); ports match
# config/gemeenten/9999.toml.
DEMO_DOUBLES: tuple[tuple[str, tuple[str, ...], tuple[int, ...], str], ...] = (
    (
        "plugins.exchange.double",
        ("--port", "8711"),
        (8711,),
        "Exchange EWS + Graph on 127.0.0.1:8711",
    ),
    (
        "plugins.brp.double",
        ("--port", "8712", "--stufbg-port", "8722"),
        (8712, 8722),
        "Haal Centraal BRP on 127.0.0.1:8712, StUF-BG on :8722",
    ),
    ("plugins.zaak.double", ("--port", "8713"), (8713,), "ZGW Zaken + Catalogi on 127.0.0.1:8713"),
    ("plugins.fixi.double", ("--port", "8714"), (8714,), "Fixi on 127.0.0.1:8714"),
    (
        "plugins.openklant.double",
        ("--port", "8723"),
        (8723,),
        "Open Klant (Klantinteracties) on 127.0.0.1:8723",
    ),
)

# Demo secrets: references in config/ point at these variables; real deployments set their own.
DEMO_ENV = {
    "KCC_HUB_DEV_KEY": "demo-dev-key-" + "0" * 32,
    "KCC_DEMO_SECRET": "demo-secret-not-for-production-0000000000",
    # base64 of 32 bytes each; a real deployment generates its own (docs/privacy.md).
    "KCC_LOGBOEK_HMAC_SLEUTEL": "ZGVtby1obWFjLXNsZXV0ZWwtMzItYnl0ZXMtLS0tLS0=",
    "KCC_LOGBOEK_ENCRYPTIE_SLEUTEL": "ZGVtby1hZXMtc2xldXRlbC0zMi1ieXRlcy0tLS0tLS0=",
}


class DemoError(Exception):
    """The demo cannot start; the message says why and what to do, in one line."""


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def bind_api_socket(host: str, port: int) -> socket.socket:
    """Hold the API's port from the start, so a taken port is reported before anything runs."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise DemoError(
            f"port {port} on {host} is not available ({exc.strerror}): stop what listens "
            f"there (another demo?) or start the demo on another port: kcc-hub demo --port N"
        ) from None
    return sock


def check_double_ports(enabled: bool) -> None:
    if not enabled:
        return
    for module, _args, ports, label in DEMO_DOUBLES:
        if importlib.util.find_spec(module) is None:
            continue
        for port in ports:
            if not _port_free("127.0.0.1", port):
                raise DemoError(
                    f"port {port} for the test double '{label}' is in use: another demo is "
                    "probably running; stop it, or start this one with --no-doubles"
                )


@contextmanager
def running_doubles(enabled: bool) -> Iterator[list[str]]:
    procs: list[tuple[subprocess.Popen[bytes], str]] = []
    started: list[str] = []
    try:
        if enabled:
            for module, args, _ports, label in DEMO_DOUBLES:
                if importlib.util.find_spec(module) is None:
                    continue
                proc = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
                    [sys.executable, "-m", module, *args],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
                procs.append((proc, label))
                started.append(label)
        yield started
    finally:
        for proc, _label in procs:
            proc.terminate()
        deadline = time.monotonic() + 3
        for proc, _label in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _double_ports() -> list[int]:
    return [
        port
        for module, _args, ports, _label in DEMO_DOUBLES
        if importlib.util.find_spec(module) is not None
        for port in ports
    ]


def _wait_for_ports(ports: list[int], seconds: float = 20.0) -> list[int]:
    """The ports that still do not accept connections after ``seconds``."""
    deadline = time.monotonic() + seconds
    waiting = list(ports)
    while waiting and time.monotonic() < deadline:
        waiting = [p for p in waiting if not _accepts(p)]
        if waiting:
            time.sleep(0.1)
    return waiting


def _accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait_until_up(url: str, stop: StopRequest, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stop.requested:
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
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


def _fill_availability(rt: Runtime) -> None:
    """Every medewerker's availability before the API answers (then the scheduler keeps it)."""
    from hub.beschikbaarheid import calendar_plugins, refresh_recorded
    from hub.errors import KccError

    for plugin in calendar_plugins(rt, DEMO_GEMEENTE):
        try:
            count = refresh_recorded(rt, DEMO_GEMEENTE, plugin)
        except KccError as exc:
            print(f"  availability: not refreshed ({exc.title}: {exc.detail})")
            continue
        print(f"  availability: {count} mailboxes refreshed through the {plugin} plugin")


def _tokens(gemeente: Gemeente) -> dict[str, str]:
    from hub.auth import issue_dev_token

    return {
        role: issue_dev_token(
            gemeente.auth,
            subject=f"demo-{role}",
            gemeenten=[DEMO_GEMEENTE],
            roles=[role],
            name=f"Demo {role}",
        )
        for role in DEMO_ROLES
    }


def env_var_for_token(role: str) -> str:
    return "KCC_DEMO_TOKEN_" + role.upper().replace("-", "_")


def write_env_file(path: Path, base: str, config_dir: Path, tokens: dict[str, str]) -> None:
    """The demo's environment for ``kcc-hub --env-file`` and for ``set -a; . var/demo.env``."""
    from hub.store.db import database_url

    values = {
        "KCC_HUB_CONFIG": str(config_dir.resolve()),
        "DATABASE_URL": _absolute_sqlite(database_url()),
        **{
            key: os.environ[key] for key in (*DEMO_ENV, "KCC_DEMO_AD_PASSWORD") if key in os.environ
        },
        "KCC_DEMO_URL": base,
        **{env_var_for_token(role): token for role, token in tokens.items()},
    }
    lines = [
        f"# Written by `kcc-hub demo` (pid {os.getpid()}) at "
        f"{datetime.now(UTC).isoformat(timespec='seconds')}: demo secrets only.",
        "# CLI: kcc-hub --env-file var/demo.env …   shell: set -a; . var/demo.env; set +a",
        *(f"{key}={shlex.quote(value)}" for key, value in values.items()),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def _absolute_sqlite(url: str) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/"):
        return prefix + str(Path(url.removeprefix(prefix)).resolve())
    return url


def run_demo(*, host: str, port: int, start_doubles: bool = True) -> None:
    # Until the API answers, a stop signal interrupts start-up like Ctrl+C does; afterwards
    # the handler only sets a flag that the main thread polls.
    stop_request = stop_on_signals()
    stop_request.interrupting = True
    api_socket = bind_api_socket(host, port)
    try:
        check_double_ports(start_doubles)
        _run(api_socket, host, port, start_doubles, stop_request)
    except KeyboardInterrupt:
        print("\nKCC Hub demo stopped during start-up.")
    finally:
        api_socket.close()
    exit_if_threads_hang(0)


def _run(
    api_socket: socket.socket,
    host: str,
    port: int,
    start_doubles: bool,
    stop_request: StopRequest,
) -> None:
    for key, value in DEMO_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.pop("REDIS_URL", None)  # the embedded default: in-process broker and worker
    Path("var").mkdir(exist_ok=True)

    import uvicorn

    from devkit.demo_directory import demo_directory
    from hub.api.app import create_app
    from hub.api.server import server_config
    from hub.beheer.sessie import is_loopback
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
        missing = _wait_for_ports(_double_ports()) if start_doubles else []
        if missing:
            raise DemoError(
                f"the test doubles did not start (port(s) {', '.join(map(str, missing))}); "
                "run 'python -m plugins.exchange.double' and the others by hand to see why"
            )
        rt = Runtime.build(config_dir=directory.config_dir)
        install_runtime(rt)
        _fill_directory(rt, directory.real_dc)
        _fill_availability(rt)
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
                timeout_graceful_shutdown=SHUTDOWN_SECONDS,
            )
        )
        # Run in a thread, uvicorn installs no signal handlers: ours decide when to stop.
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [api_socket]}, name="api", daemon=True
        )
        thread.start()
        base = f"http://{host}:{port}"
        try:
            if not _wait_until_up(base + "/livez", stop_request):
                if stop_request.requested:
                    return
                raise DemoError(f"the API did not answer on {base}; see the log above")
            gemeente = rt.tenants.get(DEMO_GEMEENTE)
            tokens = _tokens(gemeente) if gemeente is not None else {}
            write_env_file(ENV_FILE, base, directory.config_dir, tokens)
            stop_request.interrupting = False
            _print_welcome(base, [*doubles, directory.description], gemeente, tokens)
            stop_request.wait(until=lambda: not thread.is_alive())
            if not thread.is_alive() and not stop_request.requested:
                raise DemoError("the API stopped unexpectedly; see the log above")
        finally:
            stop_request.interrupting = False
            server.should_exit = True
            stop.set()
            thread.join(timeout=SHUTDOWN_SECONDS + 1)
            stop_in_process_worker(timeout_seconds=SHUTDOWN_SECONDS)
    print("KCC Hub demo stopped.")


def _print_welcome(
    base: str, upstreams: list[str], gemeente: Gemeente | None, tokens: dict[str, str]
) -> None:
    print(f"\nKCC Hub demo is running: {base}/api/v1/docs")
    print(
        f"  OpenAPI: {base}/api/v1/openapi.json   health: {base}/readyz   metrics: {base}/metrics"
    )
    print(f"  Beheer (privacy officer, beheerder, teamleider; dev login): {base}/beheer/")
    for line in upstreams:
        print(f"  upstream: {line}")
    if gemeente is not None:
        print(f"\nDev tokens for gemeente {DEMO_GEMEENTE} ({gemeente.naam}), valid 8 hours:")
        for role, token in tokens.items():
            print(f"  {role}:\n    {token}")
    print(
        f"\n{ENV_FILE} holds these tokens, the demo's secrets and its database (docs/demo.md):"
        f"\n  set -a; . {ENV_FILE}; set +a"
        f'\n  curl -H "Authorization: Bearer ${env_var_for_token("kcc-medewerker")}" '
        f"'{base}/api/v1/gemeenten/{DEMO_GEMEENTE}/medewerkers?zoek=Jan%20Janssen'"
        f"\n  kcc-hub --env-file {ENV_FILE} logboek verify --gemeente {DEMO_GEMEENTE}"
    )
    print("\nPress Ctrl+C to stop.", flush=True)


__all__ = ["DEMO_ENV", "DEMO_GEMEENTE", "DemoError", "run_demo", "running_doubles"]
