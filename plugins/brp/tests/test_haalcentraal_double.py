"""The Haal Centraal double behaves like the BRP API and really checks the spec.

These tests talk to the double with plain httpx, not with our client, so they
pin down the double itself: if they pass, client tests against it mean something.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from hub.bsn import is_valid_bsn
from plugins.brp.double import persons
from plugins.brp.double.haalcentraal import HaalCentraalDouble
from plugins.brp.double.spec import field_paths

JSON = {"Content-Type": "application/json; charset=utf-8"}


def post(double: HaalCentraalDouble, body: dict[str, Any], **headers: str) -> httpx.Response:
    return httpx.post(
        double.base_url + "/personen", content=json.dumps(body), headers={**JSON, **headers}
    )


def raadpleeg(bsns: list[str], fields: list[str]) -> dict[str, Any]:
    return {
        "type": "RaadpleegMetBurgerservicenummer",
        "burgerservicenummer": bsns,
        "fields": fields,
    }


def test_there_are_at_least_30_synthetic_persons_with_valid_bsns() -> None:
    bsns = [p["burgerservicenummer"] for p in persons.PERSONEN]
    assert len(bsns) >= 30
    assert len(set(bsns)) == len(bsns)
    assert all(is_valid_bsn(b) for b in bsns)


def test_the_demo_person_is_a_plain_adult_in_voorbeeldstad() -> None:
    demo = persons.by_bsn(persons.DEMO_BSN)
    assert demo is not None
    assert demo["gemeenteVanInschrijving"] == {"code": "9999", "omschrijving": "Voorbeeldstad"}
    assert "geheimhoudingPersoonsgegevens" not in demo and "overlijden" not in demo
    assert demo["verblijfplaats"]["type"] == "Adres"


@pytest.mark.parametrize(
    "feature",
    [
        lambda p: p.get("geheimhoudingPersoonsgegevens") is True,
        lambda p: "overlijden" in p,
        lambda p: "inOnderzoek" in p,
        lambda p: p["geboorte"]["datum"]["type"] == "JaarMaandDatum",
        lambda p: p["geboorte"]["datum"]["type"] == "JaarDatum",
        lambda p: p["geboorte"]["datum"]["type"] == "DatumOnbekend",
        lambda p: "voorvoegsel" in p["naam"],
        lambda p: p["naam"].get("adellijkeTitelPredicaat", {}).get("soort") == "titel",
        lambda p: p["naam"].get("adellijkeTitelPredicaat", {}).get("soort") == "predicaat",
        lambda p: bool(p.get("partners")),
        lambda p: bool(p.get("kinderen")),
        lambda p: bool(p.get("ouders")),
        lambda p: len(p.get("nationaliteiten", [])) > 1,
        lambda p: "rni" in p,
        lambda p: p.get("verblijfplaats", {}).get("type") == "VerblijfplaatsBuitenland",
        lambda p: "ontbindingHuwelijkPartnerschap" in (p.get("partners") or [{}])[0],
    ],
)
def test_the_population_covers_each_special_case(feature: Any) -> None:
    assert any(feature(p) for p in persons.PERSONEN)


def test_every_person_with_every_field_is_a_valid_answer(hc_double: HaalCentraalDouble) -> None:
    every = sorted(field_paths("Persoon"))
    bsns = [p["burgerservicenummer"] for p in persons.PERSONEN]
    for start in range(0, len(every), 130):
        for first in range(0, len(bsns), 20):
            response = post(
                hc_double, raadpleeg(bsns[first : first + 20], every[start : start + 130])
            )
            assert response.status_code == 200, response.text
    # The fixture asserts that the double found nothing off-spec in its own answers.


def test_fields_limits_the_answer_to_the_asked_paths(hc_double: HaalCentraalDouble) -> None:
    response = post(hc_double, raadpleeg([persons.DEMO_BSN], ["naam.voornamen", "geboorte.datum"]))
    assert response.json()["personen"] == [
        {
            "naam": {"voornamen": "Suzanne Maria"},
            "geboorte": {
                "datum": {"type": "Datum", "datum": "1985-04-12", "langFormaat": "12 april 1985"}
            },
        }
    ]


def test_secrecy_and_onderzoek_are_delivered_without_being_asked(
    hc_double: HaalCentraalDouble,
) -> None:
    response = post(hc_double, raadpleeg(["999991255"], ["naam.geslachtsnaam"]))
    persoon = response.json()["personen"][0]
    assert persoon["geheimhoudingPersoonsgegevens"] is True
    assert persoon["inOnderzoek"]["gemeenteVanInschrijving"] is True


def test_a_polymorphic_object_keeps_its_type(hc_double: HaalCentraalDouble) -> None:
    response = post(hc_double, raadpleeg(["999996137"], ["verblijfplaats.verblijfadres.regel1"]))
    assert response.json()["personen"][0]["verblijfplaats"] == {
        "type": "VerblijfplaatsBuitenland",
        "verblijfadres": {"regel1": "Rue de la Loi 16"},
    }


def test_a_bsn_failing_the_11_proof_gives_no_personen(hc_double: HaalCentraalDouble) -> None:
    response = post(hc_double, raadpleeg(["999993654"], ["naam"]))
    assert response.status_code == 200
    assert response.json() == {"type": "RaadpleegMetBurgerservicenummer", "personen": []}


def test_a_query_type_without_its_required_parameter_is_a_400_with_invalid_params(
    hc_double: HaalCentraalDouble,
) -> None:
    response = post(hc_double, {"type": "RaadpleegMetBurgerservicenummer", "fields": ["naam"]})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["invalidParams"] == [
        {
            "type": "https://www.vng.nl/realisatie/api/validaties/required",
            "name": "burgerservicenummer",
            "code": "required",
            "reason": "Parameter is verplicht.",
        }
    ]


@pytest.mark.parametrize(
    ("body", "name", "code"),
    [
        (raadpleeg(["99999365"], ["naam"]), "burgerservicenummer", "pattern"),
        (raadpleeg([persons.DEMO_BSN], []), "fields", "minItems"),
        (raadpleeg([persons.DEMO_BSN], ["naam.bestaatNiet"]), "fields", "field"),
        (raadpleeg([persons.DEMO_BSN], ["geheimhoudingPersoonsgegevens"]), "fields", "field"),
        (raadpleeg([persons.DEMO_BSN], ["naam.inOnderzoek"]), "fields", "field"),
        ({**raadpleeg([persons.DEMO_BSN], ["naam"]), "doel": "x"}, "doel", "unknownParam"),
        ({"type": "ZoekMetIets", "fields": ["naam"]}, "type", "value"),
        (
            {
                "type": "ZoekMetPostcodeEnHuisnummer",
                "postcode": "9999AA",
                "huisnummer": "12",
                "fields": ["naam"],
            },
            "huisnummer",
            "integer",
        ),
        (
            {
                "type": "ZoekMetGeslachtsnaamEnGeboortedatum",
                "geslachtsnaam": "Jansen",
                "geboortedatum": "12-04-1985",
                "fields": ["naam"],
            },
            "geboortedatum",
            "date",
        ),
        (
            {
                "type": "ZoekMetPostcodeEnHuisnummer",
                "postcode": "9999AA",
                "huisnummer": 12,
                "fields": ["verblijfplaats"],
            },
            "fields",
            "field",
        ),
    ],
)
def test_off_spec_requests_get_a_400_naming_the_parameter(
    hc_double: HaalCentraalDouble, body: dict[str, Any], name: str, code: str
) -> None:
    response = post(hc_double, body)
    assert response.status_code == 400, response.text
    params = response.json()["invalidParams"]
    assert {"name": name, "code": code} in [{"name": p["name"], "code": p["code"]} for p in params]


def test_an_off_spec_answer_of_the_double_itself_is_caught(hc_double: HaalCentraalDouble) -> None:
    hc_double.personen[0]["verblijfplaats"]["verblijfadres"]["postcode"] = "not a postcode"
    response = post(
        hc_double, raadpleeg([persons.DEMO_BSN], ["verblijfplaats.verblijfadres.postcode"])
    )
    assert response.status_code == 500
    assert "postcode" in "".join(hc_double.spec_violations) or hc_double.spec_violations
    hc_double.spec_violations.clear()


def test_searches_find_persons_and_skip_the_deceased(hc_double: HaalCentraalDouble) -> None:
    by_name = post(
        hc_double,
        {
            "type": "ZoekMetGeslachtsnaamEnGeboortedatum",
            "geslachtsnaam": "jans*",
            "geboortedatum": "1985-04-12",
            "fields": ["burgerservicenummer"],
        },
    ).json()
    assert [p["burgerservicenummer"] for p in by_name["personen"]] == [
        persons.DEMO_BSN,
        "999999102",
    ]
    at_address = post(
        hc_double,
        {
            "type": "ZoekMetPostcodeEnHuisnummer",
            "postcode": "9999 aj",
            "huisnummer": 8,
            "fields": ["naam.voornamen"],
        },
    ).json()
    assert len(at_address["personen"]) == 4
    living = {
        "type": "ZoekMetPostcodeEnHuisnummer",
        "postcode": "9999AD",
        "huisnummer": 40,
        "fields": ["burgerservicenummer"],
    }
    assert post(hc_double, living).json()["personen"] == []
    assert (
        len(post(hc_double, {**living, "inclusiefOverledenPersonen": True}).json()["personen"]) == 1
    )


def test_search_by_name_and_gemeente_van_inschrijving(hc_double: HaalCentraalDouble) -> None:
    body = {
        "type": "ZoekMetNaamEnGemeenteVanInschrijving",
        "geslachtsnaam": "Jansen",
        "voornamen": "Eva",
        "gemeenteVanInschrijving": "0363",
        "fields": ["leeftijd"],
    }
    assert post(hc_double, body).json()["personen"] == [{"leeftijd": 35}]


def test_proxy_headers_are_recorded_and_geleverde_pls_reported(
    hc_double: HaalCentraalDouble,
) -> None:
    response = post(
        hc_double,
        raadpleeg([persons.DEMO_BSN, "999999102"], ["naam"]),
        **{"x-doelbinding": "KCC-verificatie", "x-gebruiker": "medewerker-1"},
    )
    assert response.headers["x-geleverde-pls"] == "1000,1001"
    seen = hc_double.personen_requests[-1].headers
    assert seen["x-doelbinding"] == "KCC-verificatie" and seen["x-gebruiker"] == "medewerker-1"


def test_injected_faults(hc_double: HaalCentraalDouble) -> None:
    hc_double.faults.fail_next = 1
    assert post(hc_double, raadpleeg([persons.DEMO_BSN], ["naam"])).status_code == 500
    assert post(hc_double, raadpleeg([persons.DEMO_BSN], ["naam"])).status_code == 200
    hc_double.faults.status, hc_double.faults.retry_after = 429, 1
    throttled = post(hc_double, raadpleeg([persons.DEMO_BSN], ["naam"]))
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "1"
