"""Real StUF-BG 0310 answers (specs/stuf/bg0310-examples) in the Haal Centraal person shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.errors import UpstreamRejected, UpstreamUnavailable
from plugins.brp import stufbg_mapping
from plugins.brp.tests.schema import assert_valid_persoon

EXAMPLES = Path(__file__).resolve().parents[3] / "specs" / "stuf" / "bg0310-examples"

ADRES = {
    "type": "Adres",
    "verblijfadres": {
        "korteStraatnaam": "Keizersgracht",
        "huisnummer": 117,
        "huisletter": "A",
        "huisnummertoevoeging": "B",
        "postcode": "1015CJ",
        "woonplaats": "Amsterdam",
    },
}


def parse(name: str) -> list[dict[str, Any]]:
    return stufbg_mapping.personen((EXAMPLES / name).read_bytes())


def test_every_example_file_is_covered_here() -> None:
    covered = {
        "StufBgResponse.xml", "StufBgResponseGemeenteVanInschrijving.xml",
        "StufBgResponseMissingSomeData.xml", "StufBgResponseOnvolledigeDatum.xml",
        "StufBgResponseWithVoorvoegsel.xml", "StufBgErrorResponse.xml",
        "StufBgNoAnswerResponse.xml", "StufBgNoObjectResponse.xml", "StufBgNotFoundResponse.xml",
    }  # fmt: skip
    assert {p.name for p in EXAMPLES.glob("*.xml")} == covered


def test_full_answer() -> None:
    [persoon] = parse("StufBgResponse.xml")
    assert persoon == {
        "burgerservicenummer": "999992314",
        "naam": {"voornamen": "Media", "voorletters": "M", "geslachtsnaam": "Maykin"},
        "geslacht": {"code": "M", "omschrijving": "man"},
        "geboorte": {
            "datum": {"type": "Datum", "datum": "1980-09-15", "langFormaat": "15 september 1980"},
            "plaats": {"code": "0363", "omschrijving": "Amsterdam"},
            "land": {"code": "6030", "omschrijving": "Nederland"},
        },
        "overlijden": {
            "datum": {"type": "Datum", "datum": "1980-09-15", "langFormaat": "15 september 1980"}
        },
        "gemeenteVanInschrijving": {"code": "1000"},
        "datumInschrijvingInGemeente": {
            "type": "Datum", "datum": "2005-12-16", "langFormaat": "16 december 2005",
        },
        "verblijfplaats": ADRES,
        "partners": [{"burgerservicenummer": "149221897"}],
    }  # fmt: skip
    assert_valid_persoon(persoon)


def test_nil_voorvoegsel_with_novalue_is_absent_not_empty() -> None:
    [persoon] = parse("StufBgResponse.xml")
    assert "voorvoegsel" not in persoon["naam"]


def test_voorvoegsel() -> None:
    [persoon] = parse("StufBgResponseWithVoorvoegsel.xml")
    assert persoon["naam"] == {
        "voornamen": "Media",
        "voorvoegsel": "van",
        "geslachtsnaam": "Maykin",
    }
    assert persoon["verblijfplaats"] == ADRES
    assert_valid_persoon(persoon)


def test_incomplete_birth_date_becomes_a_jaar_datum() -> None:
    [persoon] = parse("StufBgResponseOnvolledigeDatum.xml")
    # indOnvolledigeDatum="M": month and day unknown, whatever the digits say.
    assert persoon["geboorte"]["datum"] == {
        "type": "JaarDatum",
        "jaar": 1960,
        "langFormaat": "1960",
    }
    assert persoon["naam"]["voorvoegsel"] == "van"
    assert_valid_persoon(persoon)


def test_gemeente_van_inschrijving_gets_its_name_from_tabel_33() -> None:
    [persoon] = parse("StufBgResponseGemeenteVanInschrijving.xml")
    assert persoon["gemeenteVanInschrijving"] == {"code": "0363", "omschrijving": "Amsterdam"}
    assert "woonplaats" not in persoon["verblijfplaats"]["verblijfadres"]
    assert_valid_persoon(persoon)


def test_missing_data_marked_geen_waarde_is_left_out() -> None:
    [persoon] = parse("StufBgResponseMissingSomeData.xml")
    assert persoon["verblijfplaats"]["verblijfadres"] == {
        "korteStraatnaam": "Keizersgracht", "huisnummer": 117, "postcode": "1015CJ",
        "woonplaats": "Amsterdam",
    }  # fmt: skip
    assert_valid_persoon(persoon)


@pytest.mark.parametrize(
    "name",
    ["StufBgNoAnswerResponse.xml", "StufBgNoObjectResponse.xml", "StufBgNotFoundResponse.xml"],
)
def test_no_answer_no_object_and_not_found_are_empty_results(name: str) -> None:
    assert parse(name) == []


def test_a_gateway_policy_fault_is_a_rejection() -> None:
    with pytest.raises(UpstreamRejected) as caught:
        parse("StufBgErrorResponse.xml")
    assert "999" not in str(caught.value)


@pytest.mark.parametrize(
    "payload",
    [
        b"not xml",
        b"<a/>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    ],
)
def test_unreadable_answers_are_unavailable_and_entities_are_never_resolved(payload: bytes) -> None:
    with pytest.raises(UpstreamUnavailable):
        stufbg_mapping.personen(payload)


def test_the_schema_check_used_above_does_reject_off_spec_persons() -> None:
    with pytest.raises(AssertionError):
        assert_valid_persoon({"geboorte": {"datum": {"type": "JaarDatum", "langFormaat": "1960"}}})
    with pytest.raises(AssertionError):
        assert_valid_persoon({"verblijfplaats": {"type": "Woonwagen"}})
