"""The Haal Centraal BRP facade with a synced directory and the real BRP plugin and double.

Every answer, data or Foutbericht, is checked against Haal Centraal BRP Personen v2.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from hub.privacy.logboek import tables as logboek_tables
from plugins.brp.double.haalcentraal import HaalCentraalDouble, run_haalcentraal_double
from tests.facades import kiss
from tests.facades.conftest import (
    ANNA,
    API_KEY,
    FATIMA,
    JAN,
    KEES,
    PIET,
    Hub,
    gemeente_toml,
    seed_directory,
)
from tests.facades.specs import assert_valid_brp_answer

URL = "/api/v1/gemeenten/9999/haalcentraal/brp/personen"
DEMO = "999993653"  # Suzanne Maria Jansen, 1985-04-12, Dorpsstraat 12, 9999AA
DOEL = "klantcontact"


@pytest.fixture
def brp() -> Iterator[HaalCentraalDouble]:
    with run_haalcentraal_double() as double:
        yield double
        assert double.spec_violations == []


@pytest.fixture
def hub(make_hub: Callable[..., Hub], database_url: str, brp: HaalCentraalDouble) -> Hub:
    built = make_hub(database_url, gemeente_toml(brp_url=brp.base_url), plugins="brp")
    seed_directory(built.store)
    return built


def ask(hub: Hub, body: Any, gebruiker: str | None, doel: str | None = DOEL, **extra: str) -> Any:
    response = hub.client.post(
        URL, json=body, headers={**kiss.headers(API_KEY, gebruiker, doel), **extra}
    )
    assert_valid_brp_answer(response)
    return response


def records(hub: Hub) -> list[logboek_tables.LogboekRecord]:
    with hub.store.session() as session:
        return list(
            session.scalars(
                select(logboek_tables.LogboekRecord).order_by(logboek_tables.LogboekRecord.id)
            )
        )


def test_a_kcc_medewerker_gets_the_kcc_fields_of_a_person(hub: Hub) -> None:
    response = ask(hub, kiss.raadpleeg_bsn(DEMO), JAN.email)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["type"] == "RaadpleegMetBurgerservicenummer"
    (persoon,) = body["personen"]
    assert persoon["naam"]["geslachtsnaam"] == "Jansen"
    assert persoon["geboorte"]["datum"]["datum"] == "1985-04-12"
    # Not for this role: birth place and country; the BSN is shown partly, which the
    # standard cannot carry, so it is left out.
    assert "land" not in persoon["geboorte"] and "plaats" not in persoon["geboorte"]
    assert "burgerservicenummer" not in persoon
    assert set(body) == {"type", "personen"}


def test_the_backoffice_gets_birth_place_and_the_full_bsn(hub: Hub) -> None:
    (persoon,) = ask(hub, kiss.raadpleeg_bsn(DEMO), PIET.account_naam).json()["personen"]
    assert persoon["burgerservicenummer"] == DEMO
    assert persoon["geboorte"]["plaats"] and persoon["geboorte"]["land"]


def test_a_role_through_a_nested_group_counts(hub: Hub) -> None:
    # Anna is in Team Balie, which is in the KCC group.
    assert ask(hub, kiss.raadpleeg_bsn(DEMO), ANNA.email).status_code == 200


def test_a_wildcard_surname_search_as_kiss_sends_it(hub: Hub) -> None:
    body = ask(hub, kiss.zoek_geslachtsnaam_geboortedatum("Jans", "1985-04-12"), JAN.email).json()
    assert body["type"] == "ZoekMetGeslachtsnaamEnGeboortedatum"
    assert {p["naam"]["voornamen"] for p in body["personen"]} == {"Suzanne Maria", "Pieter"}


def test_a_postcode_search_with_kiss_empty_strings_and_a_string_huisnummer(
    hub: Hub, brp: HaalCentraalDouble
) -> None:
    body = ask(hub, kiss.zoek_postcode_huisnummer("9999AA", "12"), JAN.email).json()
    (persoon,) = body["personen"]
    assert persoon["naam"]["geslachtsnaam"] == "Jansen"
    # Upstream the request is the standard's: no empty strings, huisnummer a number.
    asked = brp.requests[-1].body
    assert asked["huisnummer"] == 12
    assert "huisletter" not in asked and "huisnummertoevoeging" not in asked


def test_each_lookup_is_logged_with_the_user_the_client_and_the_doel(hub: Hub) -> None:
    ask(hub, kiss.raadpleeg_bsn(DEMO), JAN.email)
    (record,) = records(hub)
    assert (record.medewerker, record.client_id, record.rol) == (
        JAN.account_naam,
        "kiss",
        "kcc-medewerker",
    )
    assert record.doel == DOEL and record.status == "ok"


def test_the_client_default_doel_applies_without_a_doel_header(
    make_hub: Callable[..., Hub], database_url: str, brp: HaalCentraalDouble
) -> None:
    built = make_hub(
        database_url, gemeente_toml(brp_url=brp.base_url, client_extra='doel = "zaakbehandeling"')
    )
    seed_directory(built.store)
    assert ask(built, kiss.raadpleeg_bsn(DEMO), PIET.email, doel=None).status_code == 200
    assert records(built)[-1].doel == "zaakbehandeling"


@pytest.mark.parametrize(
    ("gebruiker", "code"),
    [
        ("niemand@voorbeeldstad.test", "onbekendeGebruiker"),
        ("oud.account", "accountUitgeschakeld"),
        (KEES.email, "geenRol"),
    ],
)
def test_a_user_the_directory_does_not_admit_is_refused_and_logged(
    hub: Hub, gebruiker: str, code: str
) -> None:
    response = ask(hub, kiss.raadpleeg_bsn(DEMO), gebruiker)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    (record,) = records(hub)
    assert record.status == "geen_toegang" and record.http_status == 403
    assert record.doel == DOEL
    assert record.medewerker in (gebruiker, KEES.account_naam)
    with hub.store.session() as session:
        betrokkenen = session.scalars(select(logboek_tables.LogboekBetrokkene)).all()
    assert len(betrokkenen) == 1  # the BSN it asked for, as a keyed hash


def test_a_role_without_person_data_is_refused_by_the_pipeline(hub: Hub) -> None:
    response = ask(hub, kiss.raadpleeg_bsn(DEMO), FATIMA.email, doel="audit")
    assert response.status_code == 403
    assert records(hub)[-1].rol == "privacy-officer"


def test_a_request_without_a_user_is_refused_unless_the_client_may(
    make_hub: Callable[..., Hub], database_url: str, brp: HaalCentraalDouble
) -> None:
    strict = make_hub(database_url, gemeente_toml(brp_url=brp.base_url))
    assert ask(strict, kiss.raadpleeg_bsn(DEMO), None).json()["code"] == "gebruikerOntbreekt"
    # KISS sends an empty header when the login has no name: the same as none.
    assert ask(strict, kiss.raadpleeg_bsn(DEMO), "").status_code == 403
    assert records(strict)[-1].medewerker == "client:kiss"

    lenient = make_hub(
        database_url,
        gemeente_toml(brp_url=brp.base_url, client_extra='rol_zonder_gebruiker = "kcc-medewerker"'),
    )
    assert ask(lenient, kiss.raadpleeg_bsn(DEMO), None).status_code == 200
    assert records(lenient)[-1].rol == "kcc-medewerker"


def test_a_missing_doel_is_a_400_naming_the_doel_and_is_logged(hub: Hub) -> None:
    response = ask(hub, kiss.raadpleeg_bsn(DEMO), JAN.email, doel=None)
    assert response.status_code == 400
    body = response.json()
    assert body["invalidParams"][0]["name"] == "doel"
    assert "x-doelbinding" in body["detail"]
    # KISS shows a 400 to its user when the body has code and detail.
    assert body["code"] and body["detail"]
    assert records(hub)[-1].status == "ongeldig_verzoek"


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({**kiss.raadpleeg_bsn("123456789")}, "burgerservicenummer"),
        ({**kiss.zoek_postcode_huisnummer("9999AA", "twaalf")}, "huisnummer"),
        ({"type": "ZoekMetWillekeurigIets", "fields": ["naam"]}, "type"),
        ({**kiss.zoek_postcode_huisnummer("9999AA", "12"), "onbekend": 1}, "onbekend"),
        ([1, 2, 3], "body"),
    ],
)
def test_a_bad_request_is_a_foutbericht_with_invalid_params(hub: Hub, body: Any, name: str) -> None:
    response = ask(hub, body, JAN.email)
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == name
    assert "123456789" not in response.text


def test_a_body_that_is_not_json_is_a_foutbericht(hub: Hub) -> None:
    response = hub.client.post(
        URL, content=b"{niet json", headers=kiss.headers(API_KEY, JAN.email, DOEL)
    )
    assert_valid_brp_answer(response)
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "body"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-API-KEY": "verkeerde-sleutel-" + "x" * 20},
        {"Authorization": "Bearer iets"},
    ],
)
def test_without_the_client_key_the_answer_is_401(hub: Hub, headers: dict[str, str]) -> None:
    response = hub.client.post(URL, json=kiss.raadpleeg_bsn(DEMO), headers=headers)
    assert_valid_brp_answer(response)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication"
    assert records(hub) == []


def test_an_unknown_gemeente_answers_like_a_wrong_key(hub: Hub) -> None:
    response = hub.client.post(
        URL.replace("9999", "0599"),
        json=kiss.raadpleeg_bsn(DEMO),
        headers=kiss.headers(API_KEY, JAN.email, DOEL),
    )
    assert response.status_code == 401


def test_an_unavailable_brp_is_a_503_foutbericht_and_logged(
    hub: Hub, brp: HaalCentraalDouble
) -> None:
    brp.stop()
    response = ask(hub, kiss.raadpleeg_bsn(DEMO), JAN.email)
    assert response.status_code in (502, 503, 504)
    assert records(hub)[-1].status == "bronfout"


def test_the_doel_a_kiss_query_type_names_narrows_what_a_role_sees(hub: Hub) -> None:
    # The masking policy narrows the backoffice to identification for kcc-identificatie.
    (persoon,) = ask(hub, kiss.raadpleeg_bsn(DEMO), PIET.email, doel="kcc-identificatie").json()[
        "personen"
    ]
    assert "burgerservicenummer" not in persoon and "plaats" not in persoon["geboorte"]
    assert records(hub)[-1].doel == "kcc-identificatie"
