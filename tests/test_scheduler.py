"""The scheduler: due syncs per gemeente × plugin, and one scheduler at a time on Redis."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker

from devkit.demo import DEMO_ENV
from hub.jobs.broker import install_broker
from hub.runtime import Runtime
from hub.scheduler import Lease, due_syncs, periodic_jobs, run_forever
from hub.store.migrate import upgrade
from hub.sync.runner import run_sync
from tests.support import notities_sink

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def rt(make_runtime: Callable[..., Runtime]) -> Runtime:
    notities_sink.install()
    return make_runtime()


def test_every_gemeente_is_due_before_its_first_sync(rt: Runtime) -> None:
    assert sorted(due_syncs(rt)) == [("0363", "notities"), ("9999", "notities")]


def test_a_gemeente_synced_within_its_interval_is_not_due(rt: Runtime) -> None:
    run_sync(rt, "9999", "notities")
    assert due_syncs(rt) == [("0363", "notities")]


@pytest.fixture
def redis_broker(redis_url: str) -> Iterator[RedisBroker]:
    broker = install_broker(redis_url)
    assert isinstance(broker, RedisBroker)
    yield broker
    broker.close()
    install_broker(None)


def test_only_one_scheduler_holds_the_lease(redis_broker: dramatiq.Broker) -> None:
    first, second = Lease(seconds=30), Lease(seconds=30)
    assert first.held()
    assert not second.held()
    assert first.held()  # renewing its own lease


def _wait_until(predicate: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def _start(
    rt: Runtime, lease: Lease, every_seconds: float = 15.0
) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever, args=(rt, stop, every_seconds), kwargs={"lease": lease}, daemon=True
    )
    thread.start()
    return thread, stop


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "hub.scheduler"]


def test_a_standby_takes_over_within_seconds_when_the_active_scheduler_stops(
    rt: Runtime, redis_broker: RedisBroker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hub.scheduler")
    redis = redis_broker.client
    active, standby = Lease(seconds=60), Lease(seconds=60)
    active_thread, stop_active = _start(rt, active)
    assert _wait_until(lambda: redis.get(Lease.KEY) == active.owner.encode(), 10)
    standby_thread, stop_standby = _start(rt, standby)
    assert _wait_until(
        lambda: f"scheduler on standby ({standby.owner[:8]})" in " ".join(_messages(caplog)), 10
    )

    stop_active.set()
    active_thread.join(10)

    # Well before the 60 s lease would have expired on its own.
    assert _wait_until(lambda: redis.get(Lease.KEY) == standby.owner.encode(), 10)
    stop_standby.set()
    standby_thread.join(10)
    said = _messages(caplog)
    assert f"scheduler took the lease ({active.owner[:8]}) and is active" in said
    assert f"scheduler stopped and released the lease ({active.owner[:8]})" in said
    assert f"scheduler took the lease ({standby.owner[:8]}) and is active" in said
    assert redis.get(Lease.KEY) is None  # the last one released it too


def test_a_scheduler_that_loses_its_lease_says_so_and_stands_by(
    rt: Runtime, redis_broker: RedisBroker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hub.scheduler")
    redis = redis_broker.client
    lease = Lease(seconds=60)
    thread, stop = _start(rt, lease, every_seconds=1.0)  # renews (and notices) every second
    assert _wait_until(lambda: redis.get(Lease.KEY) == lease.owner.encode(), 10)

    # As after a long pause: the lease expired and another scheduler took it.
    redis.set(Lease.KEY, "een-ander", ex=60)

    assert _wait_until(
        lambda: (
            f"scheduler lost the lease ({lease.owner[:8]}) and is on standby" in _messages(caplog)
        ),
        10,
    )
    stop.set()
    thread.join(10)
    assert redis.get(Lease.KEY) == b"een-ander"  # stopping does not release another's lease


def test_releasing_gives_up_only_the_own_lease(redis_broker: RedisBroker) -> None:
    first, second = Lease(seconds=30), Lease(seconds=30)
    assert first.held()
    assert not second.release()
    assert first.release()
    assert second.held()


def test_the_shipped_configuration_schedules_every_periodic_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Availability refresh, the outboxes, reminders, retention and the witness's anchor,
    side by side (they came from different branches)."""
    for key, value in DEMO_ENV.items():
        monkeypatch.setenv(key, value)
    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    with (config / "hub.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            '\n[witness]\ntype = "syslog"\nsyslog_address = "/dev/log"\ninterval_seconds = 300\n'
        )
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    runtime = Runtime.build(config_dir=config, database_url=url)
    jobs = {
        key: (interval, message.actor_name) for key, interval, message in periodic_jobs(runtime)
    }
    assert jobs["beschikbaarheid/9999"][1] == "refresh_beschikbaarheid"
    assert jobs["outbox"][1] == "sweep_meldingen_outbox"
    assert jobs["klantcontacten-outbox"][1] == "sweep_klantcontacten_outbox"
    assert jobs["contactverzoek-herinneringen"][1] == "plan_contactverzoek_herinneringen"
    assert jobs["klantcontacten-bewaring/9999"][1] == "purge_klantcontacten"
    assert jobs["logboek-bewaring/9999"] == (24 * 3600, "purge_logboek_retention")
    assert jobs["meldingen-bewaring/9999"] == (24 * 3600, "anonymiseer_meldingen")
    assert jobs["logboek-anker"] == (300, "anchor_logboek")
