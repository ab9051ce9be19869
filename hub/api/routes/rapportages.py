"""``/rapportages``: the KCC's figures over a period, as JSON or CSV (``Accept: text/csv``).

Only the beheerder and the teamleider read them; they hold counts and durations, never
person data. The figures are computed in :mod:`hub.rapportages`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import Response

from hub.api.deps import Tenant, tenant_for
from hub.api.problems import problem_responses
from hub.domain.rapportages import Groepering, Rapportage
from hub.rapportages import LEZERS, periode, rapportage
from hub.rapportages.csv_export import als_csv
from hub.store.base import utcnow

router = APIRouter(tags=["Rapportages"])

CSV = "text/csv"
Datum = Annotated[
    str | None,
    Query(
        max_length=10,
        description="Lokale dag (JJJJ-MM-DD), inclusief. Standaard: de laatste vier weken.",
        examples=["2026-03-02"],
    ),
]


def wil_csv(accept: str | None) -> bool:
    """CSV when the client names it in ``Accept`` (before or without JSON)."""
    soorten = [deel.split(";")[0].strip().lower() for deel in (accept or "").split(",")]
    if CSV not in soorten:
        return False
    return "application/json" not in soorten or soorten.index(CSV) < soorten.index(
        "application/json"
    )


@router.get(
    "/rapportages/klantcontacten",
    summary="Rapportage over klantcontacten en contactverzoeken",
    description=(
        "Aantallen en aandelen van de afhandelingen `direct`, `doorverbonden` en "
        "`contactverzoek` tegen de norm van de gemeente, en van de contactverzoeken: open, over "
        "de termijn, binnen de termijn afgehandeld, doorlooptijd (mediaan en p90, in uren en in "
        "werkuren) en pogingen per verzoek; per kanaal, afdeling, medewerker, dag of week. "
        "Met `Accept: text/csv` als CSV. Alleen voor beheerder en teamleider; zonder "
        "persoonsgegevens."
    ),
    response_model=Rapportage,
    responses={
        200: {"content": {CSV: {"schema": {"type": "string"}}}},
        **problem_responses(400, 401, 403, 404),
    },
)
def rapportage_klantcontacten(
    t: Annotated[Tenant, Depends(tenant_for(*LEZERS))],
    van: Datum = None,
    tot: Datum = None,
    groepeer: Annotated[
        Groepering, Query(description="Waarnaar de cijfers worden uitgesplitst.")
    ] = Groepering.WEEK,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    nu = utcnow()
    r = rapportage(
        t.store,
        t.gemeente.code,
        periode(van, tot, nu),
        groepeer,
        norm_direct_procent=t.gemeente.klantcontacten.norm_direct_procent,
        nu=nu,
    )
    if wil_csv(accept):
        naam = f"rapportage-{r.gemeente}-{r.van.isoformat()}-{r.tot.isoformat()}.csv"
        return Response(
            als_csv(r),
            media_type=f"{CSV}; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{naam}"'},
        )
    return Response(r.model_dump_json(by_alias=True), media_type="application/json")
