"""The zeep StUF-BG client against the XSD-checking StUF-BG 0204 responder."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from hub.errors import InvalidRequest, UpstreamRejected, UpstreamTimeout, UpstreamUnavailable
from plugins.brp.config import StufBgSettings, TlsSettings
from plugins.brp.double import persons
from plugins.brp.double.stufbg import PATH, SOAP_ACTION, StufBgDouble, run_stufbg_double
from plugins.brp.stufbg_client import StufBgClient, scope_for
from plugins.brp.tests.certs import Pki
from plugins.brp.tests.schema import assert_valid_persoon

DEMO = persons.DEMO_BSN


def raadpleeg(*bsns: str) -> dict[str, Any]:
    return {"type": "RaadpleegMetBurgerservicenummer", "burgerservicenummer": list(bsns)}


@pytest.fixture
def stuf_double() -> Iterator[StufBgDouble]:
    with run_stufbg_double() as double:
        yield double
        assert double.spec_violations == []


@pytest.fixture
def client(stuf_double: StufBgDouble) -> StufBgClient:
    return StufBgClient(StufBgSettings(endpoint=stuf_double.endpoint, read_timeout=2))


def test_raadplegen_answers_in_haal_centraal_shape(client: StufBgClient) -> None:
    answer = client.personen(raadpleeg(DEMO), ["naam.geslachtsnaam", "geboorte.datum"])
    assert answer == {
        "type": "RaadpleegMetBurgerservicenummer",
        "personen": [
            {
                "naam": {"geslachtsnaam": "Jansen"},
                "geboorte": {
                    "datum": {
                        "type": "Datum",
                        "datum": "1985-04-12",
                        "langFormaat": "12 april 1985",
                    }
                },
            }
        ],
    }


def test_every_synthetic_person_maps_onto_a_valid_haal_centraal_persoon(
    client: StufBgClient,
) -> None:
    fields = ["aNummer", "burgerservicenummer", "naam", "geslacht", "geboorte", "overlijden",
              "gemeenteVanInschrijving", "datumInschrijvingInGemeente", "verblijfplaats",
              "nationaliteiten", "partners", "kinderen", "ouders", "verblijfstitel", "immigratie",
              "indicatieCurateleRegister", "adressering", "leeftijd"]  # fmt: skip
    bsns = [p["burgerservicenummer"] for p in persons.PERSONEN]
    answer = client.personen(raadpleeg(*bsns), fields)
    assert len(answer["personen"]) == len(bsns)
    for persoon in answer["personen"]:
        assert_valid_persoon(persoon)


def test_the_scope_asks_only_for_the_allowed_fields(
    client: StufBgClient, stuf_double: StufBgDouble
) -> None:
    client.personen(raadpleeg(DEMO), ["naam.voornamen", "verblijfplaats.verblijfadres.postcode"])
    assert stuf_double.questions[-1].scope == {
        "voornamen": {},
        "indicatieGeheim": {},
        "datumOpschortingBijhouding": {},
        "omschrijvingRedenOpschortingBijhouding": {},
        "PRSADRVBL": {"ADR": {"postcode": {}}},
    }


def test_a_field_prefix_takes_everything_below_it() -> None:
    scope = scope_for(["naam", "partners.naam.voornamen"])
    assert {"voornamen", "voorletters", "voorvoegselGeslachtsnaam", "geslachtsnaam",
            "adellijkeTitelPredikaat"} <= set(scope)  # fmt: skip
    assert scope["PRSPRSHUW"] == {"PRS": {"voornamen": {}}}


def test_incomplete_dates_survive_the_round_trip(client: StufBgClient) -> None:
    answer = client.personen(raadpleeg("999996125", "999999709", "999990524"), ["geboorte.datum"])
    assert [p["geboorte"]["datum"]["type"] for p in answer["personen"]] == [
        "JaarMaandDatum", "JaarDatum", "DatumOnbekend",
    ]  # fmt: skip


def test_secrecy_is_delivered_unasked(client: StufBgClient) -> None:
    answer = client.personen(raadpleeg("999995169"), ["naam.geslachtsnaam"])
    assert answer["personen"] == [
        {"naam": {"geslachtsnaam": "Geheim"}, "geheimhoudingPersoonsgegevens": True}
    ]


def test_the_medewerker_is_the_zender_gebruiker(
    client: StufBgClient, stuf_double: StufBgDouble
) -> None:
    client.personen(raadpleeg(DEMO), ["naam"], gebruiker="a-very-long-medewerker-identifier")
    assert stuf_double.questions[-1].zender == {
        "organisatie": "KCC",
        "applicatie": "KCCHUB",
        "gebruiker": "a-very-long-medewerk",
    }


def test_a_bsn_failing_the_11_proof_is_never_asked(
    client: StufBgClient, stuf_double: StufBgDouble
) -> None:
    assert client.personen(raadpleeg("999993654"), ["naam"])["personen"] == []
    assert stuf_double.questions == []


def test_searches(client: StufBgClient) -> None:
    by_birth = client.personen(
        {"type": "ZoekMetGeslachtsnaamEnGeboortedatum", "geslachtsnaam": "Jansen",
         "geboortedatum": "1985-04-12"},
        ["burgerservicenummer"],
    )  # fmt: skip
    assert [p["burgerservicenummer"] for p in by_birth["personen"]] == [DEMO, "999999102"]
    at_address = client.personen(
        {"type": "ZoekMetPostcodeEnHuisnummer", "postcode": "9999 AJ", "huisnummer": 8},
        ["naam.voornamen"],
    )
    assert len(at_address["personen"]) == 4
    by_gemeente = client.personen(
        {"type": "ZoekMetNaamEnGemeenteVanInschrijving", "geslachtsnaam": "Visser",
         "voornamen": "Daan", "gemeenteVanInschrijving": "0363"},
        ["naam.geslachtsnaam"],
    )  # fmt: skip
    assert by_gemeente["personen"] == [{"naam": {"geslachtsnaam": "Visser"}}]
    deceased = {"type": "ZoekMetPostcodeEnHuisnummer", "postcode": "9999AD", "huisnummer": 40}
    assert client.personen(deceased, ["naam"])["personen"] == []


def test_a_full_answer_is_flagged_as_possibly_incomplete(
    stuf_double: StufBgDouble, caplog: pytest.LogCaptureFixture
) -> None:
    client = StufBgClient(StufBgSettings(endpoint=stuf_double.endpoint, maximum_aantal=3))
    at_address = {"type": "ZoekMetPostcodeEnHuisnummer", "postcode": "9999AJ", "huisnummer": 8}
    with caplog.at_level(logging.WARNING):
        answer = client.personen(at_address, ["naam.voornamen"])
    assert len(answer["personen"]) == 3  # the makelaar stops at maximumAantal
    assert "maximum_aantal" in caplog.text


def test_a_wildcard_search_is_refused_before_asking(client: StufBgClient) -> None:
    with pytest.raises(InvalidRequest) as caught:
        client.personen(
            {"type": "ZoekMetGeslachtsnaamEnGeboortedatum", "geslachtsnaam": "Jans*",
             "geboortedatum": "1985-04-12"},
            ["naam"],
        )  # fmt: skip
    assert caught.value.field == "geslachtsnaam"


def test_an_off_spec_question_gets_a_stuf_fault_from_the_responder(
    stuf_double: StufBgDouble,
) -> None:
    envelope = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
        '<soapenv:Body><BG:vraagBericht xmlns:BG="http://www.egem.nl/StUF/sector/bg/0204">'
        "<BG:body/></BG:vraagBericht></soapenv:Body></soapenv:Envelope>"
    )
    response = httpx.post(
        stuf_double.endpoint, content=envelope,
        headers={"SOAPAction": f'"{SOAP_ACTION}"', "Content-Type": "text/xml"},
    )  # fmt: skip
    assert response.status_code == 500
    assert re.search(r"<(\w+:)?plek>client</", response.text)
    assert "schema" in response.text


@pytest.mark.parametrize(
    ("plek", "error"), [("client", UpstreamRejected), ("server", UpstreamUnavailable)]
)
def test_stuf_fouten_map_by_plek(
    client: StufBgClient, stuf_double: StufBgDouble, plek: str, error: type[Exception]
) -> None:
    stuf_double.faults.stuf_fout = plek
    with pytest.raises(error):
        client.personen(raadpleeg(DEMO), ["naam"])


def test_an_answer_that_does_not_fit_stufbg_0204_is_refused(
    client: StufBgClient, stuf_double: StufBgDouble
) -> None:
    stuf_double.faults.off_spec_answer = True
    with pytest.raises(UpstreamUnavailable, match="voldoet"):
        client.personen(raadpleeg(DEMO), ["naam"])


def test_a_server_failure_is_unavailable(client: StufBgClient, stuf_double: StufBgDouble) -> None:
    stuf_double.faults.fail_next = 1
    with pytest.raises(UpstreamUnavailable):
        client.personen(raadpleeg(DEMO), ["naam"])
    assert len(client.personen(raadpleeg(DEMO), ["naam"])["personen"]) == 1


def test_a_hanging_makelaar_is_a_timeout(stuf_double: StufBgDouble) -> None:
    stuf_double.faults.hang_seconds = 1
    client = StufBgClient(StufBgSettings(endpoint=stuf_double.endpoint, read_timeout=0.2))
    with pytest.raises(UpstreamTimeout):
        client.personen(raadpleeg(DEMO), ["naam"])


def test_basic_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUF_TEST_PASSWORD", "geheim-wachtwoord")
    with run_stufbg_double(username="kcc", password="geheim-wachtwoord") as double:
        good = StufBgSettings(
            endpoint=double.endpoint, username="kcc", password="${STUF_TEST_PASSWORD}"
        )
        assert len(StufBgClient(good).personen(raadpleeg(DEMO), ["naam"])["personen"]) == 1
        with pytest.raises(UpstreamRejected):
            StufBgClient(StufBgSettings(endpoint=double.endpoint)).personen(
                raadpleeg(DEMO), ["naam"]
            )


def test_mutual_tls(pki: Pki) -> None:
    with run_stufbg_double(ssl_context=pki.server_context()) as double:
        tls = TlsSettings(
            client_certificate=pki.client_cert, client_key=pki.client_key, ca_bundle=pki.ca
        )
        client = StufBgClient(StufBgSettings(endpoint=double.endpoint, tls=tls))
        assert len(client.personen(raadpleeg(DEMO), ["naam"])["personen"]) == 1
        without = StufBgClient(
            StufBgSettings(endpoint=double.endpoint, tls=TlsSettings(ca_bundle=pki.ca))
        )
        with pytest.raises(UpstreamUnavailable):
            without.personen(raadpleeg(DEMO), ["naam"])


def test_no_bsn_in_logs_or_errors(
    stuf_double: StufBgDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = StufBgClient(StufBgSettings(endpoint=stuf_double.endpoint, read_timeout=0.3))
    client.personen(raadpleeg(DEMO), ["naam"])
    messages = []
    for fault in ("client", "server"):
        stuf_double.faults.stuf_fout = fault
        with pytest.raises(Exception) as caught:
            client.personen(raadpleeg(DEMO), ["naam"])
        messages.append(str(caught.value))
    stuf_double.faults.reset()
    stuf_double.faults.hang_seconds = 1
    with pytest.raises(UpstreamTimeout) as timeout:
        client.personen(raadpleeg(DEMO), ["naam"])
    messages.append(str(timeout.value))
    text = "\n".join(messages + [r.getMessage() for r in caplog.records])
    leaked = [
        p["burgerservicenummer"] for p in persons.PERSONEN if p["burgerservicenummer"] in text
    ]
    assert not leaked and "99999365" not in text


def test_the_responder_path_is_the_service_name() -> None:
    assert PATH == "/StUFBGSynchroon"
