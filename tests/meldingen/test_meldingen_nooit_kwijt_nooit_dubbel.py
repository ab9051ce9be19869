"""Meldingen through the hub: stored first, submitted from the outbox, never lost, never doubled.

Issue 6 acceptance 3, 4 and 5, on SQLite and PostgreSQL, with the real PluginHost,
the real Fixi plugin and the Fixi double.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from hub.caller import Caller
from hub.domain.meldingen import Locatie, NieuweMelding, UpstreamMelding
from hub.errors import InvalidRequest, NotFound, UpstreamUnavailable
from hub.meldingen import (
    IdempotencyKeyReused,
    accept,
    anonymiseer_melders,
    get_melding,
    meldingen_van_melder,
    pending_outbox,
    submit_outbox,
    sync_statuses,
)
from hub.meldingen.status_sync import apply_status_batch
from hub.meldingen.tables import MeldingRij, OutboxRij
from hub.plugin_api import SyncBatch
from hub.store.base import utcnow
from hub.store.db import Store, make_engine
from plugins.fixi.double import FixiDouble
from plugins.fixi.tests.conftest import lantaarnpaal, plugin_host

AGENT = Caller(
    subject="p.bakker",
    display_name="Pieter Bakker",
    roles=frozenset({"kcc-medewerker"}),
    gemeenten=frozenset({"9999", "0363"}),
)


def test_an_accepted_melding_is_stored_in_the_queue_with_an_outbox_row(store: Store) -> None:
    melding, created = accept(store, "9999", AGENT, "sleutel-1", lantaarnpaal())

    assert created is True
    assert melding.status == "in_wachtrij" and melding.bron is None
    assert ("9999", melding.id) in pending_outbox(store)


def test_the_same_key_and_body_twice_give_the_same_melding_once(store: Store) -> None:
    first, created_first = accept(store, "9999", AGENT, "sleutel-2", lantaarnpaal())
    again, created_again = accept(store, "9999", AGENT, "sleutel-2", lantaarnpaal())

    assert (created_first, created_again) == (True, False)
    assert again.id == first.id
    with store.session() as session:
        assert len(session.scalars(select(MeldingRij)).all()) == 1
        assert len(session.scalars(select(OutboxRij)).all()) == 1


def test_the_same_key_with_another_body_is_refused(store: Store) -> None:
    accept(store, "9999", AGENT, "sleutel-3", lantaarnpaal("Lamp knippert"))

    with pytest.raises(IdempotencyKeyReused) as raised:
        accept(store, "9999", AGENT, "sleutel-3", lantaarnpaal("Lamp is stuk"))

    assert raised.value.status == 409


def test_the_same_key_from_another_medewerker_is_refused(store: Store) -> None:
    accept(store, "9999", AGENT, "sleutel-4", lantaarnpaal())
    collega = Caller("a.smit", "Anna Smit", frozenset({"kcc-medewerker"}), frozenset({"9999"}))

    with pytest.raises(IdempotencyKeyReused):
        accept(store, "9999", collega, "sleutel-4", lantaarnpaal())


def test_keys_are_per_gemeente_and_meldingen_of_another_gemeente_are_not_visible(
    store: Store,
) -> None:
    hier, _ = accept(store, "9999", AGENT, "sleutel-5", lantaarnpaal())
    daar, created = accept(store, "0363", AGENT, "sleutel-5", lantaarnpaal())

    assert created is True and daar.id != hier.id
    with pytest.raises(NotFound):
        get_melding(store, "0363", hier.id)


def test_a_malformed_key_is_refused(store: Store) -> None:
    with pytest.raises(InvalidRequest) as raised:
        accept(store, "9999", AGENT, "met spaties", lantaarnpaal())
    assert raised.value.field == "Idempotency-Key"


def test_simultaneous_requests_with_one_key_store_one_melding(store: Store) -> None:
    answers: list[Any] = []

    def post() -> None:
        answers.append(accept(store, "9999", AGENT, "sleutel-race", lantaarnpaal()))

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len({m.id for m, _ in answers}) == 1
    assert sum(created for _, created in answers) == 1


def test_the_outbox_files_the_melding_upstream_once_and_shows_both_statuses(
    store: Store, fixi: FixiDouble
) -> None:
    host = plugin_host(fixi)
    melding, _ = accept(store, "9999", AGENT, "sleutel-6", lantaarnpaal())

    assert submit_outbox(store, host, "9999", melding.id) == "ingediend"
    assert submit_outbox(store, host, "9999", melding.id) == "al_verwerkt"

    shown = get_melding(store, "9999", melding.id)
    assert shown.status == "ingediend" and shown.ingediend_op is not None
    assert shown.bron is not None
    assert shown.bron.naam == "fixi" and shown.bron.status == "Nieuw"
    assert len(fixi.issues_with_reference(melding.id)) == 1
    assert pending_outbox(store) == []


def test_the_same_idempotency_key_twice_creates_exactly_one_melding_upstream(
    store: Store, fixi: FixiDouble
) -> None:
    host = plugin_host(fixi)
    first, _ = accept(store, "9999", AGENT, "sleutel-7", lantaarnpaal())
    again, _ = accept(store, "9999", AGENT, "sleutel-7", lantaarnpaal())

    submit_outbox(store, host, "9999", first.id)
    submit_outbox(store, host, "9999", again.id)

    assert len(fixi.issues_with_reference(first.id)) == 1
    assert fixi.requests["POST /api/issues"] == 1


def test_a_job_retried_after_fixi_accepted_the_melding_creates_exactly_one(
    store: Store, fixi: FixiDouble
) -> None:
    # The plugin gives up after one attempt, so the job itself fails after Fixi stored the
    # melding and dropped the connection: the retried job must find it, not file it again.
    host = plugin_host(fixi, max_attempts=1)
    melding, _ = accept(store, "9999", AGENT, "sleutel-8", lantaarnpaal())
    fixi.faults.drop_after_create = 1

    with pytest.raises(UpstreamUnavailable):
        submit_outbox(store, host, "9999", melding.id)
    assert get_melding(store, "9999", melding.id).status == "in_wachtrij"

    assert submit_outbox(store, host, "9999", melding.id) == "ingediend"
    assert len(fixi.issues_with_reference(melding.id)) == 1
    assert fixi.requests["POST /api/issues"] == 1


def test_with_fixi_down_the_melding_waits_survives_a_restart_and_goes_out_when_fixi_is_back(
    database_url: str, fixi: FixiDouble
) -> None:
    hub = Store(make_engine(database_url))
    fixi.faults.status = 503
    melding, created = accept(hub, "9999", AGENT, "sleutel-9", lantaarnpaal())
    with pytest.raises(UpstreamUnavailable):
        submit_outbox(hub, plugin_host(fixi, max_attempts=1), "9999", melding.id)
    shown = get_melding(hub, "9999", melding.id)
    assert created and shown.status == "in_wachtrij" and shown.fout and shown.pogingen == 1
    hub.engine.dispose()  # the hub and its worker stop

    fixi.faults.reset()  # Fixi is back; a new hub process starts with a new worker
    restarted = Store(make_engine(database_url))
    later = utcnow() + timedelta(hours=2)
    assert pending_outbox(restarted, now=later) == [("9999", melding.id)]
    assert submit_outbox(restarted, plugin_host(fixi), "9999", melding.id) == "ingediend"

    assert get_melding(restarted, "9999", melding.id).status == "ingediend"
    assert len(fixi.issues_with_reference(melding.id)) == 1
    restarted.engine.dispose()


def test_a_failed_attempt_is_not_picked_again_before_its_backoff(
    store: Store, fixi: FixiDouble
) -> None:
    fixi.faults.status = 503
    melding, _ = accept(store, "9999", AGENT, "sleutel-10", lantaarnpaal())
    with pytest.raises(UpstreamUnavailable):
        submit_outbox(store, plugin_host(fixi, max_attempts=1), "9999", melding.id)

    assert pending_outbox(store) == []
    assert pending_outbox(store, now=utcnow() + timedelta(minutes=5)) == [("9999", melding.id)]


def test_a_melding_being_submitted_by_another_worker_is_left_alone(
    store: Store, fixi: FixiDouble
) -> None:
    melding, _ = accept(store, "9999", AGENT, "sleutel-11", lantaarnpaal())
    with store.session() as session:
        session.execute(update(OutboxRij).values(geclaimd_tot=utcnow() + timedelta(minutes=1)))

    assert submit_outbox(store, plugin_host(fixi), "9999", melding.id) == "bezet"
    assert fixi.issues_with_reference(melding.id) == []


def test_a_category_fixi_does_not_know_fails_the_melding_without_retrying(
    store: Store, fixi: FixiDouble
) -> None:
    onbekend = NieuweMelding(
        categorie="Vliegende schotel", omschrijving="Op het plein", locatie=Locatie(adres="Markt 1")
    )
    melding, _ = accept(store, "9999", AGENT, "sleutel-12", onbekend)

    assert submit_outbox(store, plugin_host(fixi), "9999", melding.id) == "mislukt"

    shown = get_melding(store, "9999", melding.id)
    assert shown.status == "mislukt" and shown.fout and "categorie" in shown.fout
    assert pending_outbox(store, now=utcnow() + timedelta(days=1)) == []


@pytest.mark.parametrize("status", [400, 409, 413, 422])
def test_a_permanent_refusal_of_the_content_ends_the_retries_with_a_visible_failure(
    store: Store, fixi: FixiDouble, status: int
) -> None:
    melding, _ = accept(store, "9999", AGENT, f"sleutel-{status}", lantaarnpaal())
    fixi.faults.create_status = status

    assert submit_outbox(store, plugin_host(fixi), "9999", melding.id) == "mislukt"

    shown = get_melding(store, "9999", melding.id)
    assert shown.status == "mislukt" and shown.fout and str(status) in shown.fout
    assert shown.pogingen == 1
    assert pending_outbox(store, now=utcnow() + timedelta(days=1)) == []


def test_refused_credentials_are_retried_later_not_failed(store: Store, fixi: FixiDouble) -> None:
    melding, _ = accept(store, "9999", AGENT, "sleutel-403", lantaarnpaal())
    fixi.faults.create_status = 403

    assert submit_outbox(store, plugin_host(fixi), "9999", melding.id) == "uitgesteld"
    assert get_melding(store, "9999", melding.id).status == "in_wachtrij"


def test_a_status_change_in_fixi_is_visible_after_the_next_status_sync(
    store: Store, fixi: FixiDouble
) -> None:
    host = plugin_host(fixi)
    melding, _ = accept(store, "9999", AGENT, "sleutel-13", lantaarnpaal())
    submit_outbox(store, host, "9999", melding.id)
    extern_id = get_melding(store, "9999", melding.id).bron.extern_id  # type: ignore[union-attr]

    fixi.set_status(extern_id, "In behandeling")
    assert sync_statuses(store, host, "9999") == 1
    assert get_melding(store, "9999", melding.id).bron.status == "In behandeling"  # type: ignore[union-attr]

    fixi.set_status(extern_id, "Afgehandeld", closed=True)
    sync_statuses(store, host, "9999")
    bron = get_melding(store, "9999", melding.id).bron
    assert bron is not None and bron.status == "Afgehandeld" and bron.afgesloten is not None

    fixi.requests.clear()
    assert sync_statuses(store, host, "9999") == 0
    assert fixi.requests["GET /api/issues/lite/{publicID}"] == 0  # closed: no longer polled


def test_status_batches_from_a_plugin_sync_update_the_stored_melding(
    store: Store, fixi: FixiDouble
) -> None:
    host = plugin_host(fixi)
    melding, _ = accept(store, "9999", AGENT, "sleutel-14", lantaarnpaal())
    submit_outbox(store, host, "9999", melding.id)
    extern_id = get_melding(store, "9999", melding.id).bron.extern_id  # type: ignore[union-attr]

    batch = SyncBatch(
        kind="meldingstatussen", upserts=[UpstreamMelding(extern_id=extern_id, status="Ingepland")]
    )
    with store.session() as session:
        assert apply_status_batch(session, "9999", batch, utcnow()) == 1
        # Another gemeente's batch never touches this melding.
        assert apply_status_batch(session, "0363", batch, utcnow()) == 0

    assert get_melding(store, "9999", melding.id).bron.status == "Ingepland"  # type: ignore[union-attr]


def test_a_callers_earlier_meldingen_are_found_by_phone_or_email_in_any_notation(
    store: Store,
) -> None:
    eerste, _ = accept(store, "9999", AGENT, "sleutel-15", lantaarnpaal("Eerste"))
    tweede, _ = accept(store, "9999", AGENT, "sleutel-16", lantaarnpaal("Tweede"))
    accept(store, "0363", AGENT, "sleutel-17", lantaarnpaal("Andere gemeente"))

    by_phone = meldingen_van_melder(store, "9999", telefoonnummer="+31 6 1234 5678")
    by_email = meldingen_van_melder(store, "9999", email=" J.Jansen@Example.nl ")

    assert [m.id for m in by_phone] == [tweede.id, eerste.id]
    assert [m.id for m in by_email] == [tweede.id, eerste.id]
    assert meldingen_van_melder(store, "9999", telefoonnummer="0687654321") == []
    assert meldingen_van_melder(store, "9999") == []


def test_melder_details_are_erased_once_a_melding_is_long_finished_and_kept_while_open(
    store: Store, fixi: FixiDouble
) -> None:
    host = plugin_host(fixi)
    afgesloten, _ = accept(store, "9999", AGENT, "sleutel-18", lantaarnpaal("Klaar"))
    open_, _ = accept(store, "9999", AGENT, "sleutel-19", lantaarnpaal("Nog open"))
    wachtend, _ = accept(store, "9999", AGENT, "sleutel-20", lantaarnpaal("Wacht"))
    for melding in (afgesloten, open_):
        submit_outbox(store, host, "9999", melding.id)
    extern_id = get_melding(store, "9999", afgesloten.id).bron.extern_id  # type: ignore[union-attr]
    fixi.set_status(extern_id, "Afgehandeld", closed=True)
    sync_statuses(store, host, "9999")

    erased = anonymiseer_melders(store, "9999", afgerond_voor=utcnow() + timedelta(days=1))

    assert erased == 1
    nog_bekend = meldingen_van_melder(store, "9999", telefoonnummer="0612345678")
    assert {m.id for m in nog_bekend} == {open_.id, wachtend.id}
    with store.session() as session:
        rij = session.get(MeldingRij, afgesloten.id)
        assert rij is not None and rij.melder is None and rij.melder_email is None
        assert rij.omschrijving == "Klaar"
    assert anonymiseer_melders(store, "9999", afgerond_voor=utcnow() + timedelta(days=1)) == 0
