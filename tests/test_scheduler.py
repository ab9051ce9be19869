"""The scheduler: due syncs per gemeente × plugin, and one scheduler at a time on Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import dramatiq
import pytest

from hub.jobs.broker import install_broker
from hub.runtime import Runtime
from hub.scheduler import Lease, due_syncs
from hub.sync.runner import run_sync
from tests.support import notities_sink


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
def redis_broker(redis_url: str) -> Iterator[dramatiq.Broker]:
    broker = install_broker(redis_url)
    yield broker
    broker.close()
    install_broker(None)


def test_only_one_scheduler_holds_the_lease(redis_broker: dramatiq.Broker) -> None:
    first, second = Lease(seconds=30), Lease(seconds=30)
    assert first.held()
    assert not second.held()
    assert first.held()  # renewing its own lease
