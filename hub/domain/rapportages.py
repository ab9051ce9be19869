"""The KCC's figures: how klantcontacten ended, and how fast contactverzoeken were handled.

Counts, shares and durations only: no caller, no BSN, no contact details, ever. A share is a
fraction (``0.8125``) rounded to four decimals; a duration is in hours rounded to two.
Percentiles use the nearest-rank method: the median of 1, 2, 3, 4 hours is 2 hours.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from hub.domain.base import ApiModel


class Groepering(StrEnum):
    KANAAL = "kanaal"
    AFDELING = "afdeling"
    MEDEWERKER = "medewerker"
    DAG = "dag"
    WEEK = "week"


class Aantal(ApiModel):
    aantal: int
    aandeel: float | None = Field(description="Deel van alle klantcontacten (0–1).")


class Doorlooptijd(ApiModel):
    """From the first assignment to handling, of the handled contactverzoeken."""

    mediaan_uren: float | None
    p90_uren: float | None
    mediaan_werkuren: float | None = Field(
        description="Alleen werkuren op werkdagen (werkdag_begin–werkdag_einde)."
    )
    p90_werkuren: float | None


class Contactverzoekcijfers(ApiModel):
    aantal: int
    open: int
    over_termijn: int = Field(description="Open en de deadline is verstreken.")
    afgehandeld: int
    binnen_termijn: int = Field(description="Afgehandeld op of voor de deadline.")
    aandeel_binnen_termijn: float | None = Field(description="Deel van de afgehandelde.")
    doorlooptijd: Doorlooptijd
    pogingen_per_verzoek: float | None


class Cijfers(ApiModel):
    klantcontacten: int
    direct: Aantal
    doorverbonden: Aantal
    contactverzoek: Aantal
    haalt_norm: bool | None = Field(
        description="Het aandeel direct is ten minste de norm (null zonder klantcontacten)."
    )
    contactverzoeken: Contactverzoekcijfers


class Groepcijfers(Cijfers):
    groep: str | None = Field(
        description="Kanaal, afdeling, medewerker-id, dag (2026-03-09) of ISO-week (2026-W11); "
        "null: geen afdeling of medewerker bekend."
    )


class AfdelingMetContactverzoeken(ApiModel):
    rang: int
    afdeling: str
    vragen: int = Field(
        description="Klantcontacten doorverbonden naar of met een "
        "contactverzoek voor deze afdeling."
    )
    contactverzoeken: int
    aandeel_contactverzoek: float


class OpenPerAfdeling(ApiModel):
    afdeling: str | None
    open: int
    over_termijn: int


class Norm(ApiModel):
    direct_procent: int


class Rapportage(ApiModel):
    """The klantcontacten of ``van`` up to and including ``tot`` (local days)."""

    gemeente: str
    van: date
    tot: date
    groepering: Groepering
    norm: Norm
    totaal: Cijfers
    groepen: list[Groepcijfers]
    afdelingen_met_contactverzoeken: list[AfdelingMetContactverzoeken] = Field(
        description="Afdelingen waar vragen het vaakst in een contactverzoek eindigen, op rang."
    )
    open_per_afdeling: list[OpenPerAfdeling] = Field(
        description="Alle nu openstaande contactverzoeken per afdeling, ongeacht de periode."
    )
    gemeten_op: datetime
