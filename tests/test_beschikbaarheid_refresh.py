"""Availability in lists: every mailbox of a gemeente is refreshed on the calendar plugin's
interval and right after a directory sync, recorded as a run of the plugin, and started from
the API like any synchronisation. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dramatiq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hub.api.app import create_app
from hub.beschikbaarheid import latest, refresh_recorded
from hub.directory.demo import seed_demo_directory
from hub.directory.tables import MedewerkerRow
from hub.jobs.actors import refresh_beschikbaarheid, sync_plugin
from hub.jobs.broker import install_broker
from hub.jobs.context import install_runtime
from hub.runtime import Runtime
from hub.scheduler import periodic_jobs
from hub.sync import state
from tests.support import agenda_plugin, notities_plugin, notities_sink


@pytest.fixture
def broker() -> Iterator[dramatiq.Broker]:
    """The in-process broker, without a worker: messages stay queued for inspection."""
    yield install_broker(None)
    install_broker(None)


@pytest.fixture
def rt(hub_config: Path, database_url: str, broker: dramatiq.Broker) -> Iterator[Runtime]:
    notities_sink.install()
    gemeente = hub_config / "gemeenten" / "9999.toml"
    gemeente.write_text(
        gemeente.read_text(encoding="utf-8") + "[plugins.agenda]\nsync_interval_seconds = 120\n",
        encoding="utf-8",
    )
    runtime = Runtime.build(
        config_dir=hub_config,
        database_url=database_url,
        extra_plugins=[("notities", notities_plugin), ("agenda", agenda_plugin)],
    )
    install_runtime(runtime)
    seed_demo_directory(runtime.store, "9999")
    yield runtime
    install_runtime(None)
    runtime.store.engine.dispose()


def queued(broker: dramatiq.Broker, actor: str) -> list[dramatiq.Message[None]]:
    found = []
    for queue in broker.queues.values():  # type: ignore[attr-defined]
        for raw in list(queue.queue):
            message = dramatiq.Message.decode(raw)
            if message.actor_name == actor:
                found.append(message)
    return found


def test_a_refresh_asks_for_every_mailbox_and_is_recorded_as_a_run(rt: Runtime) -> None:
    assert refresh_recorded(rt, "9999", "agenda") == 250
    with rt.store.session() as session:
        emails = session.scalars(
            select(MedewerkerRow.email).where(MedewerkerRow.gemeente == "9999")
        )
        known = latest(session, "9999", [e for e in emails if e])
        [run] = state.last_runs(session, "9999", "agenda")
    assert len(known) == 250
    assert (run.status, run.records, run.full) == ("ok", 250, True)


def test_the_scheduler_refreshes_each_gemeente_on_its_calendar_plugins_interval(
    rt: Runtime,
) -> None:
    jobs = {key: (interval, message) for key, interval, message in periodic_jobs(rt)}
    interval, message = jobs["beschikbaarheid/9999"]
    assert interval == 120  # the gemeente's sync_interval_seconds for the plugin
    assert (message.actor_name, message.args) == ("refresh_beschikbaarheid", ("9999", "agenda"))
    assert "beschikbaarheid/0363" not in jobs  # no calendar plugin there


def test_a_directory_sync_is_followed_by_a_refresh_at_once(
    rt: Runtime, broker: dramatiq.Broker
) -> None:
    sync_plugin("9999", "notities")  # notities stands in for a directory (medewerkers) plugin
    [message] = queued(broker, "refresh_beschikbaarheid")
    assert message.args == ("9999",)
    sync_plugin("0363", "notities")  # 0363 has no calendar: nothing to refresh
    assert len(queued(broker, "refresh_beschikbaarheid")) == 1


def test_the_refresh_job_refreshes_through_the_first_calendar_plugin(rt: Runtime) -> None:
    refresh_beschikbaarheid("9999")
    with rt.store.session() as session:
        [run] = state.last_runs(session, "9999", "agenda")
    assert run.status == "ok"


def test_post_synchronisaties_of_a_calendar_plugin_starts_a_refresh(
    rt: Runtime, broker: dramatiq.Broker, token_for: object
) -> None:
    client = TestClient(create_app(rt))
    token = token_for("beheerder")  # type: ignore[operator]
    response = client.post(
        "/api/v1/gemeenten/9999/plugins/agenda/synchronisaties",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 202, response.text
    assert response.json()["volledig"] is True
    [message] = queued(broker, "refresh_beschikbaarheid")
    assert message.message_id == response.json()["berichtId"]
    assert message.args == ("9999", "agenda")
