"""Sync runs and checkpoints in the store, identical on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from hub.errors import ConfigurationError, UpstreamRejected, UpstreamUnavailable
from hub.runtime import Runtime
from hub.secrets import SecretRef
from hub.store.migrate import current_heads
from hub.sync import state
from hub.sync.runner import run_sync
from tests.support import notities_sink


@pytest.fixture
def rt(make_runtime: Callable[..., Runtime], database_url: str) -> Iterator[Runtime]:
    notities_sink.install()
    runtime = make_runtime(database_url)
    yield runtime
    runtime.store.engine.dispose()


def test_migrations_reach_every_head(database_url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        applied = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    engine.dispose()
    assert applied == set(current_heads(database_url))


def test_first_sync_is_full_and_stores_the_checkpoint(rt: Runtime) -> None:
    outcome = run_sync(rt, "9999", "notities")
    assert outcome.full and outcome.records == 5
    assert notities_sink.STORED["9999"]["9999-4"] == "notitie 4"
    with rt.store.session() as session:
        assert state.get_checkpoint(session, "9999", "notities") == {"tot": 5}


def test_second_sync_continues_from_the_checkpoint(rt: Runtime) -> None:
    run_sync(rt, "9999", "notities")
    outcome = run_sync(rt, "9999", "notities")
    assert not outcome.full and outcome.records == 0


def test_progress_is_reported_per_batch_with_the_total(rt: Runtime) -> None:
    seen: list[tuple[int, int | None]] = []
    run_sync(rt, "9999", "notities", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(2, 5), (2, 5), (1, 5)]


def test_a_failed_run_is_recorded_and_keeps_the_old_checkpoint(rt: Runtime) -> None:
    run_sync(rt, "9999", "notities")
    rt.tenants.gemeenten["9999"].plugin_settings["notities"].storing = "unavailable"  # type: ignore[attr-defined]
    rt.tenants.gemeenten["9999"].plugin_settings["notities"].aantal = 9  # type: ignore[attr-defined]
    with pytest.raises(UpstreamUnavailable):
        run_sync(rt, "9999", "notities")
    with rt.store.session() as session:
        [last, *_] = state.last_runs(session, "9999", "notities")
        assert last.status == "failed" and "bron viel weg" in (last.error or "")
        assert state.get_checkpoint(session, "9999", "notities") == {"tot": 5}
        assert state.error_count(session, "9999", "notities") == 1
        assert state.last_successful(session, "9999", "notities") is not None


def test_a_refusal_fails_the_run_with_its_reason(rt: Runtime) -> None:
    rt.tenants.gemeenten["9999"].plugin_settings["notities"].storing = "rejected"  # type: ignore[attr-defined]
    with pytest.raises(UpstreamRejected):
        run_sync(rt, "9999", "notities")


def test_checkpoints_are_kept_per_gemeente(rt: Runtime) -> None:
    run_sync(rt, "9999", "notities")
    run_sync(rt, "0363", "notities")
    with rt.store.session() as session:
        assert state.get_checkpoint(session, "9999", "notities") == {"tot": 5}
        assert state.get_checkpoint(session, "0363", "notities") == {"tot": 3}
        assert all(r.gemeente == "0363" for r in state.last_runs(session, "0363", "notities"))
    assert set(notities_sink.STORED["0363"]) == {"0363-0", "0363-1", "0363-2"}


def test_full_sync_removes_records_no_longer_upstream(rt: Runtime) -> None:
    run_sync(rt, "9999", "notities")
    rt.tenants.gemeenten["9999"].plugin_settings["notities"].aantal = 2  # type: ignore[attr-defined]
    outcome = run_sync(rt, "9999", "notities", full=True)
    assert outcome.full
    assert set(notities_sink.STORED["9999"]) == {"9999-0", "9999-1"}


def test_a_full_sync_reports_removed_records_apart_from_synchronised_ones(rt: Runtime) -> None:
    run_sync(rt, "9999", "notities")
    rt.tenants.gemeenten["9999"].plugin_settings["notities"].aantal = 2  # type: ignore[attr-defined]
    outcome = run_sync(rt, "9999", "notities", full=True)
    assert (outcome.records, outcome.removed) == (2, 3)
    with rt.store.session() as session:
        [last, *_] = state.last_runs(session, "9999", "notities")
        assert (last.records, last.removed) == (2, 3)


def test_a_secret_that_resolves_to_nothing_is_a_configuration_error_run(rt: Runtime) -> None:
    settings = rt.tenants.gemeenten["9999"].plugin_settings["notities"]
    settings.token = SecretRef("${KCC_TEST_NOT_SET_ANYWHERE}")  # type: ignore[attr-defined]
    with pytest.raises(ConfigurationError) as info:
        run_sync(rt, "9999", "notities")
    assert "KCC_TEST_NOT_SET_ANYWHERE" in info.value.detail
    with rt.store.session() as session:
        [last] = state.last_runs(session, "9999", "notities")
        assert last.status == "config_error" and "ConfigurationError" in (last.error or "")
        assert state.error_count(session, "9999", "notities") == 1
