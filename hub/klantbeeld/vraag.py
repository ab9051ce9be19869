"""The klantbeeld question (BSN, KvK-nummer or persoonReferentie, with a doel) and its answer:
one section per source, each with its own status and the age of its data."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from hub.domain.base import ApiModel
from hub.domain.klantcontacten import Contactverzoek, Klantcontact
from hub.domain.zaken import BronStatus, Zaak
from hub.meldingen.records import Melding
from hub.privacy.referentie import MAX_LENGTE

SectieStatus = Literal["ok", "fout", "time-out", "niet_geautoriseerd", "niet_beschikbaar"]


class KlantbeeldVraag(ApiModel):
    """Precies één van bsn, kvkNummer en persoonReferentie, met het doel."""

    bsn: str | None = Field(default=None, min_length=9, max_length=9, description="BSN (elfproef).")
    kvk_nummer: str | None = Field(default=None, pattern=r"^[0-9]{8}$", max_length=8)
    persoon_referentie: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_LENGTE,
        description="De persoonReferentie uit een antwoord van /personen, in plaats van het BSN.",
    )
    doel: str = Field(min_length=1, max_length=64, description="Doel van de bevraging.")


class Sectie(ApiModel):
    status: SectieStatus = Field(
        description="ok; fout (de bron faalde); time-out (niet binnen de deadline van de "
        "sectie); niet_geautoriseerd (uw rol mag deze sectie niet zien); niet_beschikbaar "
        "(geen bron aangesloten, of niet van toepassing op deze vraag)."
    )
    gegevens_van: datetime | None = Field(
        default=None, description="Het moment waarop deze gegevens bij de bron golden."
    )
    leeftijd_seconden: float | None = Field(
        default=None, description="Hoe oud de gegevens zijn op het moment van het antwoord."
    )
    detail: str | None = None


class PersoonSectie(Sectie):
    persoon: dict[str, Any] | None = Field(
        default=None, description="De persoon in Haal Centraal-vorm, gemaskeerd per rol en doel."
    )
    waarschuwingen: list[dict[str, Any]] = Field(default_factory=list)


class ZakenSectie(Sectie):
    zaken: list[Zaak] = Field(default_factory=list)
    bronnen: list[BronStatus] = Field(default_factory=list)


class MeldingenSectie(Sectie):
    meldingen: list[Melding] = Field(default_factory=list)


class KlantcontactenSectie(Sectie):
    klantcontacten: list[Klantcontact] = Field(default_factory=list)


class ContactverzoekenSectie(Sectie):
    contactverzoeken: list[Contactverzoek] = Field(default_factory=list)


class KlantbeeldAntwoord(ApiModel):
    persoon: PersoonSectie
    zaken: ZakenSectie
    meldingen: MeldingenSectie
    klantcontacten: KlantcontactenSectie
    contactverzoeken: ContactverzoekenSectie
    doel: str
    trace_id: str = Field(description="Trace id; staat ook in het logboek.")
