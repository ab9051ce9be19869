"""``/plugins``: which plugins a gemeente enabled, their health, last sync and error counts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import Field

from hub.api.deps import ALL_ROLES, Tenant, tenant_for
from hub.api.problems import problem_responses
from hub.beheer.plugins import (
    is_altijd_volledig,
    plugin_overzicht,
    synchronisatie_aanvragen,
    synchronisaties,
)
from hub.domain.base import ApiModel

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
    circuit: str = Field(
        default="closed",
        description="Circuit breaker van deze plugin voor deze gemeente: closed (normaal), "
        "open (de hub vraagt de bron even niet en antwoordt 503 met Retry-After) of "
        "half-open (de volgende aanroep is de proef).",
    )
    circuit_opnieuw_over: int | None = Field(
        default=None, description="Bij open: seconden tot de proef-aanroep wordt toegelaten."
    )


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
    overzicht = plugin_overzicht(t.plugins, t.store, t.gemeente.code)
    return PluginLijst(
        gemeente=t.gemeente.code,
        plugins=[
            PluginStatus(
                naam=p.naam,
                versie=p.versie,
                omschrijving=p.omschrijving,
                capabilities=p.capabilities,
                gezondheid=p.gezondheid,
                gezondheid_detail=p.gezondheid_detail,
                laatste_synchronisatie=p.laatste_synchronisatie,
                laatste_synchronisatie_status=p.laatste_synchronisatie_status,
                aantal_mislukte_synchronisaties=p.aantal_mislukte_synchronisaties,
                circuit=p.circuit,
                circuit_opnieuw_over=p.circuit_opnieuw_over,
            )
            for p in overzicht
        ],
    )


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
    runs = synchronisaties(t.plugins, t.store, t.gemeente.code, naam, aantal=aantal)
    items = [
        Synchronisatie(
            id=r.id,
            gestart_op=r.gestart_op,
            beeindigd_op=r.beeindigd_op,
            status=r.status,
            volledig=r.volledig,
            aantal_records=r.aantal_records,
            aantal_verwijderd=r.aantal_verwijderd,
            fout=r.fout,
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
    naam: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,63}$", max_length=64)],
    verzoek: SynchronisatieVerzoek | None = None,
) -> SynchronisatieIngepland:
    code = t.gemeente.code
    volledig = verzoek.volledig if verzoek is not None else False
    bericht_id = synchronisatie_aanvragen(t.plugins, code, naam, volledig)
    volledig = volledig or is_altijd_volledig(t.plugins, code, naam)
    return SynchronisatieIngepland(plugin=naam, volledig=volledig, bericht_id=bericht_id)
