"""A melding openbare ruimte as filed through the hub and tracked upstream (Fixi, Signalen)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from hub.domain.base import ApiModel


class Locatie(ApiModel):
    adres: str | None = None
    postcode: str | None = None
    huisnummer: str | None = None
    woonplaats: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class Melder(ApiModel):
    naam: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    telefoonnummer: str | None = Field(default=None, max_length=20)


class NieuweMelding(ApiModel):
    """What a plugin needs to create a melding upstream."""

    categorie: str = Field(max_length=200)
    omschrijving: str = Field(min_length=1, max_length=1000)
    locatie: Locatie
    melder: Melder | None = None


class UpstreamMelding(ApiModel):
    """The upstream's view of a melding."""

    extern_id: str
    status: str
    categorie: str | None = None
    omschrijving: str | None = None
    aangemaakt: datetime | None = None
    afgesloten: datetime | None = None
