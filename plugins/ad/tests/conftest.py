"""A real Samba AD DC for the AD plugin's tests, provisioned once per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from plugins.ad.config import AdSettings
from tests.support.samba import (
    BASE_DN,
    SambaDC,
    SambaUnavailable,
    TestPerson,
    add_people,
    ensure_ou,
    make_people,
    samba_dc,
)

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
    except SambaUnavailable as exc:
        if os.geteuid() != 0:
            pytest.skip(f"no Samba AD DC: {exc}")
        raise


@pytest.fixture(scope="session")
def directory(samba: SambaDC) -> Directory:
    people = make_people(STAFF_COUNT, seed=11)
    with samba.connection() as conn:
        ensure_ou(conn, STAFF_OU)
        add_people(conn, people, STAFF_OU)
    return Directory(dc=samba, people=people, staff_ou=STAFF_OU)
