"""Shared pytest fixtures: real PostgreSQL and Redis, migrated stores, a configured hub, tokens.

PostgreSQL and Redis come from ``DATABASE_URL_TEST`` and ``REDIS_URL_TEST``
(``make test`` sets both and starts the services when they are missing). Each
test that needs a database gets a fresh one, migrated with the real Alembic
migrations.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hub.store.migrate import upgrade
from hub.wiring import install_sinks

REPO = Path(__file__).resolve().parents[2]
DEV_KEY = "test-dev-key-" + "k" * 40
# Logboek keys (base64 of 32 bytes) for every test configuration; synthetic, test-only.
LOGBOEK_KEYS = {
    "KCC_LOGBOEK_HMAC_SLEUTEL": "dGVzdC1obWFjLXNsZXV0ZWwtMzItYnl0ZXMtLS0tLS0=",
    "KCC_LOGBOEK_ENCRYPTIE_SLEUTEL": "dGVzdC1hZXMtc2xldXRlbC0zMi1ieXRlcy0tLS0tLS0=",
}


@pytest.fixture(scope="session", autouse=True)
def _hub_sinks() -> None:
    """The hub's own sync sinks, as Runtime.build installs them, for tests using one directly."""
    install_sinks()


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    url = os.environ.get("DATABASE_URL_TEST")
    if not url:
        pytest.skip("DATABASE_URL_TEST is not set (make test sets it and starts PostgreSQL)")
    return url


def _create_pg_database(admin_url: str) -> tuple[str, Callable[[], None]]:
    base = make_url(admin_url)
    name = f"kcc_t_{secrets.token_hex(6)}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture
def fresh_pg_url(pg_admin_url: str) -> Iterator[str]:
    """An empty PostgreSQL database of its own, dropped afterwards."""
    url, drop = _create_pg_database(pg_admin_url)
    try:
        yield url
    finally:
        drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated store, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
        upgrade(url)
        yield url
        return
    admin = request.getfixturevalue("pg_admin_url")
    url, drop = _create_pg_database(admin)
    try:
        upgrade(url)
        yield url
    finally:
        drop()


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL_TEST")
    if not url:
        pytest.skip("REDIS_URL_TEST is not set (make test sets it and starts Redis)")
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


class _AllRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self._seen: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        # Attached to the root and to the server's and frameworks' loggers: count each once.
        if id(record) in self._seen:
            return
        self._seen.add(id(record))
        try:
            text = record.getMessage()
        except Exception:  # a broken format string is not what this handler checks
            text = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            text += " " + logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name}: {text}")


class _Answers:
    """Every answer of the hub's API in this run (status, headers, body), and every incoming
    ``traceparent``, seen at the edge middleware that all of them pass."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.contacts: set[str] = set()
        self._problem = False

    def request(self, scope: dict[str, Any]) -> None:
        for name, value in scope.get("headers", []):
            if name == b"traceparent":
                self.texts.append(f"traceparent in: {value.decode('latin-1')}")

    def body_in(self, body: bytes) -> None:
        """Callers' contact details sent in, so the scan can look for them coming out."""
        try:
            document = json.loads(body)
        except ValueError:
            return
        melder = document.get("melder") if isinstance(document, dict) else None
        if isinstance(melder, dict):
            for key in ("email", "telefoonnummer"):
                value = melder.get(key)
                digits = sum(ch.isdigit() for ch in value) if isinstance(value, str) else 0
                if isinstance(value, str) and ("@" in value[1:-1] or digits >= 8):
                    self.contacts.add(value)

    def response(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            headers = " ".join(
                f"{n.decode('latin-1')}: {v.decode('latin-1')}" for n, v in message["headers"]
            )
            self._problem = "application/problem+json" in headers
            self.texts.append(f"headers: {headers}")
        elif message["type"] == "http.response.body":
            # Person data answers carry BSNs by design; error answers and headers never do.
            kind = "problem" if self._problem else "body"
            self.texts.append(f"{kind}: " + message.get("body", b"").decode("utf-8", "replace"))


@contextmanager
def _observe_answers(answers: _Answers) -> Iterator[None]:
    """Wrap (not replace) the edge middleware: the original runs, its traffic is recorded."""
    from hub.api.edge import EdgeMiddleware

    original = EdgeMiddleware.__call__

    async def observed(self: Any, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await original(self, scope, receive, send)
            return
        answers.request(scope)

        async def tap_in() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                answers.body_in(message.get("body", b""))
            return message

        async def tap_out(message: Any) -> None:
            answers.response(message)
            await send(message)

        await original(self, scope, tap_in, tap_out)

    EdgeMiddleware.__call__ = observed  # type: ignore[method-assign]
    try:
        yield
    finally:
        EdgeMiddleware.__call__ = original  # type: ignore[method-assign]


@pytest.fixture(scope="session", autouse=True)
def no_bsn_in_any_log_line() -> Iterator[None]:
    """The whole run's application log, captured raw (before redaction), and every answer of
    the API (headers and bodies) hold no test BSN and no caller's contact details (the melders'
    sent in, and the synthetic callers' phone numbers and e-mail addresses of
    ``tests/support/bellers.py``, which may appear only in the answers meant to show them).

    Log levels are those of production (INFO for the hub, WARNING for HTTP and SOAP
    libraries), so this checks what a gemeente's log store would receive. The capture is on
    the root logger and on the ASGI server's and frameworks' loggers, so a handler of their
    own cannot hide a line. A ``traceparent`` carrying a BSN must not come back either.
    """
    from hub.logging_setup import FRAMEWORK_LOGGERS, NOISY_LOGGERS
    from plugins.brp.double.persons import all_personen
    from tests.support.bellers import verboden_in_logs

    bsns = {p["burgerservicenummer"] for p in all_personen() if "burgerservicenummer" in p}
    contactgegevens = verboden_in_logs()
    handler = _AllRecords()
    answers = _Answers()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    for name in FRAMEWORK_LOGGERS:
        logging.getLogger(name).addHandler(handler)
    root.setLevel(logging.INFO)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        with _observe_answers(answers):
            yield
    finally:
        root.removeHandler(handler)
        for name in FRAMEWORK_LOGGERS:
            logging.getLogger(name).removeHandler(handler)
        root.setLevel(old_level)
    leaked = [line[:300] for line in handler.lines if any(b in line for b in bsns)]
    assert not leaked, f"{len(leaked)} log line(s) contain a BSN, e.g.: {leaked[:3]}"
    contacts = answers.contacts
    leaked = [line[:300] for line in handler.lines if any(c in line for c in contacts)]
    assert not leaked, f"{len(leaked)} log line(s) contain contact details, e.g.: {leaked[:3]}"
    outgoing = [t for t in answers.texts if not t.startswith("traceparent in:")]
    shown = [t[:300] for t in outgoing if any(c in t for c in contacts)]
    assert not shown, f"{len(shown)} answer(s) contain contact details, e.g.: {shown[:3]}"
    never = [t for t in outgoing if t.startswith(("headers:", "problem:"))]
    shown = [t[:300] for t in never if any(b in t for b in bsns)]
    assert not shown, f"{len(shown)} header(s) or problem(s) contain a BSN, e.g.: {shown[:3]}"
    incoming = [t for t in answers.texts if t.startswith("traceparent in:")]
    assert all(t.count("-") >= 3 for t in incoming)  # the traceparents were seen
    # The line itself would leak the detail into the test report: say which kind, not which.
    contact = [line for line in handler.lines if any(c in line for c in contactgegevens)]
    assert not contact, f"{len(contact)} log line(s) contain a caller's phone number or e-mail"


@pytest.fixture(autouse=True)
def logboek_keys(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Every gemeente needs logboek keys; tests get synthetic ones unless they remove them."""
    for name, value in LOGBOEK_KEYS.items():
        monkeypatch.setenv(name, value)
    return LOGBOEK_KEYS


@pytest.fixture
def dev_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("KCC_HUB_DEV_KEY", DEV_KEY)
    return DEV_KEY


@pytest.fixture
def hub_config(tmp_path: Path, dev_key: str) -> Path:
    """A configuration with two gemeenten that enable the test plugin 'notities'."""
    directory = tmp_path / "config"
    (directory / "gemeenten").mkdir(parents=True)
    shutil.copy(REPO / "config" / "hub.toml", directory / "hub.toml")
    (directory / "gemeenten" / "9999.toml").write_text(
        'naam = "Voorbeeldstad"\n[plugins.notities]\nbron = "voorbeeld"\naantal = 5\n',
        encoding="utf-8",
    )
    (directory / "gemeenten" / "0363.toml").write_text(
        'naam = "Amsterdam"\n[plugins.notities]\nbron = "amsterdam"\naantal = 3\n',
        encoding="utf-8",
    )
    return directory


@pytest.fixture
def make_runtime(hub_config: Path, tmp_path: Path) -> Callable[..., Any]:
    """Build a Runtime on the test config with the 'notities' plugin, on a migrated store."""
    from hub.runtime import Runtime
    from tests.support import notities_plugin

    def build(database_url: str | None = None, config_dir: Path | None = None) -> Runtime:
        url = database_url or f"sqlite:///{tmp_path / 'rt.sqlite3'}"
        if database_url is None:
            upgrade(url)
        return Runtime.build(
            config_dir=config_dir or hub_config,
            database_url=url,
            extra_plugins=[("notities", notities_plugin)],
        )

    return build


@pytest.fixture
def token_for(dev_key: str) -> Callable[..., str]:
    from hub.auth import issue_dev_token
    from hub.tenants import AuthSettings

    def issue(*roles: str, gemeenten: tuple[str, ...] = ("9999",), sub: str = "tester") -> str:
        auth = AuthSettings.model_validate({"dev_key": "${KCC_HUB_DEV_KEY}"})
        return issue_dev_token(auth, subject=sub, gemeenten=list(gemeenten), roles=list(roles))

    return issue
