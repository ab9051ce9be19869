"""``POST /klantbeeld``: who is calling and what they have running, in one call.

HTTP only: the sections, their deadlines and the logboek are :mod:`hub.klantbeeld`. BSNs and
persoonReferenties travel in the body only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi.exceptions import RequestValidationError

from hub.api.deps import Attempt, attempt_for
from hub.api.problems import problem_responses
from hub.klantbeeld.samenstellen import klantbeeld
from hub.klantbeeld.vraag import KlantbeeldAntwoord, KlantbeeldVraag
from hub.zaken import OngeldigeVraag

router = APIRouter(tags=["Klantbeeld"])

ROLLEN = ("kcc-medewerker", "backoffice", "teamleider")


@router.post(
    "/klantbeeld",
    summary="Klantbeeld: persoon, zaken, meldingen, klantcontacten en contactverzoeken",
    response_model=KlantbeeldAntwoord,
    responses=problem_responses(400, 401, 403, 404, 429, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": KlantbeeldVraag.model_json_schema()}},
        }
    },
)
def klantbeeld_opvragen(
    attempt: Annotated[Attempt, Depends(attempt_for(*ROLLEN))],
    body: Annotated[Any, Body(include_in_schema=False)],
) -> KlantbeeldAntwoord:
    """Elke bron tegelijk, elk met een eigen deadline; het klantbeeld komt als geheel in het
    logboek voordat het de hub verlaat."""
    try:
        return klantbeeld(attempt.tenant, body, refusal=attempt.refusal)
    except OngeldigeVraag as exc:
        raise RequestValidationError(exc.errors) from None
