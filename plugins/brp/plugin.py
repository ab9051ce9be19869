"""BRP plugin: persons from the Basisregistratie Personen, via Haal Centraal or StUF-BG.

Both backends answer in the Haal Centraal BRP Personen v2 shape, with only the
fields the core passes (what the caller's role may see) plus the fields the BRP
always delivers. Masking and the logboek are the core's (``hub.privacy``).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
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


@contextmanager
def _client(ctx: HookContext[BrpSettings]) -> Iterator[Client]:
    """The core's client for this gemeente (connections, OAuth2 token); a hook called
    directly (a test) gets its own, closed afterwards."""
    shared = ctx.client
    if isinstance(shared, HaalCentraalClient | StufBgClient):
        yield shared
        return
    own = _new_client(ctx.settings)
    try:
        yield own
    finally:
        own.close()


@hookimpl
def kcc_build_client(ctx: HookContext[BrpSettings]) -> Client:
    return _new_client(ctx.settings)


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
def kcc_healthcheck(ctx: HookContext[BrpSettings]) -> Health:
    started = time.perf_counter()
    try:
        with _client(ctx) as client:
            client.ping()
    except KccError as exc:
        return Health(HealthState.DOWN, detail=exc.detail)
    except Exception as exc:  # a health check reports, it never raises
        return Health(HealthState.DOWN, detail=f"onverwachte fout ({type(exc).__name__})")
    return Health(HealthState.OK, latency_ms=(time.perf_counter() - started) * 1000)


@hookimpl
def kcc_get_personen(
    ctx: HookContext[BrpSettings], query: Mapping[str, Any], fields: Sequence[str]
) -> dict[str, Any] | None:
    gebruiker = ctx.caller.subject if ctx.caller is not None else None
    with _client(ctx) as client:
        if isinstance(client, StufBgClient):
            return client.personen(query, fields, gebruiker=gebruiker)
        return client.personen(
            query,
            fields,
            doel=ctx.doel,
            verwerking=ctx.verwerkingsactiviteit,
            gebruiker=gebruiker,
        )
