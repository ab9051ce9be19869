"""Request forms a front end trips over: BSN as string or list, malformed JSON, Dutch
validation messages, and the doelen a role may use (``GET /doelen``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub.api.app import create_app
from hub.runtime import Runtime
from hub.store.migrate import upgrade
from plugins.zaak.double.server import run_zgw_double
from tests.privacy import personen_plugin
from tests.privacy.persons import BSN
from tests.privacy.test_api import _config

BASE = "/api/v1/gemeenten/9999"
ZGW_SECRET = "zgw-test-secret-" + "s" * 24


@pytest.fixture(scope="module")
def zaaksysteem() -> Iterator[Any]:
    with run_zgw_double(prefix="ZAAK-F", clients={"kcc-hub": ZGW_SECRET}) as double:
        yield double


@pytest.fixture
def client(
    tmp_path: Path, dev_key: str, zaaksysteem: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "testbrp,zaak")
    monkeypatch.setenv("KCC_TEST_ZGW_SECRET", ZGW_SECRET)
    config = _config(tmp_path)
    gemeente = config / "gemeenten" / "9999.toml"
    gemeente.write_text(
        gemeente.read_text(encoding="utf-8") + "\n[[plugins.zaak.bronnen]]\n"
        'naam = "Open Zaak"\n'
        f'zaken_url = "{zaaksysteem.zaken_url}"\n'
        f'catalogi_urls = ["{zaaksysteem.catalogi_url}"]\n'
        'client_id = "kcc-hub"\n'
        'secret = "${KCC_TEST_ZGW_SECRET}"\n',
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    runtime = Runtime.build(
        config_dir=config, database_url=url, extra_plugins=[("testbrp", personen_plugin)]
    )
    with TestClient(create_app(runtime), raise_server_exceptions=False) as test_client:
        yield test_client
    runtime.store.engine.dispose()


def auth(token_for: Callable[..., str], role: str = "kcc-medewerker") -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(role)}"}


def invalid(response: Any) -> dict[str, dict[str, str]]:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {p["name"]: p for p in response.json().get("invalidParams", [])}


def test_personen_takes_one_bsn_as_a_string_as_well_as_a_list(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    vraag = {"type": "RaadpleegMetBurgerservicenummer", "doel": "kcc-identificatie"}
    as_list = client.post(
        f"{BASE}/personen", json={**vraag, "burgerservicenummer": [BSN]}, headers=auth(token_for)
    )
    as_text = client.post(
        f"{BASE}/personen", json={**vraag, "burgerservicenummer": BSN}, headers=auth(token_for)
    )
    assert as_list.status_code == as_text.status_code == 200, as_text.text
    assert persons_without_reference(as_text.json()) == persons_without_reference(as_list.json())


def persons_without_reference(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The persons of an answer; each persoonReferentie is fresh (sealed with its own nonce)."""
    return [
        {key: value for key, value in persoon.items() if key != "persoonReferentie"}
        for persoon in answer["personen"]
    ]


def test_zaken_takes_one_bsn_as_a_list_of_one_as_well_as_a_string(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    as_text = client.post(
        f"{BASE}/zaken/_zoek",
        json={"burgerservicenummer": BSN, "doel": "kcc-identificatie"},
        headers=auth(token_for),
    )
    as_list = client.post(
        f"{BASE}/zaken/_zoek",
        json={"burgerservicenummer": [BSN], "doel": "kcc-identificatie"},
        headers=auth(token_for),
    )
    assert as_text.status_code == as_list.status_code == 200, as_list.text
    assert as_text.json()["zaken"] == as_list.json()["zaken"]


def test_zaken_refuses_two_bsns_naming_the_field_without_echoing_them(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    response = client.post(
        f"{BASE}/zaken/_zoek",
        json={"burgerservicenummer": [BSN, "999990019"], "doel": "kcc-identificatie"},
        headers=auth(token_for),
    )
    problem = invalid(response)["burgerservicenummer"]
    assert "precies één" in problem["reason"]
    assert BSN not in response.text and "999990019" not in response.text


def test_malformed_json_names_the_body_with_line_and_column(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    body = '{\n  "type": "RaadpleegMetBurgerservicenummer",\n  "doel" "kcc-identificatie"\n}'
    response = client.post(
        f"{BASE}/personen",
        content=body,
        headers={**auth(token_for), "Content-Type": "application/json"},
    )
    problem = invalid(response)["body"]
    assert problem["code"] == "json"
    assert "regel 3, kolom 10" in problem["reason"]


@pytest.mark.parametrize(
    ("path", "name", "reason"),
    [
        ("/medewerkers?paginaGrootte=veel", "paginaGrootte", "Moet een geheel getal zijn."),
        ("/medewerkers?paginaGrootte=1000", "paginaGrootte", "Mag hoogstens 100 zijn."),
        ("/medewerkers?pagina=0", "pagina", "Moet minstens 1 zijn."),
        ("/medewerkers?alleenVrij=misschien", "alleenVrij", "Moet true of false zijn."),
    ],
)
def test_framework_validation_messages_are_in_dutch(
    client: TestClient, token_for: Callable[..., str], path: str, name: str, reason: str
) -> None:
    assert invalid(client.get(BASE + path, headers=auth(token_for)))[name]["reason"] == reason


def test_a_missing_body_field_is_required_in_dutch(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    response = client.post(
        f"{BASE}/zaken/_zoek", json={"burgerservicenummer": BSN}, headers=auth(token_for)
    )
    assert invalid(response)["doel"] == {
        "name": "doel",
        "code": "required",
        "reason": "Dit veld is verplicht.",
    }


def test_an_unknown_path_and_method_answer_in_dutch(client: TestClient) -> None:
    assert client.get("/api/v1/bestaat-niet").json()["detail"] == "Deze resource bestaat niet."
    response = client.delete(f"{BASE}/personen")
    assert response.status_code == 405
    assert response.json()["detail"] == "Deze methode is hier niet toegestaan."


@pytest.mark.parametrize(
    ("role", "codes"),
    [
        ("kcc-medewerker", ["kcc-identificatie"]),
        ("backoffice", ["kcc-identificatie", "zaakbehandeling"]),
        ("privacy-officer", ["audit"]),
    ],
)
def test_doelen_lists_what_the_callers_role_may_use(
    client: TestClient, token_for: Callable[..., str], role: str, codes: list[str]
) -> None:
    response = client.get(f"{BASE}/doelen", headers=auth(token_for, role))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rol"] == role
    assert [d["code"] for d in body["doelen"]] == codes
    assert all(d["omschrijving"] and d["verwerkingsactiviteit"] for d in body["doelen"])


def test_doelen_for_another_gemeente_is_forbidden(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    token = token_for("kcc-medewerker", gemeenten=("0363",))
    response = client.get(f"{BASE}/doelen", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
