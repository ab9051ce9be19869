from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hub.domain.meldingen import Locatie, Melder, NieuweMelding
from hub.plugin_api import HookContext
from hub.pluginmanager import PluginHost, load_plugins
from hub.retrying import RetryPolicy
from hub.store.db import Store, make_engine
from hub.store.migrate import upgrade
from hub.tenants import AuthSettings, Gemeente
from plugins.fixi.config import FixiSettings
from plugins.fixi.double import FixiDouble, run_fixi_double

FIXI_SECRET = "fixi-geheim-voor-de-tests-0123456789"


@pytest.fixture(scope="session")
def fixi() -> Iterator[FixiDouble]:
    with run_fixi_double(clients={"kcc-hub": FIXI_SECRET}) as double:
        yield double


@pytest.fixture(autouse=True)
def _fresh(fixi: FixiDouble, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIXI_SECRET", FIXI_SECRET)
    fixi.faults.reset()
    fixi.requests.clear()


def settings(fixi: FixiDouble, **extra: Any) -> FixiSettings:
    return FixiSettings.model_validate(
        {
            "base_url": fixi.base_url,
            "client_id": "kcc-hub",
            "client_secret": "${FIXI_SECRET}",
            "timeout_seconds": 0.5,
            "retry_wait_seconds": 0.01,
            **extra,
        }
    )


def context(fixi: FixiDouble, **extra: Any) -> HookContext:
    return HookContext(gemeente="9999", settings=settings(fixi, **extra))


def lantaarnpaal(omschrijving: str = "Lantaarnpaal brandt niet") -> NieuweMelding:
    return NieuweMelding(
        categorie="Straatverlichting",
        omschrijving=omschrijving,
        locatie=Locatie(adres="Dorpsstraat 12", woonplaats="Demodam", lat=52.09, lon=5.12),
        melder=Melder(naam="J. Jansen", email="j.jansen@example.nl", telefoonnummer="0612345678"),
    )


# -- the hub side: a migrated store (SQLite and PostgreSQL) and a real PluginHost -------------


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("meldingen") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _migrated_postgresql() -> Iterator[str]:
    """One PostgreSQL database per session, migrated with the real Alembic migrations."""
    admin_url = os.environ.get("DATABASE_URL_TEST")
    if not admin_url:
        pytest.skip("DATABASE_URL_TEST is not set (make test sets it and starts PostgreSQL)")
    base = make_url(admin_url)
    name = f"kcc_t_meldingen_{secrets.token_hex(4)}"
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


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """An empty, migrated store: a copy of the migrated SQLite file, or the session's
    PostgreSQL database with the meldingen tables emptied."""

    if request.param == "sqlite":
        path = tmp_path / "hub.sqlite3"
        shutil.copy(request.getfixturevalue("_migrated_sqlite"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("_migrated_postgresql")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE melding_outbox, meldingen"))
    engine.dispose()
    return url


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    s = Store(make_engine(database_url))
    yield s
    s.engine.dispose()


def plugin_host(
    fixi: FixiDouble, gemeenten: tuple[str, ...] = ("9999",), attempts: int = 1, **extra: Any
) -> PluginHost:
    """The hub's real PluginHost with only the Fixi plugin, as a restarted hub would build it."""
    loaded = load_plugins()
    config = {
        code: Gemeente(
            code=code,
            naam=f"Gemeente {code}",
            plugin_settings={"fixi": settings(fixi, **extra)},
            auth=AuthSettings(),
        )
        for code in gemeenten
    }
    return PluginHost(
        loaded, config, retry_policy=RetryPolicy(attempts=attempts, initial=0.01, maximum=0.05)
    )


@pytest.fixture(autouse=True)
def _only_fixi(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "fixi")
