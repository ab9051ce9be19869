"""Jobs on a real Redis broker: a sync runs in a worker; a failing one is retried, then dead-lettered."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import dramatiq
import pytest
from sqlalchemy import update

from hub.caller import Caller
from hub.domain.meldingen import Locatie, Melder, NieuweMelding
from hub.jobs.actors import anonymiseer_meldingen, sync_plugin
from hub.jobs.broker import install_broker
from hub.jobs.context import install_runtime
from hub.jobs.dead_letters import list_dead
from hub.meldingen import accept
from hub.meldingen.tables import MISLUKT, MeldingRij
from hub.runtime import Runtime
from hub.secrets import SecretRef
from hub.store.base import utcnow
from hub.sync import state
from tests.support import notities_sink


@pytest.fixture
def rt(make_runtime: Callable[..., Runtime]) -> Iterator[Runtime]:
    notities_sink.install()
    runtime = make_runtime()
    install_runtime(runtime)
    yield runtime
    install_runtime(None)


@pytest.fixture
def redis_broker(redis_url: str) -> Iterator[dramatiq.Broker]:
    broker = install_broker(redis_url, max_retries=2, min_backoff_ms=10, max_backoff_ms=50)
    yield broker
    broker.close()
    install_broker(None)


def run_worker_until_idle(broker: dramatiq.Broker) -> None:
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        broker.join(sync_plugin.queue_name, timeout=60_000)
        worker.join()
    finally:
        worker.stop()


def test_a_sync_job_runs_in_a_worker_through_redis(
    rt: Runtime, redis_broker: dramatiq.Broker
) -> None:
    sync_plugin.send("9999", "notities")
    run_worker_until_idle(redis_broker)
    with rt.store.session() as session:
        assert state.get_checkpoint(session, "9999", "notities") == {"tot": 5}
    assert len(notities_sink.STORED["9999"]) == 5


def test_a_repeated_sync_message_does_not_double_anything(
    rt: Runtime, redis_broker: dramatiq.Broker
) -> None:
    sync_plugin.send("9999", "notities")
    sync_plugin.send("9999", "notities")
    run_worker_until_idle(redis_broker)
    assert len(notities_sink.STORED["9999"]) == 5


def test_a_failing_sync_is_retried_then_dead_lettered_for_its_gemeente(
    rt: Runtime, redis_broker: dramatiq.Broker
) -> None:
    rt.tenants.gemeenten["0363"].plugin_settings["notities"].storing = "rejected"  # type: ignore[attr-defined]
    sync_plugin.send("0363", "notities")
    run_worker_until_idle(redis_broker)
    with rt.store.session() as session:
        runs = state.last_runs(session, "0363", "notities")
        assert [r.status for r in runs] == ["failed"] * 3  # first attempt + 2 retries
        [dead] = list_dead(session, "0363")
        assert dead.actor == "sync_plugin" and dead.retries == 2
        assert "UpstreamRejected" in dead.error
        assert list_dead(session, "9999") == []


def test_a_configuration_error_is_not_retried_but_dead_lettered_at_once(
    rt: Runtime, redis_broker: dramatiq.Broker
) -> None:
    settings = rt.tenants.gemeenten["0363"].plugin_settings["notities"]
    settings.token = SecretRef("${KCC_TEST_NOT_SET_ANYWHERE}")  # type: ignore[attr-defined]
    sync_plugin.send("0363", "notities")
    run_worker_until_idle(redis_broker)
    with rt.store.session() as session:
        runs = state.last_runs(session, "0363", "notities")
        assert [r.status for r in runs] == ["config_error"]
        [dead] = list_dead(session, "0363")
        assert dead.retries == 0 and "ConfigurationError" in dead.error


def test_only_one_run_per_key_across_workers(redis_broker: dramatiq.Broker) -> None:
    from hub.jobs.limits import one_at_a_time

    with one_at_a_time("proef:9999") as first:
        with one_at_a_time("proef:9999") as second:
            assert first and not second
        with one_at_a_time("proef:0363") as other:
            assert other
    with one_at_a_time("proef:9999") as again:
        assert again


def _melding_mislukt(rt: Runtime, sleutel: str, dagen_geleden: int) -> str:
    """A melding that failed ``dagen_geleden`` days ago, with its melder's contact details."""
    caller = Caller(
        subject="p.bakker",
        display_name="Pieter Bakker",
        roles=frozenset({"kcc-medewerker"}),
        gemeenten=frozenset({"9999"}),
    )
    melding = NieuweMelding(
        categorie="Straatverlichting",
        omschrijving="Lantaarnpaal brandt niet",
        locatie=Locatie(adres="Dorpsstraat 12", woonplaats="Demodam", lat=52.09, lon=5.12),
        melder=Melder(naam="J. Jansen", email="j.jansen@example.nl", telefoonnummer="0612345678"),
    )
    stored, _ = accept(rt.store, "9999", caller, sleutel, melding)
    with rt.store.session() as session:
        session.execute(
            update(MeldingRij)
            .where(MeldingRij.id == stored.id)
            .values(status=MISLUKT, aangemaakt_op=utcnow() - timedelta(days=dagen_geleden))
        )
    return stored.id


def test_the_meldingen_retention_job_erases_melders_past_the_gemeentes_term_only(
    rt: Runtime,
) -> None:
    term = rt.tenants.gemeenten["9999"].meldingen.melder_bewaartermijn_dagen
    oud = _melding_mislukt(rt, "sleutel-oud", term + 1)
    recent = _melding_mislukt(rt, "sleutel-recent", term - 1)

    anonymiseer_meldingen("9999")

    with rt.store.session() as session:
        oude_rij, recente_rij = session.get(MeldingRij, oud), session.get(MeldingRij, recent)
        assert oude_rij is not None and recente_rij is not None
        assert (oude_rij.melder, oude_rij.melder_email, oude_rij.melder_telefoon) == (
            None,
            None,
            None,
        )
        assert oude_rij.omschrijving == "Lantaarnpaal brandt niet"
        assert recente_rij.melder_telefoon == "0612345678"
