"""persoonReferentie (issue 10, acceptance 2): a kcc-medewerker who found a person by name opens
klantbeeld and zaken without ever receiving the BSN; foreign and expired references are refused
naming the field, and the logboek shows each use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from hub.privacy.referentie import Referenties
from hub.privacy.settings import privacy_for
from hub.runtime import Runtime
from tests.klantbeeld.conftest import BSN, headers, inzage, records, url

ZOEK_OP_NAAM = {
    "type": "ZoekMetGeslachtsnaamEnGeboortedatum",
    "geslachtsnaam": "Jansen",
    "geboortedatum": "1985-04-12",
    "doel": "kcc-identificatie",
}


def _referentie(client: TestClient, code: str = "9999", subject: str = "m.devries") -> str:
    response = client.post(
        url("/personen", code), json=ZOEK_OP_NAAM, headers=headers(subject=subject)
    )
    assert response.status_code == 200, response.text
    assert BSN not in response.text
    [suzanne] = [
        p for p in response.json()["personen"] if p["naam"]["voornamen"].startswith("Suzanne")
    ]
    return str(suzanne["persoonReferentie"])


def test_a_name_search_gives_each_person_a_reference_without_revealing_the_bsn(
    client: TestClient,
) -> None:
    response = client.post(url("/personen"), json=ZOEK_OP_NAAM, headers=headers())

    personen = response.json()["personen"]
    assert len(personen) == 2 and all(p["persoonReferentie"] for p in personen)
    assert BSN not in response.text


def test_klantbeeld_and_zaken_open_through_the_reference_and_never_return_the_bsn(
    client: TestClient, runtime: Runtime
) -> None:
    referentie = _referentie(client)

    beeld = client.post(
        url("/klantbeeld"),
        json={"persoonReferentie": referentie, "doel": "kcc-identificatie"},
        headers=headers(),
    )
    zaken = client.post(
        url("/zaken/_zoek"),
        json={"persoonReferentie": referentie, "doel": "kcc-identificatie"},
        headers=headers(),
    )

    assert beeld.status_code == 200, beeld.text
    assert beeld.json()["persoon"]["status"] == "ok"
    assert beeld.json()["persoon"]["persoon"]["naam"]["voornamen"] == "Suzanne Maria"
    assert beeld.json()["zaken"]["status"] == "ok" and beeld.json()["zaken"]["zaken"]
    assert zaken.status_code == 200, zaken.text
    assert len(zaken.json()["zaken"]) == 3
    assert BSN not in beeld.text + zaken.text
    assert ("klantbeeld", "ok") in inzage(runtime, BSN)
    assert ("zaken-zoeken", "ok") in inzage(runtime, BSN)


def test_a_reference_used_by_another_medewerker_is_refused_and_logged_against_the_person(
    client: TestClient, runtime: Runtime
) -> None:
    referentie = _referentie(client, subject="m.devries")

    response = client.post(
        url("/klantbeeld"),
        json={"persoonReferentie": referentie, "doel": "kcc-identificatie"},
        headers=headers(subject="j.dekker"),
    )

    assert response.status_code == 400
    problem = response.json()
    assert problem["invalidParams"][0]["name"] == "persoonReferentie"
    assert BSN not in response.text
    assert ("klantbeeld", "ongeldig_verzoek") in inzage(runtime, BSN)


def test_a_reference_of_another_gemeente_is_refused_naming_the_field(
    client: TestClient, runtime: Runtime
) -> None:
    referentie = _referentie(client, code="0363")

    response = client.post(
        url("/zaken/_zoek"),
        json={"persoonReferentie": referentie, "doel": "kcc-identificatie"},
        headers=headers(),
    )

    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "persoonReferentie"
    [poging] = [r for r in records(runtime) if r.name == "zaken-zoeken"]
    assert poging.status == "ongeldig_verzoek" and "persoonReferentie" in (poging.signalen or "")


def test_an_expired_reference_is_refused_and_the_attempt_is_in_the_persons_inzage(
    client: TestClient, runtime: Runtime
) -> None:
    privacy = privacy_for(runtime.tenants.gemeenten["9999"])
    verlopen = Referenties.voor(privacy).maak(
        BSN, "m.devries", nu=datetime.now(UTC) - timedelta(hours=2)
    )

    response = client.post(
        url("/klantbeeld"),
        json={"persoonReferentie": verlopen, "doel": "kcc-identificatie"},
        headers=headers(),
    )

    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "persoonReferentie"
    assert "verlopen" in response.json()["detail"]
    assert inzage(runtime, BSN) == [("klantbeeld", "ongeldig_verzoek")]
