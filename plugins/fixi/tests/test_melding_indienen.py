"""Filing meldingen in Fixi: once, even when an answer is lost (issue 6, acceptance 3)."""

from __future__ import annotations

import uuid

import pytest

from hub import hookspecs
from hub.domain.meldingen import Locatie, NieuweMelding
from hub.errors import ConfigurationError, InvalidRequest, UpstreamRejected, UpstreamUnavailable
from plugins.fixi import plugin
from plugins.fixi.double import FixiDouble
from plugins.fixi.tests.conftest import FIXI_SECRET, context, lantaarnpaal, plugin_host

# Retries are the core's (hub.retrying): these go through the real PluginHost.
CREATE = hookspecs.kcc_create_melding


def key() -> str:
    return str(uuid.uuid4())


def test_a_melding_is_filed_with_category_location_address_and_reporter(fixi: FixiDouble) -> None:
    melding = plugin.kcc_create_melding(
        context(fixi), melding=lantaarnpaal(), idempotency_key=key()
    )

    assert melding is not None
    issue = fixi.issues[melding.extern_id]
    assert issue["categoryName"] == "Straatverlichting" and melding.categorie == "Straatverlichting"
    assert issue["location"] == {"latitude": 52.09, "longitude": 5.12}
    assert issue["address"] == "Dorpsstraat 12, Demodam"
    assert issue["reporter"] == {
        "name": "J. Jansen",
        "email": "j.jansen@example.nl",
        "phone": "0612345678",
    }
    assert melding.status == "Nieuw" and melding.aangemaakt is not None


def test_the_same_idempotency_key_twice_creates_one_melding_upstream(fixi: FixiDouble) -> None:
    same = key()
    first = plugin.kcc_create_melding(context(fixi), melding=lantaarnpaal(), idempotency_key=same)
    second = plugin.kcc_create_melding(context(fixi), melding=lantaarnpaal(), idempotency_key=same)

    assert first is not None and second is not None
    assert first.extern_id == second.extern_id
    assert len(fixi.issues_with_reference(same)) == 1


def test_a_creation_accepted_but_whose_answer_was_lost_is_found_not_repeated(
    fixi: FixiDouble,
) -> None:
    fixi.faults.drop_after_create = 1
    same = key()

    melding = plugin_host(fixi, attempts=3).call(
        "fixi", "9999", CREATE, melding=lantaarnpaal(), idempotency_key=same
    )

    assert melding is not None
    assert [i["publicID"] for i in fixi.issues_with_reference(same)] == [melding.extern_id]
    assert fixi.requests["POST /api/issues"] == 1


def test_a_creation_that_timed_out_after_acceptance_is_found_not_repeated(fixi: FixiDouble) -> None:
    fixi.faults.hang_after_create = 1
    fixi.faults.hang_after_create_seconds = 1.0
    same = key()

    melding = plugin_host(fixi, attempts=3).call(
        "fixi", "9999", CREATE, melding=lantaarnpaal(), idempotency_key=same
    )

    assert melding is not None
    assert len(fixi.issues_with_reference(same)) == 1


def test_with_fixi_down_creation_fails_as_unavailable_after_bounded_retries(
    fixi: FixiDouble,
) -> None:
    fixi.faults.status = 503

    with pytest.raises(UpstreamUnavailable) as raised:
        plugin_host(fixi, attempts=2).call(
            "fixi", "9999", CREATE, melding=lantaarnpaal(), idempotency_key=key()
        )

    assert "na 2 pogingen" in raised.value.detail
    assert sum(fixi.requests.values()) == 2


def test_an_unknown_category_is_refused_before_anything_is_filed(fixi: FixiDouble) -> None:
    melding = NieuweMelding(
        categorie="Vliegende schotel",
        omschrijving="Landt op het plein",
        locatie=Locatie(adres="Markt 1"),
    )

    with pytest.raises(InvalidRequest) as raised:
        plugin.kcc_create_melding(context(fixi), melding=melding, idempotency_key=key())

    assert raised.value.field == "categorie"
    assert fixi.requests["POST /api/issues"] == 0


def test_a_gemeente_maps_its_own_category_names_to_fixi_categories(fixi: FixiDouble) -> None:
    melding = NieuweMelding(
        categorie="afval-naast-container",
        omschrijving="Zakken naast de container",
        locatie=Locatie(adres="Markt 1"),
    )
    ctx = context(fixi, categorieen={"afval-naast-container": "Volle container"})

    created = plugin.kcc_create_melding(ctx, melding=melding, idempotency_key=key())

    assert created is not None and created.categorie == "Volle container"


def test_a_wrong_client_secret_is_refused_without_the_secret_in_the_message(
    fixi: FixiDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIXI_SECRET", "verkeerd-fixi-geheim")

    with pytest.raises(UpstreamRejected) as raised:
        plugin.kcc_create_melding(context(fixi), melding=lantaarnpaal(), idempotency_key=key())

    assert "inloggegevens" in raised.value.detail
    assert (
        "verkeerd-fixi-geheim" not in raised.value.detail and FIXI_SECRET not in raised.value.detail
    )


def test_an_expired_token_is_renewed_once_and_the_call_succeeds(fixi: FixiDouble) -> None:
    ctx = context(fixi)
    plugin.kcc_create_melding(ctx, melding=lantaarnpaal(), idempotency_key=key())
    fixi.expire_tokens()

    created = plugin.kcc_create_melding(ctx, melding=lantaarnpaal(), idempotency_key=key())

    assert created is not None
    assert fixi.requests["POST /api/auth/getGrantTokens"] == 2


def test_a_missing_secret_is_a_configuration_error_named_by_its_reference(
    fixi: FixiDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FIXI_SECRET")

    with pytest.raises(ConfigurationError) as raised:
        plugin.kcc_create_melding(context(fixi), melding=lantaarnpaal(), idempotency_key=key())

    assert "FIXI_SECRET" in raised.value.detail
