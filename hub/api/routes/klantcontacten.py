"""``/klantcontacten``: register a contact at the end of the call — with its contactverzoek, in
one request — and find contacts by period or by betrokkene.

Every POST that changes something takes an ``Idempotency-Key``: the same key with the same
body gets the first answer back (header ``Idempotent-Replayed``), with another body a 409.
A BSN, phone number or e-mail address is searched in a body (``_zoek``), never in a URL.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query
from fastapi.responses import JSONResponse

from hub.api.deps import Tenant, tenant_for
from hub.api.problems import problem_responses
from hub.domain.base import DatumTijd
from hub.domain.klantcontacten import (
    Afhandeling,
    BetrokkeneZoekvraag,
    Klantcontact,
    KlantcontactGeregistreerd,
    KlantcontactLijst,
    NieuwKlantcontact,
)
from hub.errors import InvalidRequest
from hub.klantcontacten import idempotentie, registratie, toegang, zoeken
from hub.klantcontacten.idempotentie import Antwoord

router = APIRouter(tags=["Klantcontacten"])

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Unieke sleutel per verzoek (bv. een UUID), dezelfde bij een herhaling: zo "
        "gebeurt niets twee keer. Dezelfde sleutel met een andere body geeft 409.",
    ),
]
Id = Annotated[str, Path(max_length=36, pattern=UUID_PATTERN, description="Id in de hub.")]


def base(code: str) -> str:
    return f"/api/v1/gemeenten/{code}"


def context(t: Tenant) -> registratie.Context:
    return registratie.Context(
        store=t.store, plugins=t.plugins, gemeente=t.gemeente, caller=t.caller, trace_id=t.trace_id
    )


def answer(antwoord: Antwoord, location: str | None = None) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"} if antwoord.herhaald else {}
    if location:
        headers["Location"] = location
    return JSONResponse(antwoord.body, status_code=antwoord.status_code, headers=headers)


@router.post(
    "/klantcontacten",
    summary="Een klantcontact registreren, met zijn contactverzoek",
    description=(
        "De ene klik aan het eind van het gesprek: het klantcontact, de betrokkene en — bij "
        "afhandeling `contactverzoek` — het contactverzoek worden samen vastgelegd. De mail aan "
        "de medewerker of de afdeling gaat daarna uit de outbox: een storing bij de mailserver "
        "of de wachtrij vertraagt die, maar verliest hem nooit."
    ),
    status_code=201,
    response_model=KlantcontactGeregistreerd,
    responses=problem_responses(400, 401, 403, 404, 409, 503),
)
def klantcontact_registreren(
    t: Annotated[Tenant, Depends(tenant_for(*toegang.REGISTREREN))],
    klantcontact: NieuwKlantcontact,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    code = t.gemeente.code
    idem = idempotentie.verzoek(
        code,
        idempotency_key,
        t.caller,
        "klantcontact",
        "",
        klantcontact.model_dump(mode="json"),
    )
    antwoord = registratie.registreer(context(t), klantcontact, idem)
    return answer(antwoord, f"{base(code)}/klantcontacten/{antwoord.body['id']}")


@router.get(
    "/klantcontacten",
    summary="Klantcontacten per periode, kanaal, afhandeling of medewerker",
    response_model=KlantcontactLijst,
    responses=problem_responses(400, 401, 403, 404),
)
def klantcontacten_zoeken(
    t: Annotated[Tenant, Depends(tenant_for(toegang.KCC))],
    van: Annotated[
        DatumTijd | None, Query(description="Vanaf dit moment (plaatsgevondenOp, inclusief).")
    ] = None,
    tot: Annotated[DatumTijd | None, Query(description="Tot dit moment (exclusief).")] = None,
    kanaal: Annotated[str | None, Query(max_length=50)] = None,
    afhandeling: Annotated[Afhandeling | None, Query()] = None,
    medewerker: Annotated[
        str | None,
        Query(
            max_length=255,
            description="Wie registreerde: `mij`, een medewerker-id of het token-subject.",
        ),
    ] = None,
    pagina: Annotated[int, Query(ge=1, le=10_000)] = 1,
    pagina_grootte: Annotated[int, Query(alias="paginaGrootte", ge=1, le=100)] = 20,
) -> KlantcontactLijst:
    for naam, moment in (("van", van), ("tot", tot)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidRequest("geef een tijdstip met tijdzone", field=naam, code="timezone")
    return zoeken.klantcontacten(
        t.store,
        t.gemeente.code,
        t.caller,
        van=van,
        tot=tot,
        kanaal=kanaal,
        afhandeling=afhandeling,
        medewerker=medewerker,
        pagina=zoeken.Pagina(pagina, pagina_grootte),
    )


@router.post(
    "/klantcontacten/_zoek",
    summary="Klantcontacten van een beller zoeken (BSN, telefoonnummer of e-mailadres)",
    description=(
        "Zoeken op BSN is een persoonsbevraging: noem het doel; de bevraging komt in het "
        "logboek voordat het antwoord de hub verlaat. Een zoekvraag verandert niets, dus "
        "vraagt geen Idempotency-Key."
    ),
    response_model=KlantcontactLijst,
    responses=problem_responses(400, 401, 403, 404, 503),
)
def klantcontacten_van_betrokkene(
    t: Annotated[Tenant, Depends(tenant_for(toegang.KCC))], vraag: BetrokkeneZoekvraag
) -> KlantcontactLijst:
    return zoeken.zoek_betrokkene(t.store, t.gemeente, t.caller, t.trace_id, vraag)


@router.get(
    "/klantcontacten/{id}",
    summary="Eén klantcontact",
    response_model=Klantcontact,
    responses=problem_responses(400, 401, 403, 404),
)
def klantcontact_ophalen(
    t: Annotated[Tenant, Depends(tenant_for(*toegang.LEZEN))], id: Id
) -> Klantcontact:
    return zoeken.klantcontact(t.store, t.gemeente.code, t.caller, id)
