"""Active Directory plugin: the medewerkers directory (hook implementations only)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hub.plugin_sdk import (
    Capability,
    Health,
    HealthState,
    HookContext,
    KccError,
    Medewerker,
    PluginInfo,
    SyncBatch,
    __version__,
    hookimpl,
)
from plugins.ad.client import AdClient
from plugins.ad.config import AdSettings
from plugins.ad.mapping import to_medewerker
from plugins.ad.sync import SYNC_KINDS, sync_medewerkers


def _client(ctx: HookContext[AdSettings]) -> AdClient:
    # The core's client for this gemeente; a hook called directly (a test) gets its own.
    return ctx.client_as(AdClient) or AdClient(ctx.settings)


@hookimpl
def kcc_build_client(ctx: HookContext[AdSettings]) -> AdClient:
    """Holds the TLS set-up and the domain controllers; each call opens a bound connection."""
    return AdClient(ctx.settings)


@hookimpl
def kcc_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="ad",
        version=__version__,
        description="Medewerkersgids uit Active Directory (LDAPS/StartTLS, incrementele sync).",
        capabilities=frozenset({Capability.MEDEWERKERS}),
        settings_model=AdSettings,
        sync_kinds=SYNC_KINDS,
        sync_interval_seconds=900,
    )


@hookimpl
def kcc_healthcheck(ctx: HookContext[AdSettings]) -> Health:
    try:
        latency = _client(ctx).ping()
    except KccError as exc:
        return Health(state=HealthState.DOWN, detail=exc.detail)
    return Health(state=HealthState.OK, detail="rootDSE gelezen", latency_ms=round(latency, 1))


@hookimpl
def kcc_sync(
    ctx: HookContext[AdSettings], since: Mapping[str, Any] | None, full: bool
) -> Iterator[SyncBatch]:
    return sync_medewerkers(ctx.settings, since, full, client=_client(ctx))


@hookimpl
def kcc_search_medewerkers(
    ctx: HookContext[AdSettings], zoek: str, limit: int
) -> list[Medewerker] | None:
    settings: AdSettings = ctx.settings
    with _client(ctx).connect() as conn:
        return [to_medewerker(e, settings.attributes) for e in conn.search_anr(zoek, limit)]
