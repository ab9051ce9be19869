"""``GET meldingen/categorieen`` and ``POST meldingen/_zoek`` (issue 10, acceptance 4)."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from hub.runtime import Runtime
from plugins.fixi.double.server import CATEGORIES
from tests.klantbeeld.conftest import headers, records, url

MELDING = {
    "categorie": "Straatverlichting",
    "omschrijving": "Lantaarnpaal brandt niet",
    "locatie": {"adres": "Dorpsstraat 12", "woonplaats": "Demodam"},
    "melder": {"naam": "S. Jansen", "telefoonnummer": "06-1234 5678"},
}


def _indienen(client: TestClient, melding: dict[str, object]) -> object:
    return client.post(
        url("/meldingen"),
        json=melding,
        headers={**headers(), "Idempotency-Key": str(uuid.uuid4())},
    )


def test_the_categories_endpoint_lists_the_categories_of_fixi(client: TestClient) -> None:
    response = client.get(url("/meldingen/categorieen"), headers=headers())

    assert response.status_code == 200, response.text
    assert sorted(c["naam"] for c in response.json()) == sorted(c["name"] for c in CATEGORIES)


def test_a_melding_with_an_unknown_category_is_a_400_naming_categorie_at_once(
    client: TestClient, runtime: Runtime
) -> None:
    response = client.post(
        url("/meldingen"),
        json={**MELDING, "categorie": "Vliegende schotels"},
        headers={**headers(), "Idempotency-Key": str(uuid.uuid4())},
    )

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["invalidParams"][0]["name"] == "categorie"


def test_a_callers_meldingen_are_found_by_phone_in_the_body_and_the_search_is_logged(
    client: TestClient, runtime: Runtime
) -> None:
    assert _indienen(client, MELDING).status_code == 202  # type: ignore[attr-defined]

    response = client.post(
        url("/meldingen/_zoek"), json={"telefoonnummer": "+31612345678"}, headers=headers()
    )

    assert response.status_code == 200, response.text
    [gevonden] = response.json()["resultaten"]
    assert gevonden["categorie"] == "Straatverlichting"
    assert "0612345678" not in response.text
    [record] = records(runtime)
    assert record.name == "meldingen-zoeken"


def test_meldingen_are_found_only_in_their_own_gemeente(client: TestClient) -> None:
    assert _indienen(client, MELDING).status_code == 202  # type: ignore[attr-defined]

    response = client.post(
        url("/meldingen/_zoek", "0363"), json={"telefoonnummer": "0612345678"}, headers=headers()
    )

    assert response.json()["resultaten"] == []


def test_a_search_by_bsn_without_doel_is_refused_naming_doel(client: TestClient) -> None:
    response = client.post(
        url("/meldingen/_zoek"), json={"burgerservicenummer": "999993653"}, headers=headers()
    )

    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "doel"
