"""A hub for the ``/beheer/`` pages: gemeente 9999 with a BRP stand-in and the 'notities' sync
plugin, gemeente 0363 with 'notities'; person lookups through the real API fill the logboek."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from hub.api.app import create_app
from hub.runtime import Runtime
from hub.store.migrate import upgrade
from tests.privacy import personen_plugin
from tests.privacy.conftest import DOELEN, POLICY, REPO
from tests.support import notities_plugin, notities_sink

HTTPS = "https://hub.voorbeeldstad.test"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def doelen_toml() -> str:
    out = []
    for d in DOELEN:
        rollen = ", ".join(f'"{r}"' for r in d["rollen"])
        out.append(
            f'[[doelen]]\ncode = "{d["code"]}"\nomschrijving = "{d["omschrijving"]}"\n'
            f'verwerkingsactiviteit = "{d["verwerkingsactiviteit"]}"\nrollen = [{rollen}]\n'
        )
    return "\n".join(out)


def write_config(directory: Path, *, auth_9999: str = "", extra_9999: str = "") -> Path:
    (directory / "gemeenten").mkdir(parents=True, exist_ok=True)
    (directory / "privacy").mkdir(exist_ok=True)
    shutil.copy(REPO / "config" / "hub.toml", directory / "hub.toml")
    shutil.copy(POLICY, directory / "privacy" / "masking.toml")
    (directory / "gemeenten" / "9999.toml").write_text(
        'naam = "Voorbeeldstad"\n'
        "[plugins.testbrp]\nstoring = false\n\n"
        '[plugins.notities]\nbron = "voorbeeld"\naantal = 3\n\n'
        + extra_9999
        + doelen_toml()
        + "\n[privacy]\nbewaartermijn_dagen = 30\n"
        + auth_9999,
        encoding="utf-8",
    )
    (directory / "gemeenten" / "0363.toml").write_text(
        'naam = "Amsterdam"\n[plugins.notities]\nbron = "amsterdam"\naantal = 2\n' + doelen_toml(),
        encoding="utf-8",
    )
    return directory


def build_runtime(config: Path, url: str) -> Runtime:
    notities_sink.install()
    return Runtime.build(
        config_dir=config,
        database_url=url,
        extra_plugins=[("testbrp", personen_plugin), ("notities", notities_plugin)],
    )


@pytest.fixture
def beheer_config(tmp_path: Path, dev_key: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "testbrp,notities")
    return write_config(tmp_path / "config")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'beheer.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
def rt(beheer_config: Path, sqlite_url: str) -> Iterator[Runtime]:
    """The hub on SQLite (for behaviour that does not depend on the database)."""
    runtime = build_runtime(beheer_config, sqlite_url)
    yield runtime
    runtime.store.engine.dispose()


@pytest.fixture
def any_rt(beheer_config: Path, database_url: str) -> Iterator[Runtime]:
    """The hub on SQLite and on PostgreSQL."""
    runtime = build_runtime(beheer_config, database_url)
    yield runtime
    runtime.store.engine.dispose()


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    """A browser-like client on https (so the Secure cookie is sent back)."""
    with TestClient(create_app(rt), base_url=HTTPS) as test_client:
        yield test_client


@pytest.fixture
def any_client(any_rt: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(any_rt), base_url=HTTPS) as test_client:
        yield test_client


def csrf_of(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    match = _CSRF.search(page.text)
    assert match, f"no form with a CSRF token on {path}"
    return match.group(1)


def dev_login(client: TestClient, rol: str, *, gemeente: str = "9999", naam: str = "Test") -> None:
    token = csrf_of(client, "/beheer/inloggen")
    r = client.post(
        "/beheer/inloggen/dev",
        data={"csrf": token, "gemeente": gemeente, "rol": rol, "naam": naam},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def lookup_person(
    api: TestClient | httpx.Client,
    token_for: Callable[..., str],
    bsn: str,
    *,
    rol: str = "kcc-medewerker",
    sub: str = "agent-7",
    doel: str = "kcc-identificatie",
) -> Any:
    """A KCC front end looks a person up through the API: a logboek record for ``bsn``."""
    r = api.post(
        "/api/v1/gemeenten/9999/personen",
        json={
            "type": "RaadpleegMetBurgerservicenummer",
            "burgerservicenummer": [bsn],
            "doel": doel,
        },
        headers={"Authorization": f"Bearer {token_for(rol, sub=sub)}"},
    )
    return r
