"""``/medewerkers/{id}/beschikbaarheid``: busy blocks of one colleague, before transferring a call.

The read-through (store first, the calendar plugin when stale, the last known state when the
calendar is unreachable) is :mod:`hub.beschikbaarheid.venster`; this module translates HTTP.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import Field

from hub.api.deps import Tenant, tenant_for
from hub.api.problems import problem_responses
from hub.beschikbaarheid.refresh import DEFAULT_MAX_AGE
from hub.beschikbaarheid.venster import venster_van_medewerker
from hub.domain.base import ApiModel, DatumTijd
from hub.domain.beschikbaarheid import Beschikbaarheid
from hub.errors import InvalidRequest

router = APIRouter(tags=["Medewerkers"])

MAX_VENSTER = timedelta(days=41)
STANDAARD_VENSTER = timedelta(hours=24)
MAX_LEEFTIJD = DEFAULT_MAX_AGE


class BeschikbaarheidVenster(ApiModel):
    """Availability of one medewerker with the busy blocks inside the window asked."""

    medewerker_id: str
    van: datetime
    tot: datetime
    beschikbaarheid: Beschikbaarheid
    actueel: bool = Field(
        description="Onwaar als de agenda niet bereikbaar was: laatst bekende stand."
    )
    leeftijd_seconden: int = Field(ge=0, description="Hoe oud de gegevens zijn, in seconden.")


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise InvalidRequest(f"{name} moet een tijdzone hebben (ISO 8601 met offset)", field=name)
    return value


@router.get(
    "/medewerkers/{id}/beschikbaarheid",
    summary="Beschikbaarheid en bezette blokken van een medewerker",
    response_model=BeschikbaarheidVenster,
    responses=problem_responses(400, 401, 403, 404, 503),
)
def beschikbaarheid_van_medewerker(
    t: Annotated[Tenant, Depends(tenant_for("kcc-medewerker", "backoffice"))],
    id: Annotated[str, Path(min_length=1, max_length=64, description="Id van de medewerker.")],
    van: Annotated[
        DatumTijd | None,
        Query(description="Begin, ISO 8601 met offset."),
    ] = None,
    tot: Annotated[
        DatumTijd | None,
        Query(description="Einde, ISO 8601 met offset."),
    ] = None,
) -> BeschikbaarheidVenster:
    nu = datetime.now(UTC)
    begin = _aware(van, "van") or nu
    einde = _aware(tot, "tot") or begin + STANDAARD_VENSTER
    if einde <= begin:
        raise InvalidRequest("tot moet na van liggen", field="tot")
    if einde - begin > MAX_VENSTER:
        raise InvalidRequest("het venster mag hoogstens 41 dagen zijn", field="tot")
    venster = venster_van_medewerker(
        t.store,
        t.plugins,
        t.gemeente.code,
        id,
        begin,
        einde,
        nu=nu,
        max_age=MAX_LEEFTIJD,
        caller=t.caller,
        trace_id=t.trace_id,
    )
    return BeschikbaarheidVenster(
        medewerker_id=id,
        van=begin,
        tot=einde,
        beschikbaarheid=venster.beschikbaarheid(),
        actueel=venster.actueel,
        leeftijd_seconden=max(0, int(venster.leeftijd(nu).total_seconds())),
    )
