"""A small third-party-style plugin used by the core's tests: it synchronises 'notities'.

It stands in for any plugin a gemeente might install, so the core's code paths
(plugin manager, config validation, sync runner, jobs, API) run for real.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hub import hookimpl
from hub.errors import UpstreamRejected, UpstreamUnavailable
from hub.plugin_api import Capability, Health, HealthState, HookContext, PluginInfo, SyncBatch
from hub.secrets import Secret


class NotitiesSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bron: str = Field(min_length=1)
    aantal: int = Field(default=5, ge=0)
    batch: int = Field(default=2, ge=1)
    token: Secret | None = None
    storing: str | None = Field(
        default=None, description="unavailable | rejected: simulate a failure"
    )


class Notitie(BaseModel):
    id: str
    tekst: str


@hookimpl
def kcc_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="notities",
        version="1.0.0",
        description="Testplugin",
        capabilities=frozenset({Capability.MEDEWERKERS}),
        settings_model=NotitiesSettings,
        sync_kinds=frozenset({"notities"}),
        sync_interval_seconds=60,
    )


@hookimpl
def kcc_healthcheck(ctx: HookContext) -> Health:
    if ctx.settings.storing:
        return Health(HealthState.DOWN, "bron onbereikbaar")
    return Health(HealthState.OK, f"bron {ctx.settings.bron}")


@hookimpl
def kcc_sync(ctx: HookContext, since: Mapping[str, Any] | None, full: bool) -> Iterator[SyncBatch]:
    settings: NotitiesSettings = ctx.settings
    if settings.token is not None:
        settings.token.resolve()  # as a real client does before its first request
    start = 0 if (full or since is None) else int(since["tot"])
    is_full = start == 0
    items = [
        Notitie(id=f"{ctx.gemeente}-{i}", tekst=f"notitie {i}")
        for i in range(start, settings.aantal)
    ]
    if not items:
        yield SyncBatch(kind="notities", full=is_full, checkpoint={"tot": settings.aantal}, total=0)
        return
    for offset in range(0, len(items), settings.batch):
        if settings.storing == "unavailable" and offset > 0:
            raise UpstreamUnavailable("bron viel weg tijdens de synchronisatie")
        if settings.storing == "rejected":
            raise UpstreamRejected("bron weigert de inloggegevens")
        chunk = items[offset : offset + settings.batch]
        last = offset + settings.batch >= len(items)
        yield SyncBatch(
            kind="notities",
            upserts=list(chunk),
            full=is_full,
            checkpoint={"tot": settings.aantal} if last else None,
            total=len(items),
        )
