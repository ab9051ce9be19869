"""``/zaken``: a caller's zaken across the gemeente's zaaksystemen, and one zaak.

HTTP only: the orchestration (fan-out, doelbinding, logboek) is :mod:`hub.zaken`. BSNs and
persoonReferenties travel in the body only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query
from fastapi.exceptions import RequestValidationError

from hub.api.deps import Attempt, attempt_for
from hub.api.problems import problem_responses
from hub.domain.zaken import Zaak
from hub.zaken import OngeldigeVraag, ZakenAntwoord, ZakenZoekvraag, haal_zaak, zoek_zaken

router = APIRouter(tags=["Zaken"])

ROLLEN = ("kcc-medewerker", "backoffice")


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
    """Validated by :mod:`hub.zaken` rather than by FastAPI, so that a refused or malformed
    request that carried a BSN or persoonReferentie is logged against that person first."""
    try:
        return zoek_zaken(attempt.tenant, body, refusal=attempt.refusal)
    except OngeldigeVraag as exc:
        raise RequestValidationError(exc.errors) from None


@router.get(
    "/zaken/{identificatie}",
    summary="Eén zaak op identificatie",
    response_model=Zaak,
    responses=problem_responses(400, 401, 403, 404, 501, 502, 503, 504),
)
def zaak_ophalen(
    attempt: Annotated[Attempt, Depends(attempt_for(*ROLLEN))],
    identificatie: Annotated[
        str,
        Path(
            pattern=r"^[A-Za-z0-9._-]{1,40}$",
            max_length=40,
            description="Identificatie van de zaak zoals het zaaksysteem die toekent.",
        ),
    ],
    doel: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=64,
            pattern=r"^[A-Za-z0-9._-]{1,64}$",
            description="Doel van de bevraging (doelbinding), komt in het logboek.",
        ),
    ] = None,
) -> Zaak:
    """Elke lezing komt met de betrokkenen van de zaak in het logboek voordat de zaak de hub
    verlaat; een geweigerde poging ook."""
    return haal_zaak(attempt.tenant, identificatie, doel=doel, refusal=attempt.refusal)
