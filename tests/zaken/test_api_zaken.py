"""``POST /zaken/_zoek`` and ``GET /zaken/{identificatie}`` through the real app (issue 6, API)."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hub.api.app import create_app
from hub.auth import issue_dev_token
from hub.privacy.logboek.tables import LogboekBetrokkene, LogboekRecord
from hub.runtime import Runtime
from hub.store.migrate import upgrade
from hub.tenants import AuthSettings
from plugins.zaak.double import ZgwDouble

REPO = Path(__file__).resolve().parents[2]
ZOEK = "/api/v1/gemeenten/9999/zaken/_zoek"
BSN = "999991929"
DEV_KEY = "zaak-api-test-dev-key-" + "k" * 40


def _bron_toml(double: ZgwDouble, naam: str, env: str, extra: str = "") -> str:
    return (
        "[[plugins.zaak.bronnen]]\n"
        f'naam = "{naam}"\n'
        f'zaken_url = "{double.zaken_url}"\n'
        f'catalogi_urls = ["{double.catalogi_url}"]\n'
        'client_id = "kcc-hub"\n'
        f'secret = "${{{env}}}"\n'
        # Above the double's queueing under 8 parallel lookups (no per-request retries now).
        "timeout_seconds = 0.8\n"
        "max_attempts = 2\n"
        "retry_wait_seconds = 0.01\n" + extra
    )


@pytest.fixture
def client(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    zaaksysteem_a: ZgwDouble,
    zaaksysteem_b: ZgwDouble,
) -> Iterator[TestClient]:
    monkeypatch.setenv("KCC_HUB_DEV_KEY", DEV_KEY)
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "zaak")
    monkeypatch.setenv("KCC_LOGBOEK_HMAC_SLEUTEL", base64.b64encode(b"h" * 32).decode())
    monkeypatch.setenv("KCC_LOGBOEK_ENCRYPTIE_SLEUTEL", base64.b64encode(b"e" * 32).decode())
    config = tmp_path / "config"
    (config / "gemeenten").mkdir(parents=True)
    shutil.copy(REPO / "config" / "hub.toml", config / "hub.toml")
    # The core's retry policy: two attempts per call (the tests count them).
    hub_toml = config / "hub.toml"
    hub_toml.write_text(
        hub_toml.read_text(encoding="utf-8").replace(
            "plugin_retry_attempts = 3", "plugin_retry_attempts = 2"
        ),
        encoding="utf-8",
    )
    (config / "gemeenten" / "9999.toml").write_text(
        'naam = "Voorbeeldstad"\n'
        "[[doelen]]\n"
        'code = "kcc-vraag"\n'
        'omschrijving = "De vraag van de beller beantwoorden"\n'
        'verwerkingsactiviteit = "https://register.voorbeeldstad.nl/va/kcc-1"\n'
        'rollen = ["kcc-medewerker", "backoffice"]\n'
        + _bron_toml(zaaksysteem_a, "Open Zaak", "ZGW_SECRET_A")
        + _bron_toml(zaaksysteem_b, "Zaaksysteem B", "ZGW_SECRET_B"),
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    runtime = Runtime.build(config_dir=config, database_url=url)
    with TestClient(create_app(runtime), raise_server_exceptions=False) as test_client:
        test_client.runtime = runtime  # type: ignore[attr-defined]
        yield test_client


def headers(*roles: str) -> dict[str, str]:
    auth = AuthSettings.model_validate({"dev_key": "${KCC_HUB_DEV_KEY}"})
    token = issue_dev_token(
        auth, subject="m.devries", gemeenten=["9999"], roles=list(roles or ["kcc-medewerker"])
    )
    return {"Authorization": f"Bearer {token}"}


def logboek(client: TestClient) -> list[Any]:
    runtime: Runtime = client.runtime  # type: ignore[attr-defined]
    with runtime.store.session() as session:
        return list(session.scalars(select(LogboekRecord).order_by(LogboekRecord.id)))


def test_a_person_gets_zaken_from_both_zaaksystemen_and_the_lookup_is_in_the_logboek(
    client: TestClient, zaaksysteem_a: ZgwDouble, zaaksysteem_b: ZgwDouble
) -> None:
    in_a = zaaksysteem_a.add_zaken(bsn=BSN, aantal=9)
    in_b = zaaksysteem_b.add_zaken(bsn=BSN, aantal=2)

    response = client.post(
        ZOEK, json={"burgerservicenummer": BSN, "doel": "kcc-vraag"}, headers=headers()
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert sorted(z["identificatie"] for z in body["zaken"]) == sorted(in_a + in_b)
    assert all(z["status"] and z["zaaktype"] and z["bron"] for z in body["zaken"])
    assert {b["bron"]: b["status"] for b in body["bronnen"]} == {
        "Open Zaak": "ok",
        "Zaaksysteem B": "ok",
    }
    [record] = logboek(client)
    assert record.name == "zaken-zoeken" and record.status == "ok" and record.doel == "kcc-vraag"
    assert record.processing_activity_id == "https://register.voorbeeldstad.nl/va/kcc-1"
    runtime: Runtime = client.runtime  # type: ignore[attr-defined]
    with runtime.store.session() as session:
        betrokkene = session.scalars(select(LogboekBetrokkene)).one()
        assert BSN not in betrokkene.betrokkene_hash + betrokkene.bsn_versleuteld


def test_with_one_zaaksysteem_down_the_other_answers_and_the_failure_is_reported(
    client: TestClient, zaaksysteem_a: ZgwDouble, zaaksysteem_b: ZgwDouble
) -> None:
    in_a = zaaksysteem_a.add_zaken(bsn="999990640", aantal=2)
    zaaksysteem_b.faults.status = 503

    response = client.post(
        ZOEK, json={"burgerservicenummer": "999990640", "doel": "kcc-vraag"}, headers=headers()
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert sorted(z["identificatie"] for z in body["zaken"]) == sorted(in_a)
    status = {b["bron"]: b for b in body["bronnen"]}
    assert status["Zaaksysteem B"]["status"] == "mislukt"


def test_a_wrong_zgw_secret_gives_a_502_problem_about_the_credentials(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZGW_SECRET_A", "fout-geheim-fout-geheim-fout-geheim-123")
    monkeypatch.setenv("ZGW_SECRET_B", "fout-geheim-fout-geheim-fout-geheim-123")

    response = client.post(
        ZOEK, json={"burgerservicenummer": BSN, "doel": "kcc-vraag"}, headers=headers()
    )

    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert "weigert de inloggegevens" in problem["detail"]
    assert "fout-geheim" not in response.text and BSN not in response.text
    assert logboek(client)[-1].status == "bronfout"


def test_an_upstream_timeout_gives_a_504_problem_after_bounded_retries(
    client: TestClient, zaaksysteem_a: ZgwDouble, zaaksysteem_b: ZgwDouble
) -> None:
    zaaksysteem_a.faults.hang_seconds = 1.0
    zaaksysteem_b.faults.hang_seconds = 1.0

    response = client.post(
        ZOEK, json={"burgerservicenummer": BSN, "doel": "kcc-vraag"}, headers=headers()
    )

    assert response.status_code == 504
    assert "na 2 pogingen" in response.json()["detail"]
    assert zaaksysteem_a.requests["POST /zaken/api/v1/zaken/_zoek"] == 2


def test_an_unknown_doel_is_refused_and_still_logged(client: TestClient) -> None:
    response = client.post(
        ZOEK, json={"burgerservicenummer": BSN, "doel": "nieuwsgierig"}, headers=headers()
    )

    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "doel"
    assert logboek(client)[-1].status == "ongeldig_verzoek"


def test_a_bsn_failing_the_eleven_test_is_refused_without_echoing_it(client: TestClient) -> None:
    response = client.post(
        ZOEK, json={"burgerservicenummer": "123456789", "doel": "kcc-vraag"}, headers=headers()
    )

    assert response.status_code == 400
    assert "123456789" not in response.text


def test_bsn_and_kvk_together_are_refused(client: TestClient) -> None:
    response = client.post(
        ZOEK,
        json={"burgerservicenummer": BSN, "kvkNummer": "69599084", "doel": "kcc-vraag"},
        headers=headers(),
    )
    assert response.status_code == 400


def test_an_organisation_gets_its_zaken_by_kvk_number_without_a_betrokkene(
    client: TestClient, zaaksysteem_a: ZgwDouble
) -> None:
    in_a = zaaksysteem_a.add_zaken(kvk="12345678", aantal=2)

    response = client.post(
        ZOEK, json={"kvkNummer": "12345678", "doel": "kcc-vraag"}, headers=headers()
    )

    assert response.status_code == 200, response.text
    assert sorted(z["identificatie"] for z in response.json()["zaken"]) == sorted(in_a)
    assert logboek(client) == []


def test_one_zaak_is_found_by_identificatie(client: TestClient, zaaksysteem_b: ZgwDouble) -> None:
    [identificatie] = zaaksysteem_b.add_zaken(bsn="999990640", aantal=1)

    response = client.get(f"/api/v1/gemeenten/9999/zaken/{identificatie}", headers=headers())

    assert response.status_code == 200, response.text
    assert response.json()["bron"] == "Zaaksysteem B"
    assert response.json()["identificatie"] == identificatie


def test_an_unknown_zaak_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/gemeenten/9999/zaken/ZAAK-ONBEKEND", headers=headers())
    assert response.status_code == 404


def test_a_privacy_officer_may_not_search_zaken(client: TestClient) -> None:
    response = client.post(
        ZOEK,
        json={"burgerservicenummer": BSN, "doel": "kcc-vraag"},
        headers=headers("privacy-officer"),
    )
    assert response.status_code == 403
