"""``POST /personen``: person data from the BRP through the privacy pipeline.

The body is a Haal Centraal BRP Personen v2 query (``type`` plus its
parameters, :mod:`hub.domain.personen`) with the ``doel`` of the request; BSNs travel only in this body.
The body is validated by the pipeline, not by FastAPI, so that a wrong request
from an authenticated caller also leaves a logboek record.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from pydantic import Field

from hub.api.deps import Attempt, attempt_for
from hub.api.problems import problem_responses
from hub.domain.base import ApiModel
from hub.domain.personen import MAX_BSNS, query_schema
from hub.privacy.pipeline import lookup_personen

router = APIRouter(tags=["Personen"])

ROLLEN = ("kcc-medewerker", "backoffice")


# The body: a Haal Centraal query (hub.domain.personen) with the doel; one BSN may be a string.
_BODY_SCHEMA = query_schema(
    "PersonenVraag",
    extra={
        "doel": {
            "type": "string",
            "maxLength": 64,
            "description": "Code van het doel van de bevraging, uit de doelen van de gemeente "
            "(doelbinding).",
        }
    },
    overrides={
        "burgerservicenummer": {
            "oneOf": [
                {
                    "type": "array",
                    "items": {"type": "string", "minLength": 9, "maxLength": 9},
                    "minItems": 1,
                    "maxItems": MAX_BSNS,
                },
                {"type": "string", "minLength": 9, "maxLength": 9},
            ],
            "description": f"Een lijst van 1 tot {MAX_BSNS} BSN's, zoals Haal Centraal, of één "
            "BSN als tekst (9 cijfers, elfproef).",
        }
    },
)


class Waarschuwing(ApiModel):
    code: str = Field(
        description="geheimhoudingPersoonsgegevens, inOnderzoek of opschortingBijhouding"
    )
    persoon: int = Field(description="Index van de persoon in `personen`.")
    melding: str


class PersonenAntwoord(ApiModel):
    type: str
    personen: list[dict[str, Any]] = Field(
        description="Personen in Haal Centraal-vorm, gemaskeerd volgens de rol van de vrager. "
        "Elke persoon met een BSN heeft een `persoonReferentie`: een ondoorzichtige, kortlevende "
        "verwijzing (alleen voor u en deze gemeente) waarmee u klantbeeld en zaken opent zonder "
        "het BSN te zien."
    )
    waarschuwingen: list[Waarschuwing]
    doel: str
    trace_id: str = Field(description="Trace id; staat ook in het logboek.")


@router.post(
    "/personen",
    summary="Personen raadplegen of zoeken in de BRP (met doelbinding)",
    response_model=PersonenAntwoord,
    responses=problem_responses(400, 401, 403, 404, 501, 502, 503, 504),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _BODY_SCHEMA}},
        }
    },
)
def personen_bevragen(
    request: Request,
    attempt: Annotated[Attempt, Depends(attempt_for(*ROLLEN))],
    body: Annotated[Any, Body(include_in_schema=False)],
) -> PersonenAntwoord:
    """Elke bevraging, ook een foutieve of geweigerde, komt in het logboek voordat er gegevens
    de hub verlaten."""
    t = attempt.tenant
    answer = lookup_personen(
        t.store,
        t.plugins,
        t.gemeente,
        t.caller,
        t.trace_id,
        body,
        traceparent=request.state.traceparent,
        refusal=attempt.refusal,
        met_referenties=True,
    )
    return PersonenAntwoord(
        type=answer["type"],
        personen=answer["personen"],
        waarschuwingen=[Waarschuwing(**w) for w in answer["waarschuwingen"]],
        doel=answer["doel"],
        trace_id=answer["traceId"],
    )
