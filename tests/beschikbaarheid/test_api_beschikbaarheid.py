"""GET /medewerkers/{id}/beschikbaarheid through the real app, store and plugin host."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from hub.api.app import create_app
from hub.beschikbaarheid.store import upsert
from hub.directory import store_medewerkers
from hub.domain.beschikbaarheid import Beschikbaarheid
from hub.domain.medewerkers import Medewerker
from hub.runtime import Runtime
from hub.store.migrate import upgrade
from plugins.exchange.double import RunningDouble
from plugins.exchange.tests.conftest import SECRET_ENV
from tests.support.fixtures import REPO

PREFIX = "/api/v1/gemeenten/9999"
MEDEWERKER = Medewerker(
    id="7f3c2a10-0000-4000-8000-000000000001",
    weergavenaam="Jansen, Ans",
    afdeling="Vergunningen",
    email="medewerker0000@gemeente.test",
)


@pytest.fixture
def runtime(
    graph: RunningDouble,
    tmp_path: Path,
    dev_key: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Runtime:
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "exchange")
    config = tmp_path / "config"
    (config / "gemeenten").mkdir(parents=True)
    shutil.copy(REPO / "config" / "hub.toml", config / "hub.toml")
    (config / "gemeenten" / "9999.toml").write_text(
        f"""naam = "Voorbeeldstad"
[plugins.exchange]
backend = "graph"
afzender = "kcc@gemeente.test"
[plugins.exchange.graph]
base_url = "{graph.base_url}/v1.0"
[plugins.exchange.graph.oauth2]
tenant_id = "gemeente-test"
client_id = "kcc-hub-test"
client_secret = "${{{SECRET_ENV}}}"
authority = "{graph.base_url}"
""",
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    rt = Runtime.build(config_dir=config, database_url=url)
    with rt.store.session() as session:
        store_medewerkers(session, "9999", [MEDEWERKER], datetime.now(UTC))
    return rt


@pytest.fixture
def client(runtime: Runtime) -> TestClient:
    return TestClient(create_app(runtime), raise_server_exceptions=False)


@pytest.fixture
def agent(token_for: Callable[..., str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for('kcc-medewerker')}"}


def _url(van: datetime | None = None, tot: datetime | None = None) -> str:
    query = []
    if van:
        query.append("van=" + quote(van.isoformat()))
    if tot:
        query.append("tot=" + quote(tot.isoformat()))
    return f"{PREFIX}/medewerkers/{MEDEWERKER.id}/beschikbaarheid" + (
        "?" + "&".join(query) if query else ""
    )


def test_busy_blocks_of_a_colleague_with_amsterdam_offsets(
    client: TestClient, agent: dict[str, str]
) -> None:
    nu = datetime.now(UTC)
    response = client.get(_url(nu - timedelta(hours=3), nu + timedelta(hours=8)), headers=agent)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["actueel"] is True
    blocks = body["beschikbaarheid"]["bezet"]
    assert blocks, "medewerker0000 has meetings around now in the synthetic calendars"
    assert all(b["van"][-6:] in ("+01:00", "+02:00") for b in blocks)
    assert set(blocks[0]) == {"van", "tot", "soort"}
    assert body["beschikbaarheid"]["status"] in {"vrij", "bezet"}


def test_a_fresh_stored_answer_is_served_without_asking_exchange(
    client: TestClient, agent: dict[str, str], graph: RunningDouble
) -> None:
    assert client.get(_url(), headers=agent).status_code == 200
    calls = graph.kalenders.count("getSchedule")
    second = client.get(_url(), headers=agent)
    assert second.status_code == 200
    assert graph.kalenders.count("getSchedule") == calls


def test_with_exchange_unreachable_the_last_known_answer_comes_with_its_age(
    client: TestClient, agent: dict[str, str], graph: RunningDouble, runtime: Runtime
) -> None:
    nu = datetime.now(UTC)
    first = client.get(_url(), headers=agent).json()["beschikbaarheid"]

    with runtime.store.session() as session:  # make it an hour old
        upsert(
            session,
            "9999",
            [Beschikbaarheid.model_validate(first)],
            nu - timedelta(hours=1),
            venster_tot=nu + timedelta(days=3),
        )
    graph.kalenders.fouten.down = True
    response = client.get(_url(), headers=agent)
    assert response.status_code == 200, response.text
    assert response.json()["actueel"] is False
    assert response.json()["leeftijdSeconden"] >= 3600


def test_the_plugins_page_shows_exchange_unhealthy_when_unreachable(
    client: TestClient,
    graph: RunningDouble,
    token_for: Callable[..., str],
) -> None:
    graph.kalenders.fouten.down = True
    headers = {"Authorization": f"Bearer {token_for('beheerder')}"}
    response = client.get(f"{PREFIX}/plugins", headers=headers)
    assert response.status_code == 200, response.text
    [exchange] = [p for p in response.json()["plugins"] if p["naam"] == "exchange"]
    assert exchange["gezondheid"] == "down"


def test_unknown_medewerker_is_404(client: TestClient, agent: dict[str, str]) -> None:
    response = client.get(f"{PREFIX}/medewerkers/bestaat-niet/beschikbaarheid", headers=agent)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_time_without_offset_is_refused(client: TestClient, agent: dict[str, str]) -> None:
    response = client.get(
        f"{PREFIX}/medewerkers/{MEDEWERKER.id}/beschikbaarheid?van=2026-11-23T09:00:00",
        headers=agent,
    )
    assert response.status_code == 400


def test_a_window_longer_than_41_days_is_refused(client: TestClient, agent: dict[str, str]) -> None:
    nu = datetime.now(UTC)
    response = client.get(_url(nu, nu + timedelta(days=42)), headers=agent)
    assert response.status_code == 400


def test_another_gemeentes_token_gets_no_availability(
    client: TestClient,
    token_for: Callable[..., str],
) -> None:
    headers = {"Authorization": f"Bearer {token_for('kcc-medewerker', gemeenten=('0363',))}"}
    assert client.get(_url(), headers=headers).status_code == 403
