"""BRP plugin: persons from the Basisregistratie Personen, via Haal Centraal or StUF-BG.

Both backends answer in the Haal Centraal BRP Personen v2 shape, with only the
fields the core passes (what the caller's role may see) plus the fields the BRP
always delivers. Masking and the logboek are the core's (``hub.privacy``).
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from hub.plugin_sdk import (
    Capability,
    ConfigurationError,
    Health,
    HealthState,
    HookContext,
    KccError,
    PluginInfo,
    SecretResolutionError,
    __version__,
    hookimpl,
)
from plugins.brp.config import BrpSettings
from plugins.brp.haalcentraal_client import HaalCentraalClient
from plugins.brp.stufbg_client import StufBgClient

Client = HaalCentraalClient | StufBgClient

_clients: dict[str, tuple[BrpSettings, Client]] = {}
_clients_lock = threading.Lock()


def _new_client(settings: BrpSettings) -> Client:
    try:
        if settings.backend == "stufbg" and settings.stufbg is not None:
            return StufBgClient(settings.stufbg)
        if settings.haalcentraal is not None:
            return HaalCentraalClient(settings.haalcentraal)
    except (SecretResolutionError, OSError, ssl.SSLError) as exc:
        # A missing certificate, key or secret: configuration, not a passing outage.
        raise ConfigurationError(
            f"BRP-koppeling verkeerd ingesteld ({type(exc).__name__})", source="brp"
        ) from exc
    raise ConfigurationError("BRP-koppeling zonder backend-instellingen", source="brp")


def _client(ctx: HookContext) -> Client:
    """One client per gemeente, reused (connections, OAuth2 token); renewed when settings change."""
    settings: BrpSettings = ctx.settings
    with _clients_lock:
        current = _clients.get(ctx.gemeente)
        if current is not None and current[0] == settings:
            return current[1]
        client = _new_client(settings)
        _clients[ctx.gemeente] = (settings, client)
    if current is not None:
        current[1].close()
    return client


@hookimpl
def kcc_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="brp",
        version=__version__,
        description="Personen uit de BRP via Haal Centraal BRP Personen v2 of StUF-BG 0204.",
        capabilities=frozenset({Capability.PERSONEN}),
        settings_model=BrpSettings,
    )


@hookimpl
def kcc_healthcheck(ctx: HookContext) -> Health:
    started = time.perf_counter()
    try:
        _client(ctx).ping()
    except KccError as exc:
        return Health(HealthState.DOWN, detail=exc.detail)
    except Exception as exc:  # a health check reports, it never raises
        return Health(HealthState.DOWN, detail=f"onverwachte fout ({type(exc).__name__})")
    return Health(HealthState.OK, latency_ms=(time.perf_counter() - started) * 1000)


@hookimpl
def kcc_get_personen(
    ctx: HookContext, query: Mapping[str, Any], fields: Sequence[str]
) -> dict[str, Any] | None:
    client = _client(ctx)
    gebruiker = ctx.caller.subject if ctx.caller is not None else None
    if isinstance(client, StufBgClient):
        return client.personen(query, fields, gebruiker=gebruiker)
    return client.personen(
        query,
        fields,
        doel=ctx.doel,
        verwerking=ctx.verwerkingsactiviteit,
        gebruiker=gebruiker,
    )
