"""Groups of the directory, who is in them, and accounts that are switched off.

A directory plugin's sync yields these next to the medewerkers, so the hub knows
a medewerker's groups (for roles derived from them) and can tell a disabled
account from an unknown one.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from hub.domain.base import ApiModel


class Groep(ApiModel):
    """One directory group. ``id`` is stable across renames and moves (AD's objectGUID)."""

    id: str = Field(description="Stabiele identificatie (objectGUID in AD).")
    naam: str = Field(description="Naam van de groep (cn).")
    identificatie: str | None = Field(default=None, description="Korte naam (sAMAccountName).")
    email: str | None = Field(default=None, description="Groepsmailbox (mail), indien aanwezig.")
    omschrijving: str | None = None


class Lidmaatschappen(ApiModel):
    """Direct memberships, complete for one side.

    Either ``lid`` with every group it is directly in (``groepen``), read from the member
    (AD's ``memberOf``), or ``groep`` with every direct member (``leden``), read from the
    group. A member is a medewerker or another group (nesting). The store replaces what it
    held for that one side.
    """

    lid: str | None = None
    groepen: list[str] = Field(default_factory=list)
    groep: str | None = None
    leden: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_side(self) -> Lidmaatschappen:
        if (self.lid is None) == (self.groep is None):
            raise ValueError("give either lid (with groepen) or groep (with leden)")
        if self.lid is not None and self.leden:
            raise ValueError("leden belong with groep, not with lid")
        if self.groep is not None and self.groepen:
            raise ValueError("groepen belong with lid, not with groep")
        return self


class UitgeschakeldAccount(ApiModel):
    """An account the directory holds but has switched off (AD: ACCOUNTDISABLE)."""

    id: str = Field(description="Stabiele identificatie (objectGUID in AD).")
    account_naam: str | None = None
    email: str | None = None
