"""``/contactverzoeken``: the callback requests — worklists, one request, and handling it
(a callback attempt, closing it with an outcome, reassigning it with the trail kept)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from hub.api.deps import Tenant, tenant_for
from hub.api.problems import problem_responses
from hub.api.routes.klantcontacten import Id, IdempotencyKey, answer, base, context
from hub.domain.klantcontacten import (
    Afhandelen,
    Contactverzoek,
    ContactverzoekLijst,
    Doorzetten,
    NieuwContactverzoekBijKlantcontact,
    NieuwePoging,
    Status,
)
from hub.klantcontacten import behandeling, idempotentie, registratie, toegang, zoeken

router = APIRouter(tags=["Contactverzoeken"])


def _idem(
    t: Tenant, key: str, operatie: str, doel: str, body: dict[str, object]
) -> idempotentie.Verzoek:
    return idempotentie.verzoek(t.gemeente.code, key, t.caller, operatie, doel, body)


@router.post(
    "/contactverzoeken",
    summary="Een contactverzoek bij een eerder geregistreerd klantcontact",
    status_code=201,
    response_model=Contactverzoek,
    responses=problem_responses(400, 401, 403, 404, 409),
)
def contactverzoek_registreren(
    t: Annotated[Tenant, Depends(tenant_for(*toegang.REGISTREREN))],
    contactverzoek: NieuwContactverzoekBijKlantcontact,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    idem = _idem(t, idempotency_key, "contactverzoek", "", contactverzoek.model_dump(mode="json"))
    antwoord = registratie.registreer_contactverzoek(context(t), contactverzoek, idem)
    return answer(antwoord, f"{base(t.gemeente.code)}/contactverzoeken/{antwoord.body['id']}")


@router.get(
    "/contactverzoeken",
    summary="Werkvoorraad: contactverzoeken van mij, een medewerker of een afdeling",
    description=(
        "`toegewezenAan=mij` geeft de contactverzoeken die aan u persoonlijk zijn toegewezen "
        "(het token-subject of e-mailadres gekoppeld aan de medewerkersgids); een medewerker-id "
        "die van die medewerker; een afdelings- of groepsnaam die van de afdeling. Een "
        "backoffice-medewerker ziet alleen de eigen en die van de eigen afdeling of groep. "
        "Gesorteerd op deadline."
    ),
    response_model=ContactverzoekLijst,
    responses=problem_responses(400, 401, 403, 404),
)
def werkvoorraad(
    t: Annotated[Tenant, Depends(tenant_for(*toegang.LEZEN))],
    toegewezen_aan: Annotated[
        str | None,
        Query(
            alias="toegewezenAan",
            min_length=1,
            max_length=200,
            description="`mij`, een medewerker-id of een afdelings- of groepsnaam.",
        ),
    ] = None,
    status: Annotated[Status | None, Query()] = None,
    telaat: Annotated[
        bool | None, Query(description="Alleen (true) of juist geen (false) te late.")
    ] = None,
    sorteer: Annotated[
        zoeken.Sortering, Query(description="deadline (vroegste eerst) of -deadline.")
    ] = "deadline",
    pagina: Annotated[int, Query(ge=1, le=10_000)] = 1,
    pagina_grootte: Annotated[int, Query(alias="paginaGrootte", ge=1, le=100)] = 20,
) -> ContactverzoekLijst:
    return zoeken.werkvoorraad(
        t.store,
        t.gemeente.code,
        t.caller,
        toegewezen_aan=toegewezen_aan,
        status=status,
        te_laat=telaat,
        sorteer=sorteer,
        pagina=zoeken.Pagina(pagina, pagina_grootte),
    )


@router.get(
    "/contactverzoeken/{id}",
    summary="Eén contactverzoek, met pogingen, toewijzingen en mails",
    response_model=Contactverzoek,
    responses=problem_responses(400, 401, 403, 404),
)
def contactverzoek_ophalen(
    t: Annotated[Tenant, Depends(tenant_for(*toegang.LEZEN))], id: Id
) -> Contactverzoek:
    return zoeken.contactverzoek(t.store, t.plugins, t.gemeente.code, t.caller, id)


@router.post(
    "/contactverzoeken/{id}/pogingen",
    summary="Een terugbelpoging vastleggen",
    status_code=201,
    response_model=Contactverzoek,
    responses=problem_responses(400, 401, 403, 404, 409),
)
def poging_vastleggen(
    t: Annotated[Tenant, Depends(tenant_for(*toegang.BEHANDELEN))],
    id: Id,
    poging: NieuwePoging,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    idem = _idem(t, idempotency_key, "poging", id, poging.model_dump(mode="json"))
    antwoord = behandeling.poging(context(t), id, poging, idem)
    return answer(antwoord, f"{base(t.gemeente.code)}/contactverzoeken/{id}")


@router.post(
    "/contactverzoeken/{id}/_afhandelen",
    summary="Het contactverzoek afhandelen met een uitkomst",
    response_model=Contactverzoek,
    responses=problem_responses(400, 401, 403, 404, 409),
)
def afhandelen(
    t: Annotated[Tenant, Depends(tenant_for(*toegang.BEHANDELEN))],
    id: Id,
    afhandeling: Afhandelen,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    idem = _idem(t, idempotency_key, "afhandelen", id, afhandeling.model_dump(mode="json"))
    return answer(behandeling.afhandelen(context(t), id, afhandeling, idem))


@router.post(
    "/contactverzoeken/{id}/_doorzetten",
    summary="Het contactverzoek doorzetten naar een andere medewerker of afdeling",
    description="De eerdere toewijzing blijft zichtbaar in `toewijzingen`; de nieuwe "
    "ontvanger krijgt een mail.",
    response_model=Contactverzoek,
    responses=problem_responses(400, 401, 403, 404, 409),
)
def doorzetten(
    t: Annotated[Tenant, Depends(tenant_for(*toegang.BEHANDELEN))],
    id: Id,
    doorzetting: Doorzetten,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    idem = _idem(t, idempotency_key, "doorzetten", id, doorzetting.model_dump(mode="json"))
    return answer(behandeling.doorzetten(context(t), id, doorzetting, idem))
