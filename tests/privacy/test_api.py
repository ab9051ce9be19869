"""``POST /personen`` and the privacy officer's ``/logboek`` endpoints, end to end."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select

from hub.api.app import create_app
from hub.privacy.logboek import tables as logboek_tables
from hub.runtime import Runtime
from tests.privacy import personen_plugin
from tests.privacy.conftest import DOELEN, POLICY, REPO
from tests.privacy.persons import BSN, BSN_GEHEIM

BASE = "/api/v1/gemeenten/9999"


def _toml_doelen() -> str:
    out = []
    for d in DOELEN:
        rollen = ", ".join(f'"{r}"' for r in d["rollen"])
        out.append(
            f'[[doelen]]\ncode = "{d["code"]}"\nomschrijving = "{d["omschrijving"]}"\n'
            f'verwerkingsactiviteit = "{d["verwerkingsactiviteit"]}"\nrollen = [{rollen}]\n'
        )
    return "\n".join(out)


def _config(tmp_path: Path, *, plugin: bool = True) -> Path:
    directory = tmp_path / "config"
    (directory / "gemeenten").mkdir(parents=True, exist_ok=True)
    (directory / "privacy").mkdir(exist_ok=True)
    shutil.copy(REPO / "config" / "hub.toml", directory / "hub.toml")
    shutil.copy(POLICY, directory / "privacy" / "masking.toml")
    (directory / "gemeenten" / "9999.toml").write_text(
        'naam = "Voorbeeldstad"\n'
        + ("[plugins.testbrp]\nstoring = false\n\n" if plugin else "")
        + _toml_doelen()
        + "\n[privacy]\nbewaartermijn_dagen = 30\n",
        encoding="utf-8",
    )
    return directory


def _client(config: Path, url: str) -> Iterator[TestClient]:
    runtime = Runtime.build(
        config_dir=config, database_url=url, extra_plugins=[("testbrp", personen_plugin)]
    )
    with TestClient(create_app(runtime)) as test_client:
        test_client.app_state = runtime  # type: ignore[attr-defined]
        yield test_client
    runtime.store.engine.dispose()


@pytest.fixture
def client(
    tmp_path: Path, sqlite_url: str, dev_key: str, keys_env: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """The API on a migrated SQLite store."""
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "testbrp")
    yield from _client(_config(tmp_path), sqlite_url)


@pytest.fixture
def any_client(
    tmp_path: Path, database_url: str, dev_key: str, keys_env: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """The API on a store migrated with Alembic, on SQLite and on PostgreSQL."""
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "testbrp")
    yield from _client(_config(tmp_path), database_url)


def _auth(token_for: Callable[..., str], rol: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(rol)}"}


def _count(client: TestClient) -> int:
    runtime: Runtime = client.app_state  # type: ignore[attr-defined]
    with runtime.store.session() as s:
        return int(s.scalar(select(func.count()).select_from(logboek_tables.LogboekRecord)) or 0)


def _raadpleeg(*bsns: str, doel: str | None = "kcc-identificatie") -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "RaadpleegMetBurgerservicenummer",
        "burgerservicenummer": list(bsns),
    }
    if doel:
        body["doel"] = doel
    return body


def test_a_kcc_medewerker_gets_masked_person_data_with_the_trace_id(
    any_client: TestClient, token_for: Callable[..., str]
) -> None:
    client = any_client
    r = client.post(
        f"{BASE}/personen", json=_raadpleeg(BSN), headers=_auth(token_for, "kcc-medewerker")
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["personen"][0]["burgerservicenummer"] == "*****3653"
    assert "partners" not in body["personen"][0]
    assert body["traceId"] == r.headers["X-Trace-Id"]
    assert _count(client) == 1


def test_geheimhouding_is_surfaced_with_a_warning(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    r = client.post(
        f"{BASE}/personen", json=_raadpleeg(BSN_GEHEIM), headers=_auth(token_for, "kcc-medewerker")
    )
    body = r.json()
    assert body["personen"][0]["geheimhoudingPersoonsgegevens"] is True
    assert set(body["personen"][0]) == {"naam", "geheimhoudingPersoonsgegevens"}
    assert body["waarschuwingen"][0]["code"] == "geheimhoudingPersoonsgegevens"


def test_no_token_is_a_401_and_leaves_no_logboek_record(client: TestClient) -> None:
    r = client.post(f"{BASE}/personen", json=_raadpleeg(BSN))
    assert r.status_code == 401
    assert _count(client) == 0


def test_an_invalid_bsn_is_a_400_problem_without_the_bsn_and_is_logged(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    r = client.post(
        f"{BASE}/personen", json=_raadpleeg("123456789"), headers=_auth(token_for, "kcc-medewerker")
    )
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "123456789" not in r.text
    assert _count(client) == 1


def test_a_missing_doel_is_a_400_and_is_logged(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    r = client.post(
        f"{BASE}/personen",
        json=_raadpleeg(BSN, doel=None),
        headers=_auth(token_for, "kcc-medewerker"),
    )
    assert r.status_code == 400
    assert _count(client) == 1


def test_a_doel_not_for_the_role_is_a_403(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    r = client.post(
        f"{BASE}/personen",
        json=_raadpleeg(BSN, doel="zaakbehandeling"),
        headers=_auth(token_for, "kcc-medewerker"),
    )
    assert r.status_code == 403
    assert _count(client) == 1


@pytest.mark.parametrize("rol", ["privacy-officer", "beheerder", "teamleider"])
def test_roles_without_person_access_get_no_person_data(
    client: TestClient, token_for: Callable[..., str], rol: str
) -> None:
    r = client.post(
        f"{BASE}/personen", json=_raadpleeg(BSN, doel="audit"), headers=_auth(token_for, rol)
    )
    assert r.status_code == 403
    assert "Dijk" not in r.text


def test_the_privacy_officer_finds_lookups_by_bsn_and_verifies_the_chain(
    any_client: TestClient, token_for: Callable[..., str]
) -> None:
    client = any_client
    kcc = _auth(token_for, "kcc-medewerker")
    client.post(f"{BASE}/personen", json=_raadpleeg(BSN), headers=kcc)
    client.post(f"{BASE}/personen", json=_raadpleeg(BSN_GEHEIM), headers=kcc)
    po = _auth(token_for, "privacy-officer")
    r = client.post(f"{BASE}/logboek/_zoek", json={"burgerservicenummer": BSN}, headers=po)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["totaal"] == 1 and body["regels"][0]["doel"] == "kcc-identificatie"
    assert BSN not in r.text
    r = client.get(f"{BASE}/logboek/verificatie", headers=po)
    assert r.json()["intact"] is True
    # Two lookups, and the privacy officer's own search by BSN.
    assert r.json()["laatsteVolgnummer"] == 3
    r = client.post(f"{BASE}/logboek/_zoek", json={"burgerservicenummer": BSN}, headers=po)
    activiteiten = [regel["activiteit"] for regel in r.json()["regels"]]
    assert activiteiten == ["logboek-zoeken", "personen-bevragen"]


@pytest.mark.parametrize("rol", ["kcc-medewerker", "backoffice", "beheerder"])
def test_only_the_privacy_officer_may_use_the_logboek(
    client: TestClient, token_for: Callable[..., str], rol: str
) -> None:
    assert (
        client.get(f"{BASE}/logboek/verificatie", headers=_auth(token_for, rol)).status_code == 403
    )
    assert (
        client.post(f"{BASE}/logboek/_zoek", json={}, headers=_auth(token_for, rol)).status_code
        == 403
    )


def test_no_bsn_in_urls_logs_or_error_bodies(
    client: TestClient, token_for: Callable[..., str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    kcc = _auth(token_for, "kcc-medewerker")
    bodies = [
        client.post(f"{BASE}/personen", json=_raadpleeg(BSN), headers=kcc).text,
        client.post(f"{BASE}/personen", json=_raadpleeg("123456789"), headers=kcc).text,
        client.post(f"{BASE}/personen", json=_raadpleeg(BSN, doel="x"), headers=kcc).text,
        client.post(
            f"{BASE}/logboek/_zoek",
            json={"burgerservicenummer": "123456789"},
            headers=_auth(token_for, "privacy-officer"),
        ).text,
    ]
    for bsn in (BSN, "123456789"):
        assert bsn not in caplog.text
        assert all(bsn not in b for b in bodies[1:])


def test_an_unwritable_logboek_gives_503_and_no_person_data(
    tmp_path: Path,
    sqlite_url: str,
    dev_key: str,
    keys_env: None,
    token_for: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A read-only connection to the migrated file; the PostgreSQL variant (a database role
    # without INSERT on the logboek) is in test_pipeline.
    database_url = sqlite_url
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "testbrp")
    path = database_url.removeprefix("sqlite:///")
    runtime = Runtime.build(
        config_dir=_config(tmp_path),
        database_url=f"sqlite:///file:{path}?mode=ro&uri=true",
        extra_plugins=[("testbrp", personen_plugin)],
    )
    with TestClient(create_app(runtime)) as c:
        r = c.post(
            f"{BASE}/personen", json=_raadpleeg(BSN), headers=_auth(token_for, "kcc-medewerker")
        )
    assert r.status_code == 503
    assert "Dijk" not in r.text and "3653" not in r.text
    engine = create_engine(database_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(logboek_tables.LogboekRecord)) == 0
    engine.dispose()


def test_a_page_beyond_any_logboek_is_a_400_not_a_database_overflow(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    r = client.post(
        f"{BASE}/logboek/_zoek",
        json={"pagina": 10**20},
        headers=_auth(token_for, "privacy-officer"),
    )
    assert r.status_code == 400
    assert r.json()["invalidParams"][0]["name"] == "pagina"
