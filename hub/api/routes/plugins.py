"""``/plugins``: which plugins a gemeente enabled, their health, last sync and error counts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import Field

from hub.api.deps import ALL_ROLES, Tenant, tenant_for
from hub.api.problems import problem_responses
from hub.domain.base import ApiModel
from hub.errors import NotFound
from hub.health import plugin_health
from hub.sync import state

router = APIRouter(tags=["Plugins"])


class PluginStatus(ApiModel):
    naam: str
    versie: str
    omschrijving: str
    capabilities: list[str]
    gezondheid: str = Field(description="ok, degraded of down.")
    gezondheid_detail: str | None = None
    laatste_synchronisatie: datetime | None = None
    laatste_synchronisatie_status: str | None = None
    aantal_mislukte_synchronisaties: int = 0


class PluginLijst(ApiModel):
    gemeente: str
    plugins: list[PluginStatus]


class Synchronisatie(ApiModel):
    id: int
    gestart_op: datetime
    beeindigd_op: datetime | None = None
    status: str
    volledig: bool
    aantal_records: int
    fout: str | None = None


class SynchronisatieLijst(ApiModel):
    plugin: str
    synchronisaties: list[Synchronisatie]


@router.get(
    "/plugins",
    summary="Ingeschakelde plugins met gezondheid en laatste synchronisatie",
    response_model=PluginLijst,
    responses=problem_responses(401, 403, 404),
)
def list_plugins(t: Annotated[Tenant, Depends(tenant_for(*ALL_ROLES))]) -> PluginLijst:
    code = t.gemeente.code
    result = []
    health = plugin_health(t.plugins, code)
    with t.store.session() as session:
        for name in t.plugins.enabled(code):
            info = t.plugins.loaded.infos[name]
            last = state.last_runs(session, code, name, limit=1)
            ok = state.last_successful(session, code, name)
            h = health[name]
            result.append(
                PluginStatus(
                    naam=name,
                    versie=info.version,
                    omschrijving=info.description,
                    capabilities=sorted(c.value for c in info.capabilities),
                    gezondheid=h.state.value,
                    gezondheid_detail=h.detail or None,
                    laatste_synchronisatie=ok.finished_at if ok else None,
                    laatste_synchronisatie_status=last[0].status if last else None,
                    aantal_mislukte_synchronisaties=state.error_count(session, code, name),
                )
            )
    return PluginLijst(gemeente=code, plugins=result)


@router.get(
    "/plugins/{naam}/synchronisaties",
    summary="De laatste synchronisaties van een plugin",
    response_model=SynchronisatieLijst,
    responses=problem_responses(400, 401, 403, 404),
)
def list_syncs(
    t: Annotated[Tenant, Depends(tenant_for("beheerder"))],
    naam: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,63}$", max_length=64)],
    aantal: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SynchronisatieLijst:
    if naam not in t.plugins.enabled(t.gemeente.code):
        raise NotFound(f"plugin {naam} is niet ingeschakeld voor deze gemeente")
    with t.store.session() as session:
        runs = state.last_runs(session, t.gemeente.code, naam, limit=aantal)
        items = [
            Synchronisatie(
                id=r.id,
                gestart_op=r.started_at,
                beeindigd_op=r.finished_at,
                status=r.status,
                volledig=r.full,
                aantal_records=r.records,
                fout=r.error,
            )
            for r in runs
        ]
    return SynchronisatieLijst(plugin=naam, synchronisaties=items)


class SynchronisatieVerzoek(ApiModel):
    volledig: bool = Field(default=False, description="Alles opnieuw, zonder checkpoint.")


class SynchronisatieIngepland(ApiModel):
    plugin: str
    volledig: bool
    bericht_id: str = Field(description="Id van de taak in de wachtrij.")


@router.post(
    "/plugins/{naam}/synchronisaties",
    summary="Een synchronisatie nu inplannen",
    status_code=202,
    response_model=SynchronisatieIngepland,
    responses=problem_responses(400, 401, 403, 404),
)
def start_sync(
    t: Annotated[Tenant, Depends(tenant_for("beheerder"))],
    naam: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,63}$", max_length=64)],
    verzoek: SynchronisatieVerzoek,
) -> SynchronisatieIngepland:
    from hub.jobs.actors import sync_plugin

    if naam not in t.plugins.enabled(t.gemeente.code, "kcc_sync"):
        raise NotFound(f"plugin {naam} is niet ingeschakeld of heeft niets te synchroniseren")
    message = sync_plugin.send(t.gemeente.code, naam, verzoek.volledig)
    return SynchronisatieIngepland(
        plugin=naam, volledig=verzoek.volledig, bericht_id=message.message_id
    )
