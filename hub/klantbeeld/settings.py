"""``[klantbeeld]`` in a gemeente file: a deadline per section and who may see which section.

[klantbeeld]
aantal_klantcontacten = 5            # the last N klantcontacten of the betrokkene

[klantbeeld.deadlines_ms]            # per section; a slower source is reported "time-out"
persoon = 2000
zaken = 3000

[klantbeeld.rollen]                  # roles per section; others get "niet_geautoriseerd"
zaken = ["kcc-medewerker", "backoffice"]
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SECTIES = ("persoon", "zaken", "meldingen", "klantcontacten", "contactverzoeken")
_PERSOONSROLLEN = ["kcc-medewerker", "backoffice"]


def _deadline(default: int) -> int:
    # At least 50 ms (less is no real chance for any source), at most a minute.
    return Field(default=default, ge=50, le=60_000)


class Deadlines(BaseModel):
    model_config = ConfigDict(extra="forbid")

    persoon: int = _deadline(2000)
    zaken: int = _deadline(3000)
    meldingen: int = _deadline(1000)
    klantcontacten: int = _deadline(1000)
    contactverzoeken: int = _deadline(1000)


class SectieRollen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    persoon: list[str] = Field(default_factory=lambda: list(_PERSOONSROLLEN))
    zaken: list[str] = Field(default_factory=lambda: list(_PERSOONSROLLEN))
    meldingen: list[str] = Field(default_factory=lambda: list(_PERSOONSROLLEN))
    klantcontacten: list[str] = Field(default_factory=lambda: list(_PERSOONSROLLEN))
    contactverzoeken: list[str] = Field(default_factory=lambda: list(_PERSOONSROLLEN))


class KlantbeeldSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    aantal_klantcontacten: int = Field(default=5, ge=1, le=50)
    aantal_meldingen: int = Field(default=10, ge=1, le=100)
    deadlines_ms: Deadlines = Field(default_factory=Deadlines)
    rollen: SectieRollen = Field(default_factory=SectieRollen)

    def deadline_seconden(self, sectie: str) -> float:
        return int(getattr(self.deadlines_ms, sectie)) / 1000

    def mag(self, sectie: str, rollen: frozenset[str]) -> bool:
        return bool(rollen.intersection(getattr(self.rollen, sectie)))
