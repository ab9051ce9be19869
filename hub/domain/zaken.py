"""A zaak from a zaaksysteem, with readable status (resolved through the catalogue)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from hub.domain.base import ApiModel


class Zaak(ApiModel):
    identificatie: str
    bron: str = Field(description="Naam van het zaaksysteem dat de zaak leverde.")
    url: str | None = None
    omschrijving: str | None = None
    zaaktype: str | None = Field(default=None, description="Omschrijving van het zaaktype.")
    status: str | None = Field(default=None, description="Omschrijving van de huidige status.")
    startdatum: date | None = None
    einddatum_gepland: date | None = None
    uiterlijke_einddatum_afdoening: date | None = None
    einddatum: date | None = None
    resultaat: str | None = None


class BronStatus(ApiModel):
    """Per-source outcome of a fan-out query, so one failing source does not sink the answer."""

    bron: str
    status: str = Field(description="ok, mislukt of time-out.")
    detail: str | None = None
    aantal: int = 0
