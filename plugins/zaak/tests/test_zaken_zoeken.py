"""Zaken of a person or organisation across zaaksystemen (issue 6, acceptance 1 and 2)."""

from __future__ import annotations

import pytest

from hub import hookspecs
from hub.errors import UpstreamRejected, UpstreamTimeout, UpstreamUnavailable
from plugins.zaak import plugin
from plugins.zaak.double import ZgwDouble
from plugins.zaak.tests.conftest import SECRET_A, bron, context, plugin_host

# Synthetic persons with valid 11-proof BSNs, one per test so the shared doubles never mix them.
BSN_DRIE_PAGINAS = "999993653"
BSN_TWEE_BRONNEN_DOWN = "999990019"
BSN_ENKEL = "999991772"
BSN_TIMEOUT = "999998456"
BSN_CACHE = "999995844"
BSN_LIJST = "999996514"
KVK = "69599084"


def test_a_person_with_three_pages_in_one_zaaksysteem_and_more_in_a_second_gets_all_of_them(
    zaaksysteem_a: ZgwDouble, zaaksysteem_b: ZgwDouble
) -> None:
    in_a = zaaksysteem_a.add_zaken(bsn=BSN_DRIE_PAGINAS, aantal=10)  # 3 pages of 4
    in_b = zaaksysteem_b.add_zaken(bsn=BSN_DRIE_PAGINAS, aantal=3)
    ctx = context(
        bron(zaaksysteem_a, "Open Zaak", "ZGW_SECRET_A"),
        bron(zaaksysteem_b, "Zaaksysteem B", "ZGW_SECRET_B"),
    )

    answer = plugin.kcc_search_zaken(ctx, bsn=BSN_DRIE_PAGINAS, kvk=None)

    assert answer is not None
    zaken, bronnen = answer
    assert sorted(z.identificatie for z in zaken) == sorted(in_a + in_b)
    assert {z.bron for z in zaken if z.identificatie in in_a} == {"Open Zaak"}
    assert {z.bron for z in zaken if z.identificatie in in_b} == {"Zaaksysteem B"}
    assert zaaksysteem_a.requests["POST /zaken/api/v1/zaken/_zoek"] == 3
    assert all(z.status and z.zaaktype and z.startdatum for z in zaken)
    assert [(b.bron, b.status, b.aantal) for b in bronnen] == [
        ("Open Zaak", "ok", 10),
        ("Zaaksysteem B", "ok", 3),
    ]


def test_each_zaak_carries_readable_status_dates_and_resultaat_from_the_catalogue(
    zaaksysteem_a: ZgwDouble,
) -> None:
    zaaksysteem_a.add_zaken(bsn=BSN_ENKEL, aantal=3)
    ctx = context(bron(zaaksysteem_a, "Open Zaak", "ZGW_SECRET_A"))

    zaken, _ = plugin.kcc_search_zaken(ctx, bsn=BSN_ENKEL, kvk=None) or ([], [])

    statustypen = {s["omschrijving"] for s in zaaksysteem_a.catalogus.statustypen.values()}
    zaaktypen = {z["omschrijving"] for z in zaaksysteem_a.catalogus.zaaktypen.values()}
    assert all(z.status in statustypen and z.zaaktype in zaaktypen for z in zaken)
    assert all(z.einddatum_gepland and z.uiterlijke_einddatum_afdoening for z in zaken)
    afgesloten = [z for z in zaken if z.einddatum is not None]
    assert afgesloten and all(z.resultaat for z in afgesloten)
    assert all(z.resultaat is None for z in zaken if z.einddatum is None)


def test_with_the_second_zaaksysteem_down_the_first_still_answers_and_the_second_is_marked_failed(
    zaaksysteem_a: ZgwDouble, zaaksysteem_b: ZgwDouble
) -> None:
    in_a = zaaksysteem_a.add_zaken(bsn=BSN_TWEE_BRONNEN_DOWN, aantal=5)
    zaaksysteem_b.add_zaken(bsn=BSN_TWEE_BRONNEN_DOWN, aantal=2)
    zaaksysteem_b.faults.status = 500
    ctx = context(
        bron(zaaksysteem_a, "Open Zaak", "ZGW_SECRET_A"),
        bron(zaaksysteem_b, "Zaaksysteem B", "ZGW_SECRET_B"),
    )

    zaken, bronnen = plugin.kcc_search_zaken(ctx, bsn=BSN_TWEE_BRONNEN_DOWN, kvk=None) or ([], [])

    assert sorted(z.identificatie for z in zaken) == sorted(in_a)
    status = {b.bron: b for b in bronnen}
    assert status["Open Zaak"].status == "ok"
    assert status["Zaaksysteem B"].status == "mislukt"
    assert "Zaaksysteem B" in (status["Zaaksysteem B"].detail or "")


def test_a_wrong_secret_is_rejected_with_a_message_about_credentials_that_holds_no_secret(
    zaaksysteem_a: ZgwDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZGW_SECRET_A", "een-verkeerd-geheim-dat-lang-genoeg-is-123")
    ctx = context(bron(zaaksysteem_a, "Open Zaak", "ZGW_SECRET_A"))

    with pytest.raises(UpstreamRejected) as raised:
        plugin.kcc_search_zaken(ctx, bsn=BSN_ENKEL, kvk=None)

    message = raised.value.detail
    assert raised.value.status == 502
    assert "weigert de inloggegevens" in message
    assert "verkeerd-geheim" not in message and SECRET_A not in message
    assert BSN_ENKEL not in message


def test_an_upstream_timeout_gives_upstream_timeout_after_bounded_retries(
    zaaksysteem_a: ZgwDouble,
) -> None:
    zaaksysteem_a.faults.hang_seconds = 1.0
    host = plugin_host(
        bron(zaaksysteem_a, "Open Zaak", "ZGW_SECRET_A", timeout_seconds=0.2), attempts=3
    )

    with pytest.raises(UpstreamTimeout) as raised:
        host.call("zaak", "9999", hookspecs.kcc_search_zaken, bsn=BSN_TIMEOUT, kvk=None)

    assert raised.value.status == 504
    assert "na 3 pogingen" in raised.value.detail
    assert zaaksysteem_a.requests["POST /zaken/api/v1/zaken/_zoek"] == 3
    assert BSN_TIMEOUT not in raised.value.detail


def test_a_single_transient_500_is_retried_and_the_answer_is_complete(
    zaaksysteem_a: ZgwDouble,
) -> None:
    in_a = zaaksysteem_a.add_zaken(bsn=BSN_ENKEL, aantal=1)
    zaaksysteem_a.faults.fail_next = 1
    host = plugin_host(bron(zaaksysteem_a, "Open Zaak", "ZGW_SECRET_A"), attempts=3)

    zaken, bronnen = host.call(
        "zaak", "9999", hookspecs.kcc_search_zaken, bsn=BSN_ENKEL, kvk=None
    ) or ([], [])

    assert set(in_a) <= {z.identificatie for z in zaken}
    assert bronnen[0].status == "ok"


def test_the_bsn_never_appears_in_a_url_with_the_default_zoek_method(
    zaaksysteem_a: ZgwDouble,
) -> None:
    zaaksysteem_a.add_zaken(bsn=BSN_ENKEL, aantal=5)
    ctx = context(bron(zaaksysteem_a, "Open Zaak", "ZGW_SECRET_A"))

    plugin.kcc_search_zaken(ctx, bsn=BSN_ENKEL, kvk=None)

    assert zaaksysteem_a.urls
    assert not [url for url in zaaksysteem_a.urls if BSN_ENKEL in url]


def test_the_list_method_for_older_zaaksystemen_follows_all_pages(
    zaaksysteem_a: ZgwDouble,
) -> None:
    in_a = zaaksysteem_a.add_zaken(bsn=BSN_LIJST, aantal=9)
    ctx = context(bron(zaaksysteem_a, "Oud", "ZGW_SECRET_A", search_method="lijst"))

    zaken, _ = plugin.kcc_search_zaken(ctx, bsn=BSN_LIJST, kvk=None) or ([], [])

    assert sorted(z.identificatie for z in zaken) == sorted(in_a)
    assert zaaksysteem_a.requests["GET /zaken/api/v1/zaken"] == 3


def test_zaken_of_an_organisation_are_found_by_kvk_number(zaaksysteem_a: ZgwDouble) -> None:
    in_a = zaaksysteem_a.add_zaken(kvk=KVK, aantal=2)
    ctx = context(bron(zaaksysteem_a, "Open Zaak", "ZGW_SECRET_A"))

    zaken, _ = plugin.kcc_search_zaken(ctx, bsn=None, kvk=KVK) or ([], [])

    assert sorted(z.identificatie for z in zaken) == sorted(in_a)


def test_catalogue_objects_are_cached_between_searches(zaaksysteem_a: ZgwDouble) -> None:
    zaaksysteem_a.add_zaken(bsn=BSN_CACHE, aantal=8)
    ctx = context(bron(zaaksysteem_a, "Open Zaak", "ZGW_SECRET_A"))
    plugin.kcc_search_zaken(ctx, bsn=BSN_CACHE, kvk=None)
    first = sum(n for route, n in zaaksysteem_a.requests.items() if "/catalogi/" in route)
    zaaksysteem_a.requests.clear()

    plugin.kcc_search_zaken(ctx, bsn=BSN_CACHE, kvk=None)

    assert first > 0
    assert not [route for route in zaaksysteem_a.requests if "/catalogi/" in route]


def test_the_token_names_the_medewerker_for_the_zaaksysteem_audit_trail(
    zaaksysteem_a: ZgwDouble,
) -> None:
    ctx = context(bron(zaaksysteem_a, "Open Zaak", "ZGW_SECRET_A"))

    plugin.kcc_search_zaken(ctx, bsn=BSN_ENKEL, kvk=None)

    claims = zaaksysteem_a.last_claims
    assert claims["client_id"] == "kcc-hub" and claims["iss"] == "kcc-hub"
    assert claims["user_id"] == "m.devries"
    assert claims["user_representation"] == "Marieke de Vries"
    assert isinstance(claims["iat"], int)


def test_when_every_zaaksysteem_fails_the_error_is_raised_instead_of_an_empty_list(
    zaaksysteem_a: ZgwDouble, zaaksysteem_b: ZgwDouble
) -> None:
    zaaksysteem_a.faults.status = 500
    zaaksysteem_b.faults.status = 500
    ctx = context(
        bron(zaaksysteem_a, "Open Zaak", "ZGW_SECRET_A", max_attempts=1),
        bron(zaaksysteem_b, "B", "ZGW_SECRET_B", max_attempts=1),
    )

    with pytest.raises(UpstreamUnavailable) as raised:
        plugin.kcc_search_zaken(ctx, bsn=BSN_ENKEL, kvk=None)

    assert getattr(raised.value, "status", None) == 503


def test_with_the_catalogue_down_the_zaken_still_come_back_marked_incomplete(
    zaaksysteem_a: ZgwDouble,
) -> None:
    in_a = zaaksysteem_a.add_zaken(bsn="999997324", aantal=6)
    zaaksysteem_a.faults.status = 503
    zaaksysteem_a.faults.only_path = "/catalogi/"
    ctx = context(bron(zaaksysteem_a, "Open Zaak", "ZGW_SECRET_A", max_attempts=1, concurrency=1))

    zaken, bronnen = plugin.kcc_search_zaken(ctx, bsn="999997324", kvk=None) or ([], [])

    assert sorted(z.identificatie for z in zaken) == sorted(in_a)
    assert all(z.zaaktype is None and z.status is None for z in zaken)
    assert bronnen[0].status == "ok" and "niet te lezen" in (bronnen[0].detail or "")
    # One failed lookup and the rest skipped: a down Catalogi API costs one timeout, not one
    # per zaak.
    catalogi = sum(n for route, n in zaaksysteem_a.requests.items() if "/catalogi/" in route)
    assert catalogi == 1
