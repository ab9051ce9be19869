"""The beheerder's pages: plugins and syncs, queues (outbox, dead letters), configuration."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from fastapi.testclient import TestClient
from sqlalchemy import update

from hub.caller import Caller
from hub.domain.meldingen import Locatie, Melder, NieuweMelding
from hub.jobs.actors import sync_plugin
from hub.jobs.broker import install_broker
from hub.jobs.context import install_runtime
from hub.jobs.dead_letters import list_dead
from hub.meldingen import accept
from hub.meldingen.tables import MISLUKT, MeldingRij
from hub.runtime import Runtime
from hub.sync import state
from tests.beheer.conftest import csrf_of, dev_login, lookup_person
from tests.privacy.persons import BSN


@pytest.fixture
def jobs(rt: Runtime) -> Iterator[Runtime]:
    install_runtime(rt)
    yield rt
    install_runtime(None)


def _run_worker(broker: dramatiq.Broker) -> None:
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        if isinstance(broker, StubBroker):
            # A failed message is recorded as a dead letter; the stub must not re-raise it here.
            broker.join(sync_plugin.queue_name, timeout=60_000, fail_fast=False)
        else:
            broker.join(sync_plugin.queue_name, timeout=60_000)
        worker.join()
    finally:
        worker.stop()


@pytest.fixture
def stub_broker() -> Iterator[dramatiq.Broker]:
    broker = install_broker(None, max_retries=1, min_backoff_ms=10, max_backoff_ms=20)
    yield broker
    install_broker(None)


def test_plugins_show_health_and_a_sync_can_be_started(
    client: TestClient, jobs: Runtime, stub_broker: dramatiq.Broker
) -> None:
    dev_login(client, "beheerder")
    page = client.get("/beheer/9999/plugins")
    assert page.status_code == 200
    assert "notities" in page.text and "testbrp" in page.text and "in orde" in page.text
    r = client.post(
        "/beheer/9999/plugins/notities/synchroniseren",
        data={"csrf": csrf_of(client, "/beheer/9999/plugins")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith("?bericht=sync-ingepland")
    _run_worker(stub_broker)
    with jobs.store.session() as s:
        assert [run.status for run in state.last_runs(s, "9999", "notities")] == ["ok"]
    after = client.get(r.headers["location"])
    assert "De synchronisatie is ingepland." in after.text and "geslaagd" in after.text


def test_a_plugin_without_sync_cannot_be_synchronised(client: TestClient) -> None:
    dev_login(client, "beheerder")
    r = client.post(
        "/beheer/9999/plugins/testbrp/synchroniseren",
        data={"csrf": csrf_of(client, "/beheer/9999/plugins")},
    )
    assert r.status_code == 404


def test_a_dead_letter_is_retried_after_the_cause_is_fixed(
    client: TestClient, jobs: Runtime, redis_url: str
) -> None:
    broker = install_broker(redis_url, max_retries=1, min_backoff_ms=10, max_backoff_ms=20)
    try:
        settings = jobs.tenants.gemeenten["9999"].plugin_settings["notities"]
        settings.storing = "rejected"  # type: ignore[attr-defined]
        sync_plugin.send("9999", "notities", False)
        _run_worker(broker)
        with jobs.store.session() as s:
            [dead] = list_dead(s, "9999")
        assert dead.arguments == {"args": ["9999", "notities", False], "kwargs": {}}

        dev_login(client, "beheerder")
        page = client.get("/beheer/9999/wachtrijen")
        assert "sync_plugin" in page.text and "UpstreamRejected" in page.text
        settings.storing = None  # type: ignore[attr-defined]
        r = client.post(
            f"/beheer/9999/wachtrijen/dode-berichten/{dead.id}/opnieuw",
            data={"csrf": csrf_of(client, "/beheer/9999/wachtrijen")},
        )
        assert r.status_code == 200 and "opnieuw in de wachtrij" in r.text
        assert 'id="geen-dode-berichten"' in r.text
        _run_worker(broker)
        with jobs.store.session() as s:
            assert state.last_runs(s, "9999", "notities", limit=1)[0].status == "ok"
            assert list_dead(s, "9999") == []
    finally:
        broker.close()
        install_broker(None)


def test_a_dead_letter_can_be_discarded_but_not_from_another_gemeente(
    client: TestClient, jobs: Runtime, stub_broker: dramatiq.Broker
) -> None:
    jobs.tenants.gemeenten["0363"].plugin_settings["notities"].storing = "rejected"  # type: ignore[attr-defined]
    sync_plugin.send("0363", "notities", False)
    _run_worker(stub_broker)
    with jobs.store.session() as s:
        [dead] = list_dead(s, "0363")
    dev_login(client, "beheerder", gemeente="9999")
    r = client.post(
        f"/beheer/9999/wachtrijen/dode-berichten/{dead.id}/verwijderen",
        data={"csrf": csrf_of(client, "/beheer/9999/wachtrijen")},
    )
    assert r.status_code == 404
    dev_login(client, "beheerder", gemeente="0363")
    r = client.post(
        f"/beheer/0363/wachtrijen/dode-berichten/{dead.id}/verwijderen",
        data={"csrf": csrf_of(client, "/beheer/0363/wachtrijen")},
    )
    assert r.status_code == 200 and "Het bericht is verwijderd." in r.text
    with jobs.store.session() as s:
        assert list_dead(s, "0363") == []


def test_the_outbox_backlog_and_a_failed_melding_show_no_person_data(
    client: TestClient, rt: Runtime, stub_broker: dramatiq.Broker
) -> None:
    caller = Caller("agent-7", "Agent", frozenset({"kcc-medewerker"}), frozenset({"9999"}))
    melder = Melder(naam="Jan Klaassen", email="jan@voorbeeld.test", telefoonnummer="0612345678")
    for key in ("k-1", "k-2"):
        accept(
            rt.store,
            "9999",
            caller,
            key,
            NieuweMelding(
                categorie="lantaarnpaal",
                omschrijving=f"Lamp kapot bij Dorpsstraat 1 ({key})",
                locatie=Locatie(adres="Dorpsstraat 1"),
                melder=melder,
            ),
        )
    with rt.store.session() as s:
        failed_id = s.scalars(
            MeldingRij.__table__.select().with_only_columns(MeldingRij.id)
        ).first()
        s.execute(
            update(MeldingRij)
            .where(MeldingRij.id == failed_id)
            .values(status=MISLUKT, laatste_fout="categorie onbekend")
        )
    dev_login(client, "beheerder")
    page = client.get("/beheer/9999/wachtrijen")
    assert re.search(r"Wachten op indienen</dt><dd>2<", page.text)
    assert failed_id in page.text and "categorie onbekend" in page.text
    for person_data in ("Jan Klaassen", "jan@voorbeeld.test", "0612345678", "Dorpsstraat"):
        assert person_data not in page.text
    r = client.post(
        f"/beheer/9999/wachtrijen/meldingen/{failed_id}/opnieuw",
        data={"csrf": csrf_of(client, "/beheer/9999/wachtrijen")},
    )
    assert "De melding is opnieuw in de wachtrij gezet." in r.text
    with rt.store.session() as s:
        assert s.get(MeldingRij, failed_id).status == "in_wachtrij"  # type: ignore[union-attr]


def test_the_config_check_reports_problems_of_this_gemeente_only(
    client: TestClient, beheer_config: Path
) -> None:
    dev_login(client, "beheerder")
    ok = client.get("/beheer/9999/configuratie")
    assert "De configuratie is in orde." in ok.text and "notities" in ok.text
    with (beheer_config / "gemeenten" / "0363.toml").open("a") as fh:
        fh.write("\n[plugins.notities2]\nx = 1\n")
    with (beheer_config / "gemeenten" / "9999.toml").open("a") as fh:
        fh.write("\n[sync]\nnotities = -5\nonbekend = 60\n")
    page = client.get("/beheer/9999/configuratie")
    assert "gevonden" in page.text and "sync.onbekend" in page.text
    assert "0363.toml" not in page.text and "notities2" not in page.text


def test_a_beheerder_never_sees_logboek_contents(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    lookup_person(client, token_for, BSN, sub="agent-7")
    dev_login(client, "beheerder")
    for path in (
        "/beheer/",
        "/beheer/9999/plugins",
        "/beheer/9999/wachtrijen",
        "/beheer/9999/configuratie",
    ):
        page = client.get(path)
        assert page.status_code == 200
        assert "agent-7" not in page.text and "kcc-identificatie" not in page.text
        assert BSN not in page.text
