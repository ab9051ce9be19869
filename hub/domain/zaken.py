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


class ZaakBetrokkene(ApiModel):
    """Who has a rol in a zaak (ZGW ``rollen``): never shown through the API, but what the
    logboek records a zaak read against, so the person finds it by inzage."""

    soort: str = Field(description="natuurlijk_persoon, niet_natuurlijk_persoon of vestiging.")
    nummer: str = Field(description="BSN, KvK-/RSIN-nummer of vestigingsnummer.")
    rol: str | None = Field(default=None, description="omschrijvingGeneriek van de rol.")


class ZaakMetBetrokkenen(Zaak):
    """A zaak read by identificatie together with its betrokkenen: what ``kcc_get_zaak``
    returns, so the core can log the read before the (public) :class:`Zaak` leaves."""

    betrokkenen: list[ZaakBetrokkene] = Field(default_factory=list)

    def zaak(self) -> Zaak:
        return Zaak.model_validate(self.model_dump(exclude={"betrokkenen"}))

    @property
    def bsns(self) -> list[str]:
        return [b.nummer for b in self.betrokkenen if b.soort == "natuurlijk_persoon"]


class BronStatus(ApiModel):
    """Per-source outcome of a fan-out query, so one failing source does not sink the answer."""

    bron: str
    status: str = Field(description="ok, mislukt of time-out.")
    detail: str | None = None
    aantal: int = 0
