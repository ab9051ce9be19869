"""One retry policy, applied once by the core (issue 12, acceptance 1).

A melding against a failing Fixi (the double answering 503) is attempted exactly as often
as the core's policy says: the plugin holds no retry loop, the outbox job does not retry on
top (it postpones the row to its own backoff), and the Dramatiq message is not retried.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from hub.breakers import BreakerPolicy
from hub.caller import Caller
from hub.domain.meldingen import Locatie, Melder, NieuweMelding
from hub.errors import CircuitOpen, UpstreamUnavailable
from hub.jobs.actors import submit_melding
from hub.meldingen import accept, get_melding, pending_outbox, submit_outbox
from hub.pluginmanager import PluginHost, load_plugins
from hub.retrying import RetryPolicy
from hub.store.base import utcnow
from hub.store.db import Store, make_engine
from hub.store.migrate import upgrade
from hub.tenants import AuthSettings, Gemeente
from plugins.fixi import plugin as fixi_plugin
from plugins.fixi.config import FixiSettings
from plugins.fixi.double import FixiDouble, run_fixi_double

SECRET = "fixi-geheim-voor-de-tests-0123456789"
AGENT = Caller(
    subject="p.bakker",
    display_name="Pieter Bakker",
    roles=frozenset({"kcc-medewerker"}),
    gemeenten=frozenset({"9999"}),
)


@pytest.fixture
def fixi(monkeypatch: pytest.MonkeyPatch) -> Iterator[FixiDouble]:
    monkeypatch.setenv("FIXI_SECRET", SECRET)
    with run_fixi_double(clients={"kcc-hub": SECRET}) as double:
        yield double


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    s = Store(make_engine(url))
    yield s
    s.engine.dispose()


def host(fixi: FixiDouble, *, attempts: int, breaker_failures: int = 100) -> PluginHost:
    settings = FixiSettings.model_validate(
        {
            "base_url": fixi.base_url,
            "client_id": "kcc-hub",
            "client_secret": "${FIXI_SECRET}",
            "timeout_seconds": 0.5,
        }
    )
    gemeente = Gemeente(
        code="9999", naam="Voorbeeldstad", plugin_settings={"fixi": settings}, auth=AuthSettings()
    )
    return PluginHost(
        load_plugins([("fixi", fixi_plugin)]),
        {"9999": gemeente},
        retry_policy=RetryPolicy(attempts=attempts, initial=0.01, maximum=0.05),
        breaker_policy=BreakerPolicy(failures=breaker_failures, reset_seconds=60),
    )


def lantaarnpaal() -> NieuweMelding:
    return NieuweMelding(
        categorie="Straatverlichting",
        omschrijving="Lantaarnpaal brandt niet",
        locatie=Locatie(adres="Dorpsstraat 12", woonplaats="Demodam"),
        melder=Melder(naam="J. Jansen", email="j.jansen@example.nl"),
    )


@pytest.mark.parametrize("attempts", [1, 3])
def test_a_melding_against_a_failing_fixi_is_attempted_exactly_as_often_as_the_policy_says(
    fixi: FixiDouble, store: Store, attempts: int
) -> None:
    fixi.faults.status = 503
    melding, _ = accept(store, "9999", AGENT, f"sleutel-{attempts}", lantaarnpaal())

    with pytest.raises(UpstreamUnavailable):
        submit_outbox(store, host(fixi, attempts=attempts), "9999", melding.id)

    # Every attempt fails on its first request (the token), so requests == attempts.
    assert sum(fixi.requests.values()) == attempts
    shown = get_melding(store, "9999", melding.id)
    assert shown.status == "in_wachtrij" and shown.pogingen == 1
    # The row waits for its own backoff; the sweep, not a retry loop, sends it again.
    assert pending_outbox(store) == []
    assert pending_outbox(store, now=utcnow() + timedelta(minutes=1)) == [("9999", melding.id)]


def test_the_outbox_job_is_not_retried_by_dramatiq_on_top_of_the_policy() -> None:
    assert submit_melding.options["max_retries"] == 0


def test_with_the_breaker_open_a_melding_is_deferred_without_burning_an_attempt(
    fixi: FixiDouble, store: Store
) -> None:
    fixi.faults.status = 503
    hub = host(fixi, attempts=1, breaker_failures=1)
    eerste, _ = accept(store, "9999", AGENT, "sleutel-a", lantaarnpaal())
    tweede, _ = accept(store, "9999", AGENT, "sleutel-b", lantaarnpaal())
    with pytest.raises(UpstreamUnavailable):
        submit_outbox(store, hub, "9999", eerste.id)  # the failure that opens the breaker
    asked = sum(fixi.requests.values())

    with pytest.raises(CircuitOpen) as deferred:
        submit_outbox(store, hub, "9999", tweede.id)

    assert sum(fixi.requests.values()) == asked  # Fixi was not called
    shown = get_melding(store, "9999", tweede.id)
    assert shown.status == "in_wachtrij" and shown.pogingen == 0
    assert deferred.value.retry_after is not None
    due = utcnow() + timedelta(seconds=float(deferred.value.retry_after) + 1)
    assert ("9999", tweede.id) in pending_outbox(store, now=due)
    assert ("9999", tweede.id) not in pending_outbox(store)
