"""How the core calls plugins: own settings only, bounded time, retries for transient failures."""

from __future__ import annotations

import time
from types import ModuleType
from typing import Any

import pytest
from pydantic import BaseModel

from hub import hookimpl
from hub.errors import UpstreamRejected, UpstreamTimeout, UpstreamUnavailable
from hub.plugin_api import Capability, HookContext, PluginInfo
from hub.pluginmanager import PluginHost, load_plugins
from hub.tenants import AuthSettings, Gemeente


class Settings(BaseModel):
    vertraging: float = 0.0
    fouten: int = 0
    soort: str = "unavailable"


def make_plugin() -> Any:
    calls: list[HookContext] = []

    @hookimpl
    def kcc_plugin_info() -> PluginInfo:
        return PluginInfo("proef", "1", "", frozenset({Capability.ZAKEN}), Settings)

    @hookimpl
    def kcc_get_zaak(ctx: HookContext, identificatie: str) -> Any:
        calls.append(ctx)
        time.sleep(ctx.settings.vertraging)
        if len(calls) <= ctx.settings.fouten:
            if ctx.settings.soort == "rejected":
                raise UpstreamRejected("geweigerd")
            raise UpstreamUnavailable("even weg")
        return {"identificatie": identificatie, "gemeente": ctx.gemeente}

    module = ModuleType("proef")
    module.kcc_plugin_info = kcc_plugin_info  # type: ignore[attr-defined]
    module.kcc_get_zaak = kcc_get_zaak  # type: ignore[attr-defined]
    module.calls = calls  # type: ignore[attr-defined]
    return module


def host_for(settings: dict[str, Settings], timeout: float | None = None) -> tuple[PluginHost, Any]:
    plugin = make_plugin()
    loaded = load_plugins([("proef", plugin)])
    gemeenten = {
        code: Gemeente(code=code, naam=code, plugin_settings={"proef": s}, auth=AuthSettings())
        for code, s in settings.items()
    }
    return PluginHost(loaded, gemeenten, retry_attempts=3, timeout_seconds=timeout), plugin


def test_each_gemeente_gets_its_own_settings() -> None:
    host, plugin = host_for({"9999": Settings(), "0363": Settings(vertraging=0.01)})
    host.first("0363", "kcc_get_zaak", identificatie="Z1")
    [ctx] = plugin.calls
    assert ctx.gemeente == "0363" and ctx.settings.vertraging == 0.01


def test_transient_failures_are_retried() -> None:
    host, plugin = host_for({"9999": Settings(fouten=2)})
    assert host.first("9999", "kcc_get_zaak", identificatie="Z1")["identificatie"] == "Z1"
    assert len(plugin.calls) == 3


def test_refusals_are_not_retried() -> None:
    host, plugin = host_for({"9999": Settings(fouten=1, soort="rejected")})
    with pytest.raises(UpstreamRejected):
        host.first("9999", "kcc_get_zaak", identificatie="Z1")
    assert len(plugin.calls) == 1


def test_a_hanging_plugin_is_cut_off_with_a_timeout() -> None:
    host, _ = host_for({"9999": Settings(vertraging=2.0)}, timeout=0.1)
    host.retry_attempts = 1
    with pytest.raises(UpstreamTimeout) as exc:
        host.first("9999", "kcc_get_zaak", identificatie="Z1")
    assert exc.value.source == "proef"
