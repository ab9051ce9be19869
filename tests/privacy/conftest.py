"""Fixtures for the privacy layer: keys, a gemeente's privacy config, stores on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from hub.caller import Caller
from hub.privacy.logboek import tables as logboek_tables
from hub.privacy.settings import GemeentePrivacy, load_gemeente_privacy
from hub.store.base import Base
from hub.store.db import Store, make_engine
from hub.store.migrate import upgrade

REPO = Path(__file__).resolve().parents[2]
POLICY = REPO / "config" / "privacy" / "masking.toml"
GEMEENTE = "9999"

LOGBOEK_TABLES = [
    logboek_tables.LogboekRecord.__table__,
    logboek_tables.LogboekBetrokkene.__table__,
    logboek_tables.LogboekKeten.__table__,
    logboek_tables.LogboekCheckpoint.__table__,
    logboek_tables.LogboekPurgeVergunning.__table__,
]

DOELEN = [
    {
        "code": "kcc-identificatie",
        "omschrijving": "Vaststellen wie de beller is en de vraag beantwoorden",
        "verwerkingsactiviteit": "https://register.voorbeeldstad.nl/verwerkingen/kcc-1",
        "rollen": ["kcc-medewerker", "backoffice"],
    },
    {
        "code": "zaakbehandeling",
        "omschrijving": "Behandelen van een zaak van de betrokkene",
        "verwerkingsactiviteit": "https://register.voorbeeldstad.nl/verwerkingen/zaak-7",
        "rollen": ["backoffice"],
    },
    {
        "code": "audit",
        "omschrijving": "Controle door de privacy officer",
        "verwerkingsactiviteit": "https://register.voorbeeldstad.nl/verwerkingen/audit-1",
        "rollen": ["privacy-officer", "beheerder", "teamleider"],
    },
]


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def keys_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KCC_LOGBOEK_HMAC_SLEUTEL", _key())
    monkeypatch.setenv("KCC_LOGBOEK_ENCRYPTIE_SLEUTEL", _key())


@pytest.fixture
def privacy(keys_env: None) -> GemeentePrivacy:
    return load_gemeente_privacy(
        GEMEENTE, DOELEN, {"bewaartermijn_dagen": 30}, bron="9999.toml", policy_path=POLICY
    )


@pytest.fixture
def sleutels(privacy: GemeentePrivacy) -> Any:
    return privacy.sleutels


def caller(rol: str, subject: str = "medewerker-1") -> Caller:
    return Caller(
        subject=subject,
        display_name="Test Medewerker",
        roles=frozenset({rol}),
        gemeenten=frozenset({GEMEENTE}),
        client_id="kiss-test",
    )


@dataclass
class Db:
    """A store plus what a test needs to attack it like an owner of the database would."""

    store: Store
    dialect: str
    admin: Engine
    disable_guard: Callable[[], None]
    url: str
    extra: dict[str, Any] = field(default_factory=dict)


def _sqlite_db(tmp_path: Path) -> Db:
    url = f"sqlite:///{tmp_path / 'privacy.sqlite3'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine, tables=LOGBOEK_TABLES)

    def disable() -> None:
        with engine.begin() as conn:
            names = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            for name in list(names):
                conn.execute(text(f'DROP TRIGGER "{name}"'))

    return Db(Store(engine), "sqlite", engine, disable, url)


@pytest.fixture(scope="session")
def pg_base_url() -> str:
    url = os.environ.get("DATABASE_URL_TEST")
    if not url:
        pytest.skip("DATABASE_URL_TEST is not set (make test sets it and starts PostgreSQL)")
    return url


@pytest.fixture(scope="session")
def pg_database(pg_base_url: str) -> Iterator[str]:
    """One database for this suite; every test gets its own schema in it."""
    base = make_url(pg_base_url)
    name = f"kcc_t_privacy_{secrets.token_hex(4)}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _pg_db(url: str) -> Iterator[Db]:
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    Base.metadata.create_all(engine, tables=LOGBOEK_TABLES)

    def disable() -> None:
        with engine.begin() as conn:
            for table in ("logboek", "logboek_betrokkene", "logboek_keten", "logboek_checkpoint"):
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))

    try:
        yield Db(Store(engine), "postgresql", engine, disable, url, {"schema": schema})
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """The logboek tables on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield _sqlite_db(tmp_path)
        return
    url = request.getfixturevalue("pg_database")
    yield from _pg_db(url)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Alembic runs once; each test gets a copy of the migrated file."""
    path = tmp_path_factory.mktemp("migrated") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, migrated_sqlite: Path) -> str:
    path = tmp_path / "api.sqlite3"
    shutil.copy(migrated_sqlite, path)
    return f"sqlite:///{path}"


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Db:
    return _sqlite_db(tmp_path)


@dataclass
class FakeBrp:
    """Stands in for the PluginHost: answers ``kcc_get_personen`` from Haal Centraal-shaped dicts.

    It is not our code under test (the pipeline is); the BRP plugin and its
    double have their own tests. It records what the pipeline asked.
    """

    personen: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_with: Exception | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)

    def first(self, gemeente: str, hook: str, **kwargs: Any) -> Any:
        self.calls.append({"gemeente": gemeente, "hook": hook, **kwargs})
        if self.fail_with is not None:
            raise self.fail_with
        query = kwargs["query"]
        if query["type"] == "RaadpleegMetBurgerservicenummer":
            found = [self.personen[b] for b in query["burgerservicenummer"] if b in self.personen]
        else:
            found = list(self.personen.values())
        return {"type": query["type"], "personen": found}


# The core's shared fixtures (migrated stores on SQLite and PostgreSQL, dev tokens).
from tests.support.fixtures import (  # noqa: E402, F401
    database_url,
    dev_key,
    pg_admin_url,
    token_for,
)
