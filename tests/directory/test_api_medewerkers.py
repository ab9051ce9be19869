"""``GET /medewerkers`` and ``GET /medewerkers/{id}``: served from the store, with timestamps."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import hub.directory
from hub.api.app import create_app
from hub.runtime import Runtime
from hub.store.migrate import upgrade
from hub.sync import state
from tests.directory.test_directory_search import PEOPLE

REPO = Path(__file__).resolve().parents[2]
URL = "/api/v1/gemeenten/9999/medewerkers"
SYNCED = datetime(2026, 11, 22, 7, 30, tzinfo=UTC)
RUN_FINISHED = datetime(2026, 11, 22, 7, 31, tzinfo=UTC)
AD_TABLE = """
[plugins.ad]
servers = ["127.0.0.1:9"]
bind_user = "svc-kcchub@gemeente.test"
bind_password = "${KCC_TEST_AD_UNUSED}"
search_bases = ["OU=Gemeente,DC=gemeente,DC=test"]
"""


@pytest.fixture
def client(tmp_path: Path, dev_key: str, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "ad")
    config = tmp_path / "config"
    (config / "gemeenten").mkdir(parents=True)
    shutil.copy(REPO / "config" / "hub.toml", config / "hub.toml")
    (config / "gemeenten" / "9999.toml").write_text('naam = "Voorbeeldstad"\n' + AD_TABLE)
    (config / "gemeenten" / "0363.toml").write_text('naam = "Amsterdam"\n' + AD_TABLE)
    (config / "gemeenten" / "0001.toml").write_text('naam = "Zondergids"\n')
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    rt = Runtime.build(config_dir=config, database_url=url)
    with rt.store.session() as session:
        hub.directory.store_medewerkers(session, "9999", PEOPLE, SYNCED)
        hub.directory.store_medewerkers(session, "0363", PEOPLE[:1], SYNCED)
        session.add(
            state.SyncRun(
                gemeente="9999", plugin="ad", started_at=SYNCED, finished_at=RUN_FINISHED,
                status="ok", full=True, records=len(PEOPLE),
            )
        )  # fmt: skip
    return TestClient(create_app(rt), raise_server_exceptions=False)


@pytest.fixture
def auth(token_for: Callable[..., str]) -> Callable[..., dict[str, str]]:
    def headers(*roles: str, gemeenten: tuple[str, ...] = ("9999",)) -> dict[str, str]:
        token = token_for(*(roles or ("kcc-medewerker",)), gemeenten=gemeenten)
        return {"Authorization": f"Bearer {token}"}

    return headers


def test_search_returns_ranked_results_with_sync_timestamp(
    client: TestClient, auth: Callable[..., dict[str, str]]
) -> None:
    response = client.get(URL, params={"zoek": "Jan Janssen"}, headers=auth())
    assert response.status_code == 200, response.text
    assert response.headers["API-Version"]
    body = response.json()
    assert body["totaal"] == 2
    assert {(r["afdeling"], r["functie"]) for r in body["resultaten"]} == {
        ("Burgerzaken", "Baliemedewerker"),
        ("Belastingen", "Adviseur WOZ"),
    }
    first = body["resultaten"][0]
    assert first["gesynchroniseerdOp"].startswith("2026-11-22T07:30:00")
    assert {"telefoonnummer", "email", "kamer", "weergavenaam"} <= set(first)


def test_the_list_says_when_the_directory_was_last_synchronised(
    client: TestClient, auth: Callable[..., dict[str, str]]
) -> None:
    body = client.get(URL, params={"zoek": "visser"}, headers=auth()).json()
    assert body["laatsteSynchronisatie"].startswith("2026-11-22T07:31:00")


def test_pages_are_numbered_from_one(
    client: TestClient, auth: Callable[..., dict[str, str]]
) -> None:
    one = client.get(URL, params={"pagina": 1, "paginaGrootte": 5}, headers=auth()).json()
    three = client.get(URL, params={"pagina": 3, "paginaGrootte": 5}, headers=auth()).json()
    assert one["pagina"] == 1 and one["paginaGrootte"] == 5 and one["totaal"] == len(PEOPLE)
    assert len(one["resultaten"]) == 5 and len(three["resultaten"]) == len(PEOPLE) - 10


@pytest.mark.parametrize("role", ["kcc-medewerker", "backoffice", "beheerder"])
def test_the_directory_roles_may_search(
    client: TestClient, auth: Callable[..., dict[str, str]], role: str
) -> None:
    assert client.get(URL, params={"zoek": "berg"}, headers=auth(role)).status_code == 200


def test_the_privacy_officer_role_may_not(
    client: TestClient, auth: Callable[..., dict[str, str]]
) -> None:
    response = client.get(URL, headers=auth("privacy-officer"))
    assert response.status_code == 403


def test_one_medewerker_by_id(client: TestClient, auth: Callable[..., dict[str, str]]) -> None:
    response = client.get(f"{URL}/{PEOPLE[4].id}", headers=auth())
    assert response.status_code == 200
    body = response.json()
    assert body["achternaam"] == "Özdemir"
    assert body["gesynchroniseerdOp"].startswith("2026-11-22T07:30")
    assert body.get("beschikbaarheid") is None


def test_an_unknown_id_is_404_problem(
    client: TestClient, auth: Callable[..., dict[str, str]]
) -> None:
    response = client.get(f"{URL}/onbekend", headers=auth())
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_another_gemeentes_medewerker_is_not_found_there(
    client: TestClient, auth: Callable[..., dict[str, str]]
) -> None:
    other = auth(gemeenten=("0363",))
    response = client.get(f"/api/v1/gemeenten/0363/medewerkers/{PEOPLE[4].id}", headers=other)
    assert response.status_code == 404
    assert client.get(URL, headers=other).status_code == 403


def test_a_gemeente_without_a_directory_gets_a_capability_problem(
    client: TestClient, auth: Callable[..., dict[str, str]]
) -> None:
    response = client.get("/api/v1/gemeenten/0001/medewerkers", headers=auth(gemeenten=("0001",)))
    # The core decides the status of CapabilityMissing; the problem names the cause.
    assert response.status_code in (404, 501), response.text
    assert response.json()["title"] == "Niet beschikbaar voor deze gemeente"


@pytest.mark.parametrize(
    "params",
    [
        {"zoek": "*)(uid=*"},
        {"zoek": "' OR 1=1 --"},
        {"zoek": "\\00"},
        {"zoek": "jan\x00sen"},
        {"zoek": "x" * 5000},
        {"zoek": "Иван 山田 Jan"},
        {"zoek": "%00%27"},
        {"afdeling": "' OR 1=1 --"},
        {"functie": "*)("},
        {"pagina": "0"},
        {"paginaGrootte": "1000"},
        {"pagina": "abc"},
    ],
)
def test_hostile_input_gives_200_or_400_problem_never_5xx(
    client: TestClient, auth: Callable[..., dict[str, str]], params: dict[str, Any]
) -> None:
    response = client.get(URL, params=params, headers=auth())
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.headers["content-type"] == "application/problem+json"
    else:
        assert response.json()["totaal"] < len(PEOPLE)
