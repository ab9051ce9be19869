"""``/plugins``: which plugins a gemeente enabled, their health, last sync and error counts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import Field

from hub.api.deps import ALL_ROLES, Tenant, tenant_for
from hub.api.problems import problem_responses
from hub.beschikbaarheid.refresh import HOOK as REFRESH_HOOK
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
    status: str = Field(description="running, ok, failed of config_error (configuratiefout).")
    volledig: bool
    aantal_records: int = Field(description="Aantal gesynchroniseerde (geschreven) records.")
    aantal_verwijderd: int = Field(
        default=0, description="Aantal verwijderde records (weg uit de bron), apart geteld."
    )
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
    naam: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,63}$")],
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
                aantal_verwijderd=r.removed,
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
    description=(
        "Plant een synchronisatie van de plugin in. Voor een agendakoppeling (exchange) is "
        "dat het verversen van de beschikbaarheid van alle medewerkers met een mailadres."
    ),
    status_code=202,
    response_model=SynchronisatieIngepland,
    responses=problem_responses(400, 401, 403, 404),
)
def start_sync(
    t: Annotated[Tenant, Depends(tenant_for("beheerder"))],
    naam: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,63}$")],
    verzoek: SynchronisatieVerzoek | None = None,
) -> SynchronisatieIngepland:
    from hub.jobs.actors import refresh_beschikbaarheid, sync_plugin

    code = t.gemeente.code
    volledig = verzoek.volledig if verzoek is not None else False
    if naam in t.plugins.enabled(code, "kcc_sync"):
        message = sync_plugin.send(code, naam, volledig)
    elif naam in t.plugins.enabled(code, REFRESH_HOOK):
        # A calendar has no change feed: its synchronisation is always a full refresh.
        message = refresh_beschikbaarheid.send(code, naam)
        volledig = True
    else:
        raise NotFound(f"plugin {naam} is niet ingeschakeld of heeft niets te synchroniseren")
    return SynchronisatieIngepland(plugin=naam, volledig=volledig, bericht_id=message.message_id)
