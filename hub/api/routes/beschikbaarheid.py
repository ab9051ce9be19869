"""``/medewerkers/{id}/beschikbaarheid``: busy blocks of one colleague, before transferring a call.

Served from the store when it is fresh and covers the window asked; otherwise asked of
the gemeente's calendar plugin (and stored). When the calendar cannot be reached, the last
known availability is served with its age and ``actueel: false``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import Field

from hub.api.deps import Tenant, tenant_for
from hub.api.problems import problem_responses
from hub.beschikbaarheid.refresh import DEFAULT_MAX_AGE, DEFAULT_WINDOW, HOOK
from hub.beschikbaarheid.store import Opgeslagen, latest, upsert
from hub.directory import get as get_medewerker
from hub.domain.base import ApiModel, DatumTijd
from hub.domain.beschikbaarheid import Beschikbaarheid
from hub.errors import InvalidRequest, KccError, NotFound

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


def _binnen(item: Beschikbaarheid, van: datetime, tot: datetime) -> Beschikbaarheid:
    return item.model_copy(update={"bezet": [b for b in item.bezet if b.tot > van and b.van < tot]})


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
    code = t.gemeente.code
    with t.store.session() as session:
        gevonden = get_medewerker(session, code, id)
        if gevonden is None:
            raise NotFound("medewerker niet gevonden")
        email = gevonden[0].email
        if not email:
            raise NotFound("deze medewerker heeft geen mailadres voor een agenda")
        opgeslagen = latest(session, code, [email]).get(email.strip().lower())

    venster = (begin, einde)
    if (
        opgeslagen is not None
        and not opgeslagen.verouderd(MAX_LEEFTIJD, nu)
        and opgeslagen.dekt(begin, einde)
    ):
        return _antwoord(id, venster, opgeslagen, actueel=True, nu=nu)
    # Ask as far ahead as a sync would: the same single upstream call then also serves
    # the next requests for this colleague from the store.
    gevraagd_tot = max(einde, nu + DEFAULT_WINDOW)
    try:
        vers = t.plugins.first(
            code,
            HOOK,
            caller=t.caller,
            trace_id=t.trace_id,
            emails=[email],
            van=min(begin, nu),
            tot=gevraagd_tot,
        )
    except KccError:
        if opgeslagen is None:
            raise
        return _antwoord(id, venster, opgeslagen, actueel=False, nu=nu)
    key = email.strip().lower()
    item = next((b for b in vers or [] if b.email.strip().lower() == key), None)
    if item is None:
        raise NotFound("de agenda gaf geen antwoord voor deze medewerker")
    with t.store.session() as session:
        upsert(session, code, [item], nu, venster_tot=gevraagd_tot)
    return _antwoord(id, venster, Opgeslagen(item, nu, gevraagd_tot), actueel=True, nu=nu)


def _antwoord(
    medewerker_id: str,
    venster: tuple[datetime, datetime],
    opgeslagen: Opgeslagen,
    *,
    actueel: bool,
    nu: datetime,
) -> BeschikbaarheidVenster:
    van, tot = venster
    return BeschikbaarheidVenster(
        medewerker_id=medewerker_id,
        van=van,
        tot=tot,
        beschikbaarheid=_binnen(opgeslagen.beschikbaarheid, van, tot),
        actueel=actueel,
        leeftijd_seconden=max(0, int(opgeslagen.leeftijd(nu).total_seconds())),
    )
