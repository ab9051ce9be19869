"""A melding openbare ruimte as filed through the hub and tracked upstream (Fixi, Signalen)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from hub.domain.base import ApiModel


class Locatie(ApiModel):
    # Together at most Fixi's 300 characters for an address ("adres, woonplaats").
    adres: str | None = Field(default=None, max_length=200)
    postcode: str | None = Field(default=None, max_length=7)
    huisnummer: str | None = Field(default=None, max_length=10)
    woonplaats: str | None = Field(default=None, max_length=80)
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


class MeldingCategorie(ApiModel):
    """A category a melding can be filed under, as the meldingen system knows it."""

    id: str = Field(description="Kenmerk van de categorie in het bronsysteem.")
    naam: str = Field(description="Naam om in `categorie` van een nieuwe melding te gebruiken.")
