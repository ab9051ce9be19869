"""Never lost (issue 9, acceptance 1): the contactverzoek is committed first and its mail goes
out from the outbox; a down mail upstream, broker or worker delays the mail, never loses or
doubles it, and a mail that fails for good is listed as a dead letter and shown as failed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import dramatiq
import pytest
from sqlalchemy import select, update

from hub.jobs.actors import sweep_klantcontacten_outbox
from hub.jobs.broker import install_broker
from hub.jobs.context import install_runtime
from hub.jobs.dead_letters import list_dead
from hub.klantcontacten import Beleid, te_doen, verwerk
from hub.klantcontacten.outbox import register_handler
from hub.klantcontacten.tables import OutboxRij
from hub.store.base import utcnow
from hub.tenants import OutboxSettings
from tests.klantcontacten.conftest import Hub, terugbelverzoek

STOPPED_REDIS = "redis://127.0.0.1:1/0"  # nothing listens there: a stopped broker


def register(hub: Hub) -> dict[str, object]:
    response = hub.client.post(
        hub.url("klantcontacten"), json=terugbelverzoek(), headers=hub.headers()
    )
    assert response.status_code == 201, response.text
    return response.json()["contactverzoek"]  # type: ignore[no-any-return]


def contactverzoek(hub: Hub, cv_id: object) -> dict[str, object]:
    return hub.client.get(  # type: ignore[no-any-return]
        hub.url(f"contactverzoeken/{cv_id}"), headers=hub.headers()
    ).json()


def attempt_all(hub: Hub, *, later: timedelta = timedelta(0)) -> list[str]:
    rt = hub.runtime
    beleid = Beleid.uit(rt.tenants.hub.outbox)
    moment = utcnow() + later
    return [
        verwerk(rt.store, rt.host, g, r, beleid, nu=lambda: moment)
        for g, r in te_doen(rt.store, nu=moment)
    ]


@pytest.fixture
def worker_on(redis_url: str) -> Iterator[Callable[[Hub], None]]:
    """Run the sweep and the outbox jobs through Redis in a real Dramatiq worker."""
    brokers: list[dramatiq.Broker] = []

    def run(hub: Hub) -> None:
        broker = install_broker(redis_url, max_retries=0, min_backoff_ms=10, max_backoff_ms=50)
        brokers.append(broker)
        install_runtime(hub.runtime)
        sweep_klantcontacten_outbox.send()
        worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
        worker.start()
        try:
            broker.join("outbox", timeout=60_000)
            worker.join()
        finally:
            worker.stop()

    yield run
    install_runtime(None)
    for broker in brokers:
        broker.close()
    install_broker(None)


def test_with_the_mail_upstream_down_the_post_answers_201_and_one_mail_follows_recovery(
    hub: Hub,
) -> None:
    hub.exchange.kalenders.fouten.down = True
    cv = register(hub)

    assert attempt_all(hub) == ["uitgesteld"]
    waiting = contactverzoek(hub, cv["id"])["notificaties"]
    assert waiting[0]["status"] == "in_wachtrij" and waiting[0]["fout"]

    hub.exchange.kalenders.fouten.down = False
    assert attempt_all(hub, later=timedelta(hours=2)) == ["verzonden"]
    assert attempt_all(hub, later=timedelta(hours=4)) == []
    assert len(hub.verzonden) == 1
    assert contactverzoek(hub, cv["id"])["notificaties"][0]["status"] == "verzonden"


def test_a_mail_accepted_upstream_before_a_failure_is_not_sent_twice(hub: Hub) -> None:
    hub.exchange.kalenders.fouten.fail_after_commit["sendMail"] = 1
    register(hub)

    assert attempt_all(hub) == ["uitgesteld"]
    assert attempt_all(hub, later=timedelta(hours=1)) == ["verzonden"]
    assert len(hub.verzonden) == 1


def test_with_redis_stopped_the_post_answers_201_and_one_mail_goes_out_once_it_is_back(
    hub: Hub, worker_on: Callable[[Hub], None]
) -> None:
    install_broker(STOPPED_REDIS)
    cv = register(hub)
    assert hub.verzonden == []

    worker_on(hub)

    assert [m.notification_id for m in hub.verzonden] == [cv["notificaties"][0]["id"]]  # type: ignore[index]
    assert contactverzoek(hub, cv["id"])["notificaties"][0]["status"] == "verzonden"


def test_a_crashed_workers_row_is_picked_up_again_within_a_minute(hub: Hub) -> None:
    beleid = Beleid.uit(OutboxSettings())
    assert beleid.lease < timedelta(minutes=1)
    register(hub)
    crashed_at = utcnow()
    with hub.runtime.store.session() as session:  # a worker claimed the row, then died
        session.execute(update(OutboxRij).values(geclaimd_tot=crashed_at + beleid.lease))

    assert te_doen(hub.runtime.store, nu=crashed_at + timedelta(seconds=1)) == []
    assert attempt_all(hub, later=beleid.lease + timedelta(seconds=1)) == ["verzonden"]
    assert len(hub.verzonden) == 1


def test_work_that_outlasts_the_lease_keeps_its_claim_by_renewing_it(
    make_hub: Callable[..., Hub],
) -> None:
    # One plugin call is bounded below the lease (plugin_timeout_seconds); a handler making
    # several calls, like this one of 8 s, is not.
    hub = make_hub("[outbox]\nlease_seconds = 6\n")
    rt = hub.runtime
    beleid = Beleid.uit(rt.tenants.hub.outbox)
    register_handler("traag", lambda store, plugins, rij: time.sleep(8) or "extern-1")
    register(hub)
    [(gemeente, rij_id)] = te_doen(rt.store)
    with rt.store.session() as session:
        session.execute(update(OutboxRij).where(OutboxRij.id == rij_id).values(soort="traag"))
    results: list[str] = []
    first = threading.Thread(
        target=lambda: results.append(verwerk(rt.store, rt.host, gemeente, rij_id, beleid))
    )
    first.start()
    claimed = _claimed_until(hub, rij_id)
    deadline = time.monotonic() + 5
    while claimed is None and time.monotonic() < deadline:
        time.sleep(0.05)
        claimed = _claimed_until(hub, rij_id)
    assert claimed is not None

    # The first lease runs out while the work still runs …
    while utcnow() < claimed + timedelta(milliseconds=300):
        time.sleep(0.05)
    assert first.is_alive()
    renewed = _claimed_until(hub, rij_id)
    # … but the worker renewed its claim, so no second worker takes the row meanwhile.
    assert renewed is not None and renewed > claimed
    assert verwerk(rt.store, rt.host, gemeente, rij_id, beleid) == "bezet"
    assert te_doen(rt.store) == []

    first.join(30)
    assert results == ["verzonden"]
    assert _claimed_until(hub, rij_id) is None


def _claimed_until(hub: Hub, rij_id: str) -> datetime | None:
    with hub.runtime.store.session() as session:
        return session.scalar(select(OutboxRij.geclaimd_tot).where(OutboxRij.id == rij_id))


def test_after_the_last_attempt_the_dead_letter_is_listed_and_the_mail_shown_as_failed(
    make_hub: Callable[..., Hub], worker_on: Callable[[Hub], None]
) -> None:
    hub = make_hub("[outbox]\nmax_attempts = 2\nfirst_backoff_seconds = 0\n")
    hub.exchange.kalenders.fouten.down = True
    cv = register(hub)

    worker_on(hub)  # the first attempt fails; the row is due again at once
    worker_on(hub)  # the last attempt fails: given up

    with hub.runtime.store.session() as session:
        [dead] = list_dead(session, "9999")
    assert dead.actor == "verwerk_klantcontact_outbox"
    notificatie = contactverzoek(hub, cv["id"])["notificaties"][0]
    assert notificatie["status"] == "mislukt" and notificatie["pogingen"] == 2
    assert dead.arguments["args"] == ["9999", notificatie["id"]]
    assert hub.verzonden == []
