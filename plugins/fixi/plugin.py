"""Fixi plugin: file meldingen openbare ruimte and read their status."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hub.plugin_sdk import (
    Capability,
    Health,
    HealthState,
    HookContext,
    KccError,
    MeldingCategorie,
    NieuweMelding,
    PluginInfo,
    SecretResolutionError,
    UpstreamMelding,
    __version__,
    hookimpl,
)
from plugins.fixi.client import FixiClient
from plugins.fixi.config import FixiSettings


@contextmanager
def _client(ctx: HookContext[FixiSettings]) -> Iterator[FixiClient]:
    # The core's client for this gemeente; a hook called directly (a test) gets its own.
    shared = ctx.client_as(FixiClient)
    if shared is not None:
        yield shared
        return
    with FixiClient(ctx.settings, gemeente=ctx.gemeente) as own:
        yield own


@hookimpl
def kcc_build_client(ctx: HookContext[FixiSettings]) -> FixiClient:
    return FixiClient(ctx.settings, gemeente=ctx.gemeente)


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
def kcc_healthcheck(ctx: HookContext[FixiSettings]) -> Health:
    try:
        with _client(ctx) as client:
            latency = client.ping()
    except SecretResolutionError as exc:
        return Health(HealthState.DOWN, detail=f"secret niet te lezen: {exc}")
    except KccError as exc:
        return Health(HealthState.DOWN, detail=exc.detail)
    return Health(HealthState.OK, latency_ms=latency)


@hookimpl
def kcc_create_melding(
    ctx: HookContext[FixiSettings], melding: NieuweMelding, idempotency_key: str
) -> UpstreamMelding | None:
    with _client(ctx) as client:
        return client.create(melding, idempotency_key)


@hookimpl
def kcc_get_melding(ctx: HookContext[FixiSettings], extern_id: str) -> UpstreamMelding | None:
    with _client(ctx) as client:
        return client.get(extern_id)


@hookimpl
def kcc_get_melding_categorieen(ctx: HookContext[FixiSettings]) -> list[MeldingCategorie] | None:
    with _client(ctx) as client:
        return client.hub_categories()
