"""Availability of a medewerker, as the calendar system reports it. Times only, never subjects."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from hub.domain.base import ApiModel


class BeschikbaarheidStatus(StrEnum):
    VRIJ = "vrij"
    BEZET = "bezet"
    AFWEZIG = "afwezig"
    BUITEN_WERKTIJD = "buiten_werktijd"
    ONBEKEND = "onbekend"


class BezetBlok(ApiModel):
    van: datetime
    tot: datetime
    soort: str = Field(default="bezet", description="bezet, voorlopig, afwezig of elders.")


class Werktijd(ApiModel):
    """Working time on some weekdays, in the mailbox's local time."""

    dagen: list[int] = Field(description="ISO-weekdagen: 1 maandag tot en met 7 zondag.")
    van: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM")
    tot: str = Field(
        pattern=r"^([01][0-9]|2[0-4]):[0-5][0-9]$", description="HH:MM; 24:00 is middernacht."
    )


class Beschikbaarheid(ApiModel):
    """Status now for one mailbox; ``email`` links it to a medewerker."""

    email: str
    status: BeschikbaarheidStatus
    tot: datetime | None = Field(default=None, description="Tot wanneer de status geldt.")
    volgend_vrij_moment: datetime | None = None
    afwezigheidsbericht: str | None = Field(
        default=None, description="Externe afwezigheidsmelding, platte tekst."
    )
    peilmoment: datetime = Field(description="Wanneer de bron dit meldde.")
    bezet: list[BezetBlok] = Field(default_factory=list)
    werktijden: list[Werktijd] | None = Field(
        default=None, description="Werktijden uit de agenda, indien de bron die kent."
    )
