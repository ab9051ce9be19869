"""Fixi plugin: file meldingen openbare ruimte and read their status."""

from __future__ import annotations

import threading

import httpx

from hub import __version__, hookimpl
from hub.domain.meldingen import MeldingCategorie, NieuweMelding, UpstreamMelding
from hub.errors import KccError
from hub.plugin_api import Capability, Health, HealthState, HookContext, PluginInfo
from hub.secrets import SecretResolutionError
from plugins.fixi.client import FixiClient, new_http_client
from plugins.fixi.config import FixiSettings

_pools: dict[tuple[str, str], httpx.Client] = {}
_pools_lock = threading.Lock()


def _client(ctx: HookContext) -> FixiClient:
    settings: FixiSettings = ctx.settings
    key = (ctx.gemeente, settings.model_dump_json())
    with _pools_lock:
        http = _pools.get(key)
        if http is None or http.is_closed:
            http = _pools[key] = new_http_client(settings)
    return FixiClient(settings, gemeente=ctx.gemeente, http=http)


@hookimpl
def kcc_plugin_info() -> PluginInfo:
    # No kcc_sync: Fixi cannot list "changed since"; hub.meldingen.sync_statuses asks
    # kcc_get_melding for each open melding the hub tracks.
    return PluginInfo(
        name="fixi",
        version=__version__,
        description="Meldingen openbare ruimte in Fixi.",
        capabilities=frozenset({Capability.MELDINGEN}),
        settings_model=FixiSettings,
    )


@hookimpl
def kcc_healthcheck(ctx: HookContext) -> Health:
    try:
        latency = _client(ctx).ping()
    except SecretResolutionError as exc:
        return Health(HealthState.DOWN, detail=f"secret niet te lezen: {exc}")
    except KccError as exc:
        return Health(HealthState.DOWN, detail=exc.detail)
    return Health(HealthState.OK, latency_ms=latency)


@hookimpl
def kcc_create_melding(
    ctx: HookContext, melding: NieuweMelding, idempotency_key: str
) -> UpstreamMelding | None:
    return _client(ctx).create(melding, idempotency_key)


@hookimpl
def kcc_get_melding(ctx: HookContext, extern_id: str) -> UpstreamMelding | None:
    return _client(ctx).get(extern_id)


@hookimpl
def kcc_get_melding_categorieen(ctx: HookContext) -> list[MeldingCategorie] | None:
    return _client(ctx).hub_categories()
