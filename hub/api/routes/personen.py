"""``POST /personen``: person data from the BRP through the privacy pipeline.

The body is a Haal Centraal BRP Personen v2 query (``type`` plus its
parameters) with the ``doel`` of the request; BSNs travel only in this body.
The body is validated by the pipeline, not by FastAPI, so that a wrong request
from an authenticated caller also leaves a logboek record.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from hub.api.deps import Attempt, attempt_for
from hub.api.problems import problem_responses
from hub.domain.base import ApiModel
from hub.privacy.pipeline import lookup_personen

router = APIRouter(tags=["Personen"])

ROLLEN = ("kcc-medewerker", "backoffice")


class PersonenVraag(BaseModel):
    """Een vraag in de vorm van Haal Centraal BRP Personen v2, met het doel van de bevraging."""

    model_config = ConfigDict(title="PersonenVraag")

    type: Literal[
        "RaadpleegMetBurgerservicenummer",
        "ZoekMetGeslachtsnaamEnGeboortedatum",
        "ZoekMetNaamEnGemeenteVanInschrijving",
        "ZoekMetPostcodeEnHuisnummer",
    ] = Field(description="Soort vraag, zoals in de Haal Centraal BRP Personen API.")
    doel: str = Field(
        max_length=64,
        description="Code van het doel van de bevraging, uit de doelen van de gemeente (doelbinding).",
    )
    burgerservicenummer: (
        Annotated[
            list[Annotated[str, Field(min_length=9, max_length=9)]],
            Field(min_length=1, max_length=20),
        ]
        | Annotated[str, Field(min_length=9, max_length=9)]
        | None
    ) = Field(
        default=None,
        description=(
            "Bij RaadpleegMetBurgerservicenummer: een lijst van 1 tot 20 BSN's, zoals Haal "
            "Centraal, of één BSN als tekst (9 cijfers, elfproef)."
        ),
    )
    # Lengths as in Haal Centraal BRP Personen v2 (specs/brp/personen-openapi.yaml).
    geslachtsnaam: str | None = Field(default=None, max_length=200)
    geboortedatum: str | None = Field(default=None, max_length=10, description="JJJJ-MM-DD")
    voornamen: str | None = Field(default=None, max_length=200)
    voorvoegsel: str | None = Field(default=None, max_length=10)
    geslacht: str | None = Field(default=None, max_length=1)
    gemeenteVanInschrijving: str | None = Field(  # noqa: N815
        default=None, pattern=r"^[0-9]{4}$", max_length=4
    )
    postcode: str | None = Field(default=None, max_length=7)
    huisnummer: int | None = Field(default=None, ge=1, le=99999)
    huisletter: str | None = Field(default=None, max_length=1)
    huisnummertoevoeging: str | None = Field(default=None, max_length=4)
    inclusiefOverledenPersonen: bool | None = None  # noqa: N815
    fields: list[Annotated[str, Field(max_length=200)]] | None = Field(
        default=None,
        max_length=130,
        description="Optioneel: alleen deze velden (binnen wat uw rol mag zien).",
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


_BODY_SCHEMA = PersonenVraag.model_json_schema()


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
