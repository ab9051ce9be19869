"""A medewerker as the directory (AD) knows them, after the gemeente's attribute mapping."""

from __future__ import annotations

from pydantic import Field

from hub.domain.base import ApiModel


class Medewerker(ApiModel):
    """One colleague. ``id`` is stable across renames and moves (AD's objectGUID)."""

    id: str = Field(description="Stabiele identificatie (objectGUID in AD).")
    account_naam: str | None = Field(default=None, description="sAMAccountName.")
    weergavenaam: str = Field(description="Naam zoals getoond (displayName).")
    voornaam: str | None = None
    achternaam: str | None = None
    afdeling: str | None = None
    functie: str | None = None
    telefoonnummer: str | None = None
    mobiel: str | None = None
    email: str | None = None
    kamer: str | None = Field(default=None, description="physicalDeliveryOfficeName.")
    manager_id: str | None = None
    groepen: list[str] = Field(default_factory=list)
    expertise: list[str] = Field(default_factory=list)
