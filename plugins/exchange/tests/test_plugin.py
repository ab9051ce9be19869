"""The hooks as the core calls them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from hub.domain.beschikbaarheid import Beschikbaarheid, BeschikbaarheidStatus
from hub.plugin_api import Capability, HealthState, HookContext
from plugins.exchange import plugin
from plugins.exchange.config import ExchangeSettings
from plugins.exchange.double import RunningDouble

from .conftest import ews_settings, graph_settings, mailboxes


def test_plugin_describes_its_capabilities_and_refresh_interval() -> None:
    info = plugin.kcc_plugin_info()
    assert info.name == "exchange"
    assert info.capabilities == {Capability.BESCHIKBAARHEID, Capability.NOTIFICATIE}
    assert info.sync_kinds == frozenset()
    assert info.settings_model is ExchangeSettings
    assert info.sync_interval_seconds == 300


def test_healthcheck_is_ok_when_exchange_answers(ews: RunningDouble, graph: RunningDouble) -> None:
    for settings in (ews_settings(ews), graph_settings(graph)):
        health = plugin.kcc_healthcheck(ctx=HookContext(gemeente="9999", settings=settings))
        assert health.state == HealthState.OK


def test_healthcheck_is_down_when_exchange_is_unreachable(
    ews: RunningDouble, graph: RunningDouble
) -> None:
    for double, settings in ((ews, ews_settings(ews)), (graph, graph_settings(graph))):
        double.kalenders.fouten.down = True
        health = plugin.kcc_healthcheck(ctx=HookContext(gemeente="9999", settings=settings))
        assert health.state == HealthState.DOWN
        assert "secret" not in health.detail


def test_get_beschikbaarheid_answers_one_record_per_address(ews: RunningDouble) -> None:
    nu = datetime.now(UTC)
    emails = [*mailboxes(3), "onbekend@gemeente.test"]
    result = plugin.kcc_get_beschikbaarheid(
        ctx=HookContext(gemeente="9999", settings=ews_settings(ews)),
        emails=emails,
        van=nu,
        tot=nu + timedelta(hours=8),
    )
    assert result is not None
    assert [r.email for r in result] == emails
    assert all(isinstance(r, Beschikbaarheid) for r in result)
    assert result[-1].status == BeschikbaarheidStatus.ONBEKEND


def test_availability_is_refreshed_by_the_core_not_by_a_sync_hook() -> None:
    assert not hasattr(plugin, "kcc_sync")


def test_a_literal_secret_in_configuration_is_rejected() -> None:
    with pytest.raises(ValidationError):
        ExchangeSettings.model_validate(
            {
                "backend": "graph",
                "afzender": "kcc@gemeente.test",
                "graph": {
                    "oauth2": {"tenant_id": "t", "client_id": "c", "client_secret": "hunter2"}
                },
            }
        )
