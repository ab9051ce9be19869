"""Transport problems and refusals become the core's typed errors; the plugin never retries."""

from __future__ import annotations

import socket

import httpx
import pytest

from hub.errors import (
    InvalidRequest,
    NotFound,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from plugins.openklant.client import OpenKlantClient, OpenKlantUnavailable
from plugins.openklant.double import OpenKlantDouble
from plugins.openklant.tests.conftest import TOKEN, settings

KLANTCONTACT = {
    "kanaal": "telefoon",
    "onderwerp": "Paspoort aanvragen",
    "taal": "nld",
    "vertrouwelijk": False,
}


def test_a_503_with_retry_after_is_upstream_unavailable_carrying_the_wait(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    openklant.faults.fail_next = 1
    openklant.faults.retry_after = "7"

    with pytest.raises(UpstreamUnavailable) as failed:
        client.klantcontacten.create(KLANTCONTACT)

    assert isinstance(failed.value, OpenKlantUnavailable)
    assert failed.value.retry_after == 7.0
    assert failed.value.source == "openklant"


def test_the_plugin_does_not_retry_by_itself(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    openklant.faults.fail_next = 1

    with pytest.raises(UpstreamUnavailable):
        client.klantcontacten.create(KLANTCONTACT)

    assert sum(openklant.requests.values()) == 1
    assert openklant.counts()["klantcontacten"] == 0


def test_a_retry_after_given_as_a_date_is_turned_into_seconds(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    openklant.faults.fail_next = 1
    openklant.faults.retry_after = "Wed, 21 Oct 2015 07:28:00 GMT"

    with pytest.raises(OpenKlantUnavailable) as failed:
        client.klantcontacten.page()

    assert failed.value.retry_after == 0.0


def test_a_slow_open_klant_is_an_upstream_timeout(openklant: OpenKlantDouble) -> None:
    openklant.faults.hang_seconds = 1.0

    with (
        OpenKlantClient(settings(openklant, read_timeout_seconds=0.2)) as client,
        pytest.raises(UpstreamTimeout),
    ):
        client.klantcontacten.page()


def test_an_unreachable_open_klant_is_upstream_unavailable(openklant: OpenKlantDouble) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    unreachable = settings(
        openklant, base_url=f"http://127.0.0.1:{free_port}/klantinteracties/api/v1"
    )

    with OpenKlantClient(unreachable) as client, pytest.raises(UpstreamUnavailable):
        client.klantcontacten.page()


def test_text_over_open_klants_limit_is_refused_naming_the_field(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        client.klantcontacten.create({**KLANTCONTACT, "onderwerp": "o" * 201})

    assert refused.value.field == "onderwerp"
    assert refused.value.code == "max_length"
    assert openklant.counts()["klantcontacten"] == 0


def test_a_toelichting_over_1000_characters_is_refused_as_open_klant_does(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    klantcontact = client.klantcontacten.create(KLANTCONTACT)
    actor = client.actoren.create({"naam": "Burgerzaken", "soortActor": "organisatorische_eenheid"})

    with pytest.raises(InvalidRequest) as refused:
        client.internetaken.create(
            {
                "gevraagdeHandeling": "Contact opnemen met betrokkene",
                "aanleidinggevendKlantcontact": {"uuid": str(klantcontact.uuid)},
                "toegewezenAanActoren": [{"uuid": str(actor.uuid)}],
                "toelichting": "t" * 1001,
                "status": "te_verwerken",
            }
        )

    assert refused.value.field == "toelichting"
    assert openklant.counts()["internetaken"] == 0


def test_a_400_names_the_field_open_klant_names(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    klantcontact = client.klantcontacten.create(KLANTCONTACT)
    actor = client.actoren.create({"naam": "Burgerzaken", "soortActor": "organisatorische_eenheid"})
    taak = client.internetaken.create(
        {
            "gevraagdeHandeling": "Contact opnemen met betrokkene",
            "aanleidinggevendKlantcontact": {"uuid": str(klantcontact.uuid)},
            "toegewezenAanActoren": [{"uuid": str(actor.uuid)}],
            "status": "te_verwerken",
        }
    )

    with pytest.raises(InvalidRequest) as refused:
        client.internetaken.patch(taak.uuid, {"afgehandeldOp": "2026-03-09T12:00:00Z"})

    assert refused.value.field == "afgehandeldOp"


def test_a_phone_number_open_klant_does_not_accept_is_refused_without_repeating_it(
    client: OpenKlantClient,
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        client.digitale_adressen.create(
            {"adres": "0900-8844", "soortDigitaalAdres": "telefoonnummer", "omschrijving": "x"}
        )

    assert refused.value.field == "adres"
    assert "0900" not in refused.value.detail


def test_an_unknown_uuid_is_not_found(client: OpenKlantClient) -> None:
    with pytest.raises(NotFound):
        client.internetaken.get("0b7c4f7e-3d7a-4b8e-9a40-5b8c1f1f2a11")


def test_a_request_without_a_token_is_refused(openklant: OpenKlantDouble) -> None:
    answer = httpx.get(openklant.api_url + "/internetaken")

    assert answer.status_code == 401
    assert answer.json()["code"] == "not_authenticated"


def test_a_request_with_a_bearer_token_is_refused(openklant: OpenKlantDouble) -> None:
    answer = httpx.get(
        openklant.api_url + "/internetaken", headers={"Authorization": f"Bearer {TOKEN}"}
    )

    assert answer.status_code == 401


def test_a_wrong_token_is_upstream_rejected(
    openklant: OpenKlantDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENKLANT_TOKEN", "niet-het-goede-token")

    with OpenKlantClient(settings(openklant)) as client, pytest.raises(UpstreamRejected) as refused:
        client.internetaken.page()

    assert "401" in refused.value.detail
    assert "niet-het-goede-token" not in refused.value.detail


def test_an_unreadable_token_reference_is_upstream_rejected_naming_the_reference(
    openklant: OpenKlantDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENKLANT_TOKEN")

    with OpenKlantClient(settings(openklant)) as client, pytest.raises(UpstreamRejected) as refused:
        client.internetaken.page()

    assert "OPENKLANT_TOKEN" in refused.value.detail
    assert sum(openklant.requests.values()) == 0


def test_an_unknown_filter_is_a_programming_error_not_a_request(client: OpenKlantClient) -> None:
    with pytest.raises(ValueError, match="statuss"):
        client.internetaken.page(statuss="te_verwerken")
