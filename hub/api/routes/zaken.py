"""``/zaken``: a caller's zaken across the gemeente's zaaksystemen, and one zaak.

A search by BSN is person data: it states a ``doel`` (doelbinding) and leaves a
logboek record, committed before the answer goes out (as ``/personen`` does). A
search by KvK-nummer states a ``doel`` too but concerns an organisation, so no
betrokkene is logged. BSNs travel in the body only.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path
from fastapi.exceptions import RequestValidationError
from pydantic import BeforeValidator, Field, ValidationError, WithJsonSchema

from hub import hookspecs
from hub.api.deps import Attempt, Tenant, attempt_for, tenant_for
from hub.api.problems import problem_responses
from hub.bsn import is_valid_bsn
from hub.domain.base import ApiModel
from hub.domain.zaken import BronStatus, Zaak
from hub.errors import (
    CapabilityMissing,
    InvalidRequest,
    KccError,
    NotFound,
    UpstreamTimeout,
)
from hub.privacy.doelbinding import Doel
from hub.privacy.personen_vraag import bsns_in
from hub.privacy.pipeline import (
    new_logboek_invoer,
    note_attempt,
    record_failure,
    write_logboek,
)
from hub.privacy.settings import privacy_for
from hub.privacy.volume import check_lookup, limits_of

log = logging.getLogger(__name__)

router = APIRouter(tags=["Zaken"])

SEARCH_HOOK = hookspecs.kcc_search_zaken
GET_HOOK = hookspecs.kcc_get_zaak
ACTIVITEIT = "zaken-zoeken"
ROLLEN = ("kcc-medewerker", "backoffice")
GELEVERDE_VELDEN = (
    "zaken.identificatie",
    "zaken.omschrijving",
    "zaken.zaaktype",
    "zaken.status",
    "zaken.startdatum",
    "zaken.einddatumGepland",
    "zaken.uiterlijkeEinddatumAfdoening",
    "zaken.einddatum",
    "zaken.resultaat",
)


def _een_bsn(value: Any) -> Any:
    """A list with one BSN is the same question as that BSN (as /personen accepts lists)."""
    if isinstance(value, list):
        if len(value) == 1:
            return value[0]
        raise ValueError("geef precies één burgerservicenummer: zaken worden per persoon gezocht")
    return value


EenBsn = Annotated[
    str,
    BeforeValidator(_een_bsn),
    Field(min_length=9, max_length=9),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "string", "minLength": 9, "maxLength": 9},
                {
                    "type": "array",
                    "items": {"type": "string", "minLength": 9, "maxLength": 9},
                    "minItems": 1,
                    "maxItems": 1,
                },
            ]
        }
    ),
]


class ZakenZoekvraag(ApiModel):
    """Zaken van een persoon (BSN) of een organisatie (KvK-nummer), met het doel."""

    burgerservicenummer: EenBsn | None = Field(
        default=None,
        description=(
            "BSN van de persoon (elfproef), als tekst of als lijst met precies één BSN "
            "(de vorm van /personen)."
        ),
    )
    kvk_nummer: str | None = Field(
        default=None,
        pattern=r"^[0-9]{8}$",
        max_length=8,
        description="KvK-nummer van de organisatie.",
    )
    doel: str = Field(min_length=1, max_length=64, description="Doel van de bevraging.")


class ZakenAntwoord(ApiModel):
    zaken: list[Zaak] = Field(description="Zaken uit alle zaaksystemen, nieuwste eerst.")
    bronnen: list[BronStatus] = Field(
        description="Uitkomst per zaaksysteem: een falend systeem wordt gemeld, niet fataal."
    )
    doel: str
    trace_id: str


@router.post(
    "/zaken/_zoek",
    summary="Zaken van een persoon of organisatie zoeken",
    response_model=ZakenAntwoord,
    responses=problem_responses(400, 401, 403, 404, 501, 502, 503, 504),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ZakenZoekvraag.model_json_schema()}},
        }
    },
)
def zaken_zoeken(
    attempt: Annotated[Attempt, Depends(attempt_for(*ROLLEN))],
    body: Annotated[Any, Body(include_in_schema=False)],
) -> ZakenAntwoord:
    """Validated here rather than by FastAPI, so that a refused or malformed request that
    carried a BSN is logged against that person first."""
    t = attempt.tenant
    try:
        if attempt.refusal is not None:
            raise attempt.refusal
        vraag = ZakenZoekvraag.model_validate(body)
    except (ValidationError, KccError) as exc:
        problem: Exception = (
            RequestValidationError(exc.errors()) if isinstance(exc, ValidationError) else exc
        )
        if bsns_in(body):
            _log_attempt(t, body, problem)
        raise problem from None
    if bool(vraag.burgerservicenummer) == bool(vraag.kvk_nummer):
        raise InvalidRequest(
            "geef een burgerservicenummer of een kvkNummer (precies één van beide)",
            field="burgerservicenummer",
            code="oneOf",
        )
    if vraag.kvk_nummer:
        doel = privacy_for(t.gemeente).doelen.resolve(vraag.doel, t.caller.primary_role)
        zaken, bronnen = _zoek(t, doel, bsn=None, kvk=vraag.kvk_nummer)
        return ZakenAntwoord(zaken=zaken, bronnen=bronnen, doel=doel.code, trace_id=t.trace_id)
    return _zoek_persoon(t, vraag)


def _log_attempt(t: Tenant, body: Any, problem: Exception) -> None:
    privacy = privacy_for(t.gemeente)
    invoer = new_logboek_invoer(privacy, t.caller, t.trace_id, ACTIVITEIT)
    note_attempt(invoer, privacy, body)
    # A body the model refused is a 400 like any InvalidRequest.
    record_failure(invoer, problem if isinstance(problem, KccError) else InvalidRequest("body"))
    write_logboek(t.store, None, privacy, invoer, wat="zaken")


def _zoek_persoon(t: Tenant, vraag: ZakenZoekvraag) -> ZakenAntwoord:
    privacy = privacy_for(t.gemeente)
    bsn = vraag.burgerservicenummer or ""
    invoer = new_logboek_invoer(privacy, t.caller, t.trace_id, ACTIVITEIT)
    try:
        if not is_valid_bsn(bsn):
            # Never echo the value: it may be (a typo of) someone's BSN.
            raise InvalidRequest(
                "het burgerservicenummer is ongeldig (9 cijfers en de elfproef)",
                field="burgerservicenummer",
                code="bsn",
            )
        invoer.betrokkenen.append(bsn)
        doel = privacy.doelen.resolve(vraag.doel, t.caller.primary_role)
        invoer.doel = doel.code
        invoer.processing_activity_id = doel.verwerkingsactiviteit
        limits = limits_of(t.gemeente)
        if limits is not None:
            signalen = check_lookup(limits, t.gemeente.code, t.caller.subject, invoer.rol, ())
            invoer.signalen.extend(signalen.as_list())
        zaken, bronnen = _zoek(t, doel, bsn=bsn, kvk=None)
        if zaken:
            invoer.velden.extend(GELEVERDE_VELDEN)
        else:
            invoer.status = "geen_resultaat"
    except Exception as exc:
        record_failure(invoer, exc)
        write_logboek(t.store, None, privacy, invoer, wat="zaken")
        raise
    write_logboek(t.store, None, privacy, invoer, wat="zaken")
    return ZakenAntwoord(zaken=zaken, bronnen=bronnen, doel=doel.code, trace_id=t.trace_id)


def _zoek(
    t: Tenant, doel: Doel, *, bsn: str | None, kvk: str | None
) -> tuple[list[Zaak], list[BronStatus]]:
    code = t.gemeente.code
    names = t.plugins.enabled(code, SEARCH_HOOK)
    if not names:
        raise CapabilityMissing("geen zaaksysteem aangesloten voor deze gemeente")
    zaken: list[Zaak] = []
    bronnen: list[BronStatus] = []
    fouten: list[KccError] = []
    for name in names:
        try:
            answer = t.plugins.call(
                name,
                code,
                SEARCH_HOOK,
                caller=t.caller,
                trace_id=t.trace_id,
                doel=doel.code,
                verwerkingsactiviteit=doel.verwerkingsactiviteit,
                bsn=bsn,
                kvk=kvk,
            )
        except KccError as exc:
            fouten.append(exc)
            status = "time-out" if isinstance(exc, UpstreamTimeout) else "mislukt"
            bronnen.append(BronStatus(bron=name, status=status, detail=exc.detail))
            continue
        if answer is None:
            continue
        gevonden, per_bron = answer
        zaken.extend(gevonden)
        bronnen.extend(per_bron)
    if fouten and len(fouten) == len(names):
        raise fouten[0]
    zaken.sort(key=lambda z: (z.startdatum or date.min, z.identificatie), reverse=True)
    return zaken, bronnen


@router.get(
    "/zaken/{identificatie}",
    summary="Eén zaak op identificatie",
    response_model=Zaak,
    responses=problem_responses(400, 401, 403, 404, 501, 502, 503, 504),
)
def zaak_ophalen(
    t: Annotated[Tenant, Depends(tenant_for(*ROLLEN))],
    identificatie: Annotated[
        str,
        Path(
            pattern=r"^[A-Za-z0-9._-]{1,40}$",
            max_length=40,
            description="Identificatie van de zaak zoals het zaaksysteem die toekent.",
        ),
    ],
) -> Zaak:
    zaak = t.plugins.first(
        t.gemeente.code,
        GET_HOOK,
        caller=t.caller,
        trace_id=t.trace_id,
        identificatie=identificatie,
    )
    if not isinstance(zaak, Zaak):
        raise NotFound("geen zaaksysteem van deze gemeente kent deze zaak")
    return zaak
