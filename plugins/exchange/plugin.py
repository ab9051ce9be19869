"""Exchange plugin: who is free right now (EWS or Microsoft Graph), and mail that reaches them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime

from hub.plugin_sdk import (
    Beschikbaarheid,
    Capability,
    Health,
    HealthState,
    HookContext,
    KccError,
    Notification,
    PluginInfo,
    hookimpl,
)
from plugins.exchange.backend import Backend, beschikbaarheden, new_backend
from plugins.exchange.config import ExchangeSettings
from plugins.exchange.ews_client import EwsClient
from plugins.exchange.graph_client import GraphClient

VERSION = "0.1.0"


@hookimpl
def kcc_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="exchange",
        version=VERSION,
        description=(
            "Beschikbaarheid uit Exchange-agenda's (EWS of Microsoft Graph) en notificatiemail."
        ),
        capabilities=frozenset({Capability.BESCHIKBAARHEID, Capability.NOTIFICATIE}),
        settings_model=ExchangeSettings,
        # No kcc_sync: availability has no change feed and the plugin cannot see the directory.
        # The core refreshes the synced medewerkers' mailboxes through kcc_get_beschikbaarheid
        # (hub.beschikbaarheid.refresh_gemeente) on this interval.
        sync_interval_seconds=ExchangeSettings.model_fields["sync_interval_seconds"].default,
    )


def _backend(ctx: HookContext[ExchangeSettings]) -> Backend:
    # The core's client for this gemeente; a hook called directly (a test) gets a new one.
    if isinstance(ctx.client, EwsClient | GraphClient):
        return ctx.client
    return new_backend(ctx.settings)


@hookimpl
def kcc_build_client(ctx: HookContext[ExchangeSettings]) -> Backend:
    return new_backend(ctx.settings)


@hookimpl
def kcc_healthcheck(ctx: HookContext[ExchangeSettings]) -> Health:
    settings: ExchangeSettings = ctx.settings
    started = time.perf_counter()
    try:
        _backend(ctx).ping()
    except KccError as exc:
        return Health(state=HealthState.DOWN, detail=f"{settings.backend}: {exc.detail}")
    except Exception as exc:  # a health check reports, it never raises
        return Health(state=HealthState.DOWN, detail=f"{settings.backend}: {type(exc).__name__}")
    latency = (time.perf_counter() - started) * 1000
    return Health(state=HealthState.OK, detail=settings.backend, latency_ms=latency)


@hookimpl
def kcc_get_beschikbaarheid(
    ctx: HookContext[ExchangeSettings], emails: Sequence[str], van: datetime, tot: datetime
) -> list[Beschikbaarheid] | None:
    settings: ExchangeSettings = ctx.settings
    if not emails:
        return []
    return beschikbaarheden(_backend(ctx), settings, emails, van, tot)


@hookimpl
def kcc_send_notification(
    ctx: HookContext[ExchangeSettings], notification: Notification
) -> str | None:
    return _backend(ctx).send(notification)
