"""The questions and answers of ``/zaken``: by BSN, by persoonReferentie or by KvK-nummer."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

from hub.domain.base import ApiModel
from hub.domain.zaken import BronStatus, Zaak
from hub.privacy.referentie import MAX_LENGTE


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
    """Zaken van een persoon (BSN of persoonReferentie) of een organisatie (KvK-nummer)."""

    burgerservicenummer: EenBsn | None = Field(
        default=None,
        description=(
            "BSN van de persoon (elfproef), als tekst of als lijst met precies één BSN "
            "(de vorm van /personen)."
        ),
    )
    persoon_referentie: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_LENGTE,
        description="De persoonReferentie uit een antwoord van /personen, in plaats van het BSN.",
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
