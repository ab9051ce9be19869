"""openklant plugin: Open Klant as the system of record for klantcontacten and
contactverzoeken, written the way KISS writes them (``docs/openklant.md``).

Hooks only; the mapping to and from the hub's seam is :mod:`plugins.openklant.mapping`, the
writes :mod:`plugins.openklant.contactverzoeken`, the watching
:mod:`plugins.openklant.internetaken`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from hub.plugin_sdk import (
    Capability,
    Health,
    HealthState,
    HookContext,
    InvalidRequest,
    KccError,
    KlantcontactRegistratie,
    KlantcontactVastgelegd,
    PluginInfo,
    SeamContactverzoek,
    SyncBatch,
    __version__,
    hookimpl,
)
from plugins.openklant import mapping
from plugins.openklant.client import OpenKlantClient
from plugins.openklant.config import OpenKlantSettings
from plugins.openklant.contactverzoeken import ensure_internetaak, werk_bij
from plugins.openklant.internetaken import KIND, sync_internetaken
from plugins.openklant.klantcontacten import write_klantcontact

# The scheduler's default for watching internetaken; `[sync] openklant = N` overrides it.
SYNC_INTERVAL_SECONDS = 120


@contextmanager
def _client(ctx: HookContext[OpenKlantSettings]) -> Iterator[OpenKlantClient]:
    # The core's client for this gemeente (one pool); a hook called directly (a test) gets
    # its own, closed afterwards.
    shared = ctx.client_as(OpenKlantClient)
    if shared is not None:
        yield shared
        return
    with OpenKlantClient(ctx.settings) as own:
        yield own


@hookimpl
def kcc_build_client(ctx: HookContext[OpenKlantSettings]) -> OpenKlantClient:
    return OpenKlantClient(ctx.settings)


@hookimpl
def kcc_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="openklant",
        version=__version__,
        description="Klantcontacten en contactverzoeken in Open Klant (Klantinteracties API), "
        "zoals KISS ze schrijft.",
        capabilities=frozenset({Capability.KLANTINTERACTIES}),
        settings_model=OpenKlantSettings,
        sync_kinds=frozenset({KIND}),
        sync_interval_seconds=SYNC_INTERVAL_SECONDS,
    )


@hookimpl
def kcc_healthcheck(ctx: HookContext[OpenKlantSettings]) -> Health:
    try:
        with _client(ctx) as client:
            latency = client.ping()
    except KccError as exc:
        return Health(HealthState.DOWN, detail=exc.detail)
    return Health(HealthState.OK, latency_ms=latency)


@hookimpl
def kcc_register_klantcontact(
    ctx: HookContext[OpenKlantSettings], klantcontact: KlantcontactRegistratie
) -> KlantcontactVastgelegd:
    settings: OpenKlantSettings = ctx.settings
    nieuw = mapping.klantcontact_invoer(settings, klantcontact)
    taken = {
        cv.id: mapping.internetaak_invoer(settings, cv) for cv in klantcontact.contactverzoeken
    }
    with _client(ctx) as client:
        geschreven = write_klantcontact(client, nieuw, extern_id=klantcontact.extern_id)
        internetaken = {
            hub_id: ensure_internetaak(client, geschreven.klantcontact, taak)[0]
            for hub_id, taak in taken.items()
        }
    return mapping.vastgelegd(geschreven.klantcontact, internetaken)


@hookimpl
def kcc_update_contactverzoek(
    ctx: HookContext[OpenKlantSettings], contactverzoek: SeamContactverzoek, idempotency_key: str
) -> bool:
    settings: OpenKlantSettings = ctx.settings
    if not contactverzoek.extern_id:
        raise InvalidRequest("dit contactverzoek staat niet in Open Klant", field="externId")
    wijziging = mapping.wijziging(settings, contactverzoek)
    with _client(ctx) as client:
        werk_bij(client, contactverzoek.extern_id, wijziging)
    return True


@hookimpl
def kcc_sync(
    ctx: HookContext[OpenKlantSettings], since: Mapping[str, Any] | None, full: bool
) -> Iterator[SyncBatch]:
    with _client(ctx) as client:
        yield from sync_internetaken(client, since, full)
