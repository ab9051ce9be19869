"""openklant plugin: Open Klant as the system of record for klantcontacten and
contactverzoeken. For now it describes itself and checks the upstream; the hooks that write and
read contactverzoeken are wired in a later change (see ``docs/openklant.md``)."""

from __future__ import annotations

from hub import __version__, hookimpl
from hub.errors import KccError
from hub.plugin_api import Capability, Health, HealthState, HookContext, PluginInfo
from plugins.openklant.client import OpenKlantClient
from plugins.openklant.config import OpenKlantSettings


@hookimpl
def kcc_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="openklant",
        version=__version__,
        description="Klantcontacten en contactverzoeken in Open Klant (Klantinteracties API), "
        "zoals KISS ze schrijft.",
        capabilities=frozenset({Capability.KLANTINTERACTIES}),
        settings_model=OpenKlantSettings,
    )


@hookimpl
def kcc_healthcheck(ctx: HookContext) -> Health:
    settings: OpenKlantSettings = ctx.settings
    try:
        with OpenKlantClient(settings) as client:
            latency = client.ping()
    except KccError as exc:
        return Health(HealthState.DOWN, detail=exc.detail)
    return Health(HealthState.OK, latency_ms=latency)
