"""hub.beschikbaarheid with the real exchange plugin behind the real PluginHost."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

import hub.beschikbaarheid as beschikbaarheid
from hub.directory import store_medewerkers
from hub.domain.beschikbaarheid import BeschikbaarheidStatus as S
from hub.domain.medewerkers import Medewerker
from hub.plugin_api import SyncBatch
from hub.pluginmanager import PluginHost, load_plugins
from hub.store.db import Store, make_engine
from hub.sync.sinks import sink_for
from hub.tenants import AuthSettings, Gemeente
from plugins.exchange.double import RunningDouble
from plugins.exchange.tests.conftest import graph_settings, mailboxes


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A store migrated with the real Alembic migrations, on SQLite and on PostgreSQL."""
    engine = make_engine(database_url)
    yield Store(engine)
    engine.dispose()


@pytest.fixture
def host(graph: RunningDouble, monkeypatch: pytest.MonkeyPatch) -> PluginHost:
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "exchange")
    gemeente = Gemeente(
        code="9999",
        naam="Demo",
        plugin_settings={"exchange": graph_settings(graph)},
        auth=AuthSettings(),
    )
    return PluginHost(load_plugins(), {"9999": gemeente}, retry_attempts=1)


def test_refresh_stores_one_record_per_mailbox(store: Store, host: PluginHost) -> None:
    result = beschikbaarheid.refresh(store, host, "9999", [*mailboxes(5), "onbekend@gemeente.test"])
    assert len(result) == 6
    with store.session() as session:
        known = beschikbaarheid.latest(session, "9999", ["MEDEWERKER0001@gemeente.test"])
    assert set(known) == {"medewerker0001@gemeente.test"}
    assert known["medewerker0001@gemeente.test"].beschikbaarheid == next(
        r for r in result if r.email == "medewerker0001@gemeente.test"
    )


def test_fresh_entries_are_served_without_asking_exchange(
    store: Store, host: PluginHost, graph: RunningDouble
) -> None:
    beschikbaarheid.refresh(store, host, "9999", mailboxes(3))
    calls = graph.kalenders.count("getSchedule")
    answer = beschikbaarheid.voor_medewerkers(store, host, "9999", mailboxes(3))
    assert answer.bron_bereikbaar
    assert len(answer.per_email) == 3
    assert graph.kalenders.count("getSchedule") == calls


def test_stale_and_missing_entries_are_refreshed_on_demand(
    store: Store, host: PluginHost, graph: RunningDouble
) -> None:
    beschikbaarheid.refresh(store, host, "9999", mailboxes(2))
    later = datetime.now(UTC) + timedelta(minutes=11)
    graph.kalenders.reset_calls()
    answer = beschikbaarheid.voor_medewerkers(
        store, host, "9999", mailboxes(3), max_age=timedelta(minutes=10), nu=later
    )
    assert len(answer.per_email) == 3
    [call] = [c for c in graph.kalenders.aanroepen if c.operation == "getSchedule"]
    assert call.mailboxes == 3


def test_with_exchange_unreachable_the_last_known_availability_is_served_with_its_age(
    store: Store, host: PluginHost, graph: RunningDouble
) -> None:
    beschikbaarheid.refresh(store, host, "9999", mailboxes(2))
    graph.kalenders.fouten.down = True
    later = datetime.now(UTC) + timedelta(hours=1)
    answer = beschikbaarheid.voor_medewerkers(store, host, "9999", mailboxes(2), nu=later)
    assert not answer.bron_bereikbaar
    assert len(answer.per_email) == 2
    age = answer.leeftijd(mailboxes(1)[0], later)
    assert age is not None and age >= timedelta(minutes=59)


def test_one_gemeente_never_sees_another_gemeentes_availability(
    store: Store, host: PluginHost
) -> None:
    beschikbaarheid.refresh(store, host, "9999", mailboxes(2))
    with store.session() as session:
        assert beschikbaarheid.latest(session, "0363", mailboxes(2)) == {}


def test_the_sync_sink_stores_beschikbaarheid_batches(store: Store, host: PluginHost) -> None:
    [first] = beschikbaarheid.refresh(store, host, "9999", ["vrij@gemeente.test"])
    changed = first.model_copy(update={"status": S.BEZET})
    with store.session() as session:
        sink_for("beschikbaarheid").apply(
            session, "0363", SyncBatch(kind="beschikbaarheid", upserts=[changed]), datetime.now(UTC)
        )
    with store.session() as session:
        assert (
            beschikbaarheid.latest(session, "0363", ["vrij@gemeente.test"])[
                "vrij@gemeente.test"
            ].beschikbaarheid.status
            == S.BEZET
        )
        assert (
            beschikbaarheid.latest(session, "9999", ["vrij@gemeente.test"])[
                "vrij@gemeente.test"
            ].beschikbaarheid.status
            == S.VRIJ
        )


def test_stored_times_keep_their_instant_and_carry_the_amsterdam_offset(
    store: Store, host: PluginHost
) -> None:
    [fresh] = beschikbaarheid.refresh(store, host, "9999", ["medewerker0000@gemeente.test"])
    with store.session() as session:
        stored = beschikbaarheid.latest(session, "9999", [fresh.email])[fresh.email]
    assert stored.beschikbaarheid == fresh
    assert stored.beschikbaarheid.peilmoment.utcoffset() in (timedelta(hours=1), timedelta(hours=2))


def test_refreshing_a_gemeente_covers_its_medewerkers_and_forgets_those_who_left(
    store: Store, host: PluginHost
) -> None:
    beschikbaarheid.refresh(store, host, "9999", ["vertrokken@gemeente.test"])
    with store.session() as session:
        store_medewerkers(
            session,
            "9999",
            [
                Medewerker(id=f"id-{i}", weergavenaam=f"Collega {i}", email=email)
                for i, email in enumerate([*mailboxes(3), None])
            ],
            datetime.now(UTC),
        )
    assert beschikbaarheid.refresh_gemeente(store, host, "9999") == 3
    with store.session() as session:
        known = beschikbaarheid.latest(session, "9999", [*mailboxes(3), "vertrokken@gemeente.test"])
    assert sorted(known) == mailboxes(3)
