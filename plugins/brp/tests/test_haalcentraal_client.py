"""The Haal Centraal client against the spec-checking double."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from hub import hookspecs
from hub.errors import InvalidRequest, UpstreamRejected, UpstreamTimeout, UpstreamUnavailable
from hub.pluginmanager import PluginHost, load_plugins
from hub.retrying import RetryPolicy
from hub.tenants import AuthSettings, Gemeente
from plugins.brp import plugin
from plugins.brp.config import (
    ApiKeyAuth,
    BrpSettings,
    HaalCentraalSettings,
    OAuth2Auth,
    ProxyHeaders,
    TlsSettings,
)
from plugins.brp.double import persons
from plugins.brp.double.haalcentraal import Auth, HaalCentraalDouble, run_haalcentraal_double
from plugins.brp.haalcentraal_client import HaalCentraalClient, scrub
from plugins.brp.tests.certs import Pki
from plugins.brp.tests.conftest import PEILDATUM

DEMO = persons.DEMO_BSN


def raadpleeg(*bsns: str) -> dict[str, Any]:
    return {"type": "RaadpleegMetBurgerservicenummer", "burgerservicenummer": list(bsns)}


@pytest.fixture
def client(hc_double: HaalCentraalDouble) -> Iterator[HaalCentraalClient]:
    c = HaalCentraalClient(HaalCentraalSettings(base_url=hc_double.base_url, read_timeout=2))
    yield c
    c.close()


def test_raadplegen_answers_in_haal_centraal_shape_with_only_the_asked_fields(
    client: HaalCentraalClient,
) -> None:
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


def test_incomplete_dates_stay_polymorphic(client: HaalCentraalClient) -> None:
    answer = client.personen(raadpleeg("999996125", "999999709", "999990524"), ["geboorte.datum"])
    assert [p["geboorte"]["datum"] for p in answer["personen"]] == [
        {"type": "JaarMaandDatum", "jaar": 1962, "maand": 7, "langFormaat": "juli 1962"},
        {"type": "JaarDatum", "jaar": 1948, "langFormaat": "1948"},
        {"type": "DatumOnbekend", "onbekend": True, "langFormaat": "onbekend"},
    ]


def test_only_the_allowed_fields_travel_upstream(
    client: HaalCentraalClient, hc_double: HaalCentraalDouble
) -> None:
    client.personen(
        {**raadpleeg(DEMO), "fields": ["kinderen"], "doel": "KCC"},
        ["naam.voornamen", "geheimhoudingPersoonsgegevens", "naam.inOnderzoek", "naam.voornamen"],
    )
    assert hc_double.personen_requests[-1].body == {
        "type": "RaadpleegMetBurgerservicenummer",
        "burgerservicenummer": [DEMO],
        "fields": ["naam.voornamen"],
    }


def test_a_search_asks_only_what_a_search_can_deliver(
    client: HaalCentraalClient, hc_double: HaalCentraalDouble
) -> None:
    answer = client.personen(
        {"type": "ZoekMetPostcodeEnHuisnummer", "postcode": "9999AJ", "huisnummer": 8},
        ["naam.voornamen", "verblijfplaats.verblijfadres.postcode", "kinderen"],
    )
    assert hc_double.personen_requests[-1].body["fields"] == ["naam.voornamen"]
    assert [p["naam"]["voornamen"] for p in answer["personen"]] == [
        "Mohamed",
        "Lisa",
        "Noah",
        "Emma",
    ]


def test_the_other_two_searches(client: HaalCentraalClient) -> None:
    by_birth = client.personen(
        {
            "type": "ZoekMetGeslachtsnaamEnGeboortedatum",
            "geslachtsnaam": "Jansen",
            "geboortedatum": "1985-04-12",
        },
        ["burgerservicenummer"],
    )
    assert len(by_birth["personen"]) == 2
    by_gemeente = client.personen(
        {
            "type": "ZoekMetNaamEnGemeenteVanInschrijving",
            "geslachtsnaam": "Visser",
            "voornamen": "Daan",
            "gemeenteVanInschrijving": "0363",
        },
        ["naam.geslachtsnaam"],
    )
    assert by_gemeente["personen"] == [{"naam": {"geslachtsnaam": "Visser"}}]


def test_secrecy_is_returned_even_when_no_field_is_left_to_ask(
    client: HaalCentraalClient, hc_double: HaalCentraalDouble
) -> None:
    answer = client.personen(raadpleeg("999995169"), ["geheimhoudingPersoonsgegevens"])
    assert answer["personen"] == [{"geheimhoudingPersoonsgegevens": True}]
    # The API needs one field; the least telling one is asked and dropped again.
    assert hc_double.personen_requests[-1].body["fields"] == ["burgerservicenummer"]


def test_a_bsn_failing_the_11_proof_gives_an_empty_answer(client: HaalCentraalClient) -> None:
    assert client.personen(raadpleeg("999993654"), ["naam"])["personen"] == []


def test_doelbinding_travels_in_the_default_proxy_headers(
    client: HaalCentraalClient, hc_double: HaalCentraalDouble
) -> None:
    client.personen(
        raadpleeg(DEMO),
        ["naam"],
        doel="KCC-identificatie",
        verwerking="https://register.voorbeeldstad.nl/verwerkingen/kcc-1",
        gebruiker="medewerker-7",
    )
    headers = hc_double.personen_requests[-1].headers
    assert headers["x-doelbinding"] == "KCC-identificatie"
    assert headers["x-verwerking"] == "https://register.voorbeeldstad.nl/verwerkingen/kcc-1"
    assert headers["x-gebruiker"] == "medewerker-7"


def test_proxy_header_names_are_configurable_and_can_be_left_out(
    hc_double: HaalCentraalDouble,
) -> None:
    settings = HaalCentraalSettings(
        base_url=hc_double.base_url,
        proxy_headers=ProxyHeaders(doelbinding="OIN-Doel", verwerking="", gebruiker="X-User"),
    )
    with_names = HaalCentraalClient(settings)
    with_names.personen(
        raadpleeg(DEMO), ["naam"], doel="d", verwerking="v", gebruiker="ü-ser\r\nX: y"
    )
    headers = hc_double.personen_requests[-1].headers
    assert headers["oin-doel"] == "d"
    assert "x-verwerking" not in headers and "x: y" not in headers
    assert headers["x-user"] == "%C3%BC-ser  X: y"


def test_an_off_spec_query_is_an_invalid_request_naming_the_field(
    client: HaalCentraalClient,
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        client.personen(
            {"type": "ZoekMetPostcodeEnHuisnummer", "postcode": "0999XX", "huisnummer": 1}, ["naam"]
        )
    assert caught.value.field == "postcode"
    assert caught.value.code == "pattern"


def test_server_errors_are_unavailable(
    client: HaalCentraalClient, hc_double: HaalCentraalDouble
) -> None:
    hc_double.faults.status = 500
    with pytest.raises(UpstreamUnavailable):
        client.personen(raadpleeg(DEMO), ["naam"])


def test_a_hanging_upstream_is_a_timeout(hc_double: HaalCentraalDouble) -> None:
    hc_double.faults.hang_seconds = 1.0
    client = HaalCentraalClient(HaalCentraalSettings(base_url=hc_double.base_url, read_timeout=0.2))
    with pytest.raises(UpstreamTimeout):
        client.personen(raadpleeg(DEMO), ["naam"])


def test_a_closed_port_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = HaalCentraalClient(HaalCentraalSettings(base_url=f"http://127.0.0.1:{port}/brp"))
    with pytest.raises(UpstreamUnavailable) as caught:
        client.personen(raadpleeg(DEMO), ["naam"])
    assert not isinstance(caught.value, UpstreamTimeout)


def test_throttling_is_retried_within_bounds(
    client: HaalCentraalClient, hc_double: HaalCentraalDouble
) -> None:
    # Retries are the core's: through the real PluginHost with three attempts.
    settings = BrpSettings(haalcentraal=HaalCentraalSettings(base_url=hc_double.base_url))
    gemeente = Gemeente(
        code="9999", naam="Voorbeeldstad", plugin_settings={"brp": settings}, auth=AuthSettings()
    )
    host = PluginHost(
        load_plugins([("brp", plugin)]),
        {"9999": gemeente},
        retry_policy=RetryPolicy(attempts=3, initial=0.01, maximum=0.05),
    )

    def personen() -> Any:
        return host.call(
            "brp", "9999", hookspecs.kcc_get_personen, query=raadpleeg(DEMO), fields=["naam"]
        )

    hc_double.faults.fail_next, hc_double.faults.fail_status = 2, 429
    hc_double.faults.retry_after = 0
    assert len(personen()["personen"]) == 1
    hc_double.faults.status = 429
    before = len(hc_double.personen_requests)
    with pytest.raises(UpstreamUnavailable):
        personen()
    assert len(hc_double.personen_requests) - before == 3  # the core's 3 attempts


# -- authentication --------------------------------------------------------------------------
def test_api_key_is_sent_in_the_configured_header(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRP_TEST_API_KEY", "brp-double-api-key")
    with run_haalcentraal_double(auth=Auth(mode="apikey")) as double:
        settings = HaalCentraalSettings(
            base_url=double.base_url, auth=ApiKeyAuth(key="${BRP_TEST_API_KEY}")
        )
        assert (
            len(HaalCentraalClient(settings).personen(raadpleeg(DEMO), ["naam"])["personen"]) == 1
        )
        monkeypatch.setenv("BRP_TEST_API_KEY", "wrong")
        with pytest.raises(UpstreamRejected):
            HaalCentraalClient(settings).personen(raadpleeg(DEMO), ["naam"])


def test_oauth2_token_is_fetched_once_and_renewed_when_rejected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BRP_TEST_SECRET", "brp-double-client-secret")
    with run_haalcentraal_double(auth=Auth(mode="oauth2")) as double:
        settings = HaalCentraalSettings(
            base_url=double.base_url,
            auth=OAuth2Auth(
                token_url=double.token_url, client_id="kcc-hub", client_secret="${BRP_TEST_SECRET}"
            ),
        )
        client = HaalCentraalClient(settings)
        for _ in range(3):
            client.personen(raadpleeg(DEMO), ["naam"])
        assert double.auth.tokens_issued == 1
        double.expire_tokens()
        assert len(client.personen(raadpleeg(DEMO), ["naam"])["personen"]) == 1
        assert double.auth.tokens_issued == 2


def test_concurrent_calls_share_one_oauth2_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setenv("BRP_TEST_SECRET", "brp-double-client-secret")
    with run_haalcentraal_double(auth=Auth(mode="oauth2")) as double:
        settings = HaalCentraalSettings(
            base_url=double.base_url,
            auth=OAuth2Auth(
                token_url=double.token_url, client_id="kcc-hub", client_secret="${BRP_TEST_SECRET}"
            ),
        )
        client = HaalCentraalClient(settings)
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(
                pool.map(lambda _: client.personen(raadpleeg(DEMO), ["naam"]), range(16))
            )
        assert all(len(a["personen"]) == 1 for a in answers)
        assert double.auth.tokens_issued == 1


def test_oauth2_with_a_wrong_secret_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRP_TEST_SECRET", "wrong")
    with run_haalcentraal_double(auth=Auth(mode="oauth2")) as double:
        settings = HaalCentraalSettings(
            base_url=double.base_url,
            auth=OAuth2Auth(
                token_url=double.token_url, client_id="kcc-hub", client_secret="${BRP_TEST_SECRET}"
            ),
        )
        with pytest.raises(UpstreamRejected):
            HaalCentraalClient(settings).personen(raadpleeg(DEMO), ["naam"])


# -- mutual TLS ------------------------------------------------------------------------------
def _tls_double(pki: Pki) -> Any:
    return run_haalcentraal_double(ssl_context=pki.server_context(), peildatum=PEILDATUM)


def test_mutual_tls_with_a_client_certificate(pki: Pki) -> None:
    with _tls_double(pki) as double:
        assert double.base_url.startswith("https://")
        tls = TlsSettings(
            client_certificate=pki.client_cert, client_key=pki.client_key, ca_bundle=pki.ca
        )
        client = HaalCentraalClient(HaalCentraalSettings(base_url=double.base_url, tls=tls))
        assert len(client.personen(raadpleeg(DEMO), ["naam"])["personen"]) == 1


@pytest.mark.parametrize(
    "which", ["no client certificate", "certificate from another CA", "server not trusted"]
)
def test_mutual_tls_refusals_are_unavailable_not_data(pki: Pki, which: str) -> None:
    tls = {
        "no client certificate": TlsSettings(ca_bundle=pki.ca),
        "certificate from another CA": TlsSettings(
            client_certificate=pki.other_client_cert,
            client_key=pki.other_client_key,
            ca_bundle=pki.ca,
        ),
        "server not trusted": TlsSettings(
            client_certificate=pki.client_cert, client_key=pki.client_key
        ),
    }[which]
    with _tls_double(pki) as double:
        client = HaalCentraalClient(HaalCentraalSettings(base_url=double.base_url, tls=tls))
        with pytest.raises(UpstreamUnavailable):
            client.personen(raadpleeg(DEMO), ["naam"])


def test_plain_http_is_refused_for_remote_hosts() -> None:
    with pytest.raises(ValueError, match="https"):
        HaalCentraalSettings(base_url="http://brp.voorbeeldstad.nl/haalcentraal/api/brp")


# -- privacy ---------------------------------------------------------------------------------
def test_no_bsn_in_logs_or_error_messages(
    hc_double: HaalCentraalDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = HaalCentraalClient(HaalCentraalSettings(base_url=hc_double.base_url, read_timeout=0.3))
    messages: list[str] = []
    client.personen(raadpleeg(DEMO, "999995169"), ["naam"])
    for status in (400, 401, 500):
        hc_double.faults.status = status
        with pytest.raises(Exception) as caught:
            client.personen(raadpleeg(DEMO), ["naam"])
        messages.append(str(caught.value))
    hc_double.faults.reset()
    with pytest.raises(InvalidRequest) as invalid:
        client.personen(raadpleeg("99999365"), ["naam"])
    messages.append(str(invalid.value))
    hc_double.faults.hang_seconds = 1
    with pytest.raises(UpstreamTimeout) as timeout:
        client.personen(raadpleeg(DEMO), ["naam"])
    messages.append(str(timeout.value))
    text = "\n".join(messages + [r.getMessage() for r in caplog.records])
    leaked = [
        p["burgerservicenummer"] for p in persons.PERSONEN if p["burgerservicenummer"] in text
    ]
    assert not leaked and "99999365" not in text


def test_scrub_blanks_anything_shaped_like_a_bsn() -> None:
    assert (
        scrub("burgerservicenummer 999993653 onbekend") == "burgerservicenummer ********* onbekend"
    )
