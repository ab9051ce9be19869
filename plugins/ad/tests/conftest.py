"""A real Samba AD DC for the AD plugin's tests, provisioned once per test session."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from hub.store.db import Store, make_engine
from plugins.ad.config import AdSettings
from plugins.ad.double.samba import (
    BASE_DN,
    SambaDC,
    SambaUnavailableError,
    TestPerson,
    add_people_parallel,
    make_people,
    samba_dc,
)
from plugins.ad.tests.directory_store import create_directory_tables

PASSWORD_ENV = "KCC_TEST_AD_BIND_PASSWORD"
GEMEENTE_OU = f"OU=Gemeente,{BASE_DN}"
STAFF_OU = f"OU=Medewerkers,{GEMEENTE_OU}"
STAFF_COUNT = 1_000


@dataclass
class Directory:
    """The session's DC and what was put in it."""

    dc: SambaDC
    people: list[TestPerson]
    staff_ou: str

    def settings(self, **overrides: object) -> AdSettings:
        values: dict[str, object] = {
            "servers": [self.dc.host],
            "tls": "ldaps",
            "ca_file": str(self.dc.tls.ca_file),
            "bind_user": "Administrator@gemeente.test",
            "bind_password": "${" + PASSWORD_ENV + "}",
            "search_bases": [GEMEENTE_OU],
            "connect_timeout_seconds": 2,
            "receive_timeout_seconds": 20,
        }
        values.update(overrides)
        return AdSettings.model_validate(values)


@pytest.fixture(scope="session")
def samba() -> Iterator[SambaDC]:
    try:
        with samba_dc() as dc:
            os.environ[PASSWORD_ENV] = dc.admin_password
            yield dc
    except SambaUnavailableError as exc:
        if os.geteuid() != 0:
            pytest.skip(f"no Samba AD DC: {exc}")
        raise


@pytest.fixture(scope="session")
def directory(samba: SambaDC) -> Directory:
    people = make_people(STAFF_COUNT, seed=11)
    add_people_parallel(samba, people, STAFF_OU)
    return Directory(dc=samba, people=people, staff_ou=STAFF_OU)


@pytest.fixture(scope="session")
def directory_pg_engine() -> Iterator[Engine]:
    """One PostgreSQL database with the directory tables for the whole session."""
    admin_url = os.environ.get("DATABASE_URL_TEST")
    if not admin_url:
        pytest.skip("DATABASE_URL_TEST is not set (make test sets it and starts PostgreSQL)")
    base = make_url(admin_url)
    name = f"kcc_test_ad_{secrets.token_hex(4)}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(base.set(database=name).render_as_string(hide_password=False))
    try:
        create_directory_tables(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty directory store, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'directory.sqlite3'}")
        create_directory_tables(engine)
        yield Store(engine)
        engine.dispose()
        return
    engine = request.getfixturevalue("directory_pg_engine")
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE medewerkers, medewerker_tokens"))
    yield Store(engine)
