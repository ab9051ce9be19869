"""``POST meldingen/_zoek``: the meldingen of one melder, by phone, e-mail or BSN.

The melder's contact details are person data, so they travel in the body only and every
search is written to the logboek (activity ``meldingen-zoeken``) before the answer leaves.
The hub keeps no BSN with a melding: a search by BSN finds the meldingen filed under the
phone numbers and e-mail addresses that this person's klantcontacten in the hub carry, and
is logged with the BSN as betrokkene (a search by BSN states a ``doel``).
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator
from sqlalchemy import select

from hub.bsn import is_valid_bsn
from hub.caller import Caller
from hub.domain.base import ApiModel
from hub.errors import InvalidRequest
from hub.klantcontacten.tables import DigitaalAdresRij, KlantcontactRij
from hub.meldingen.intake import meldingen_van_melder
from hub.meldingen.records import Melding
from hub.privacy.pipeline import new_logboek_invoer, record_failure, write_logboek
from hub.privacy.settings import privacy_for
from hub.store.db import Store
from hub.tenants import Gemeente

ACTIVITEIT = "meldingen-zoeken"
GELEVERDE_VELDEN = (
    "meldingen.id",
    "meldingen.status",
    "meldingen.categorie",
    "meldingen.omschrijving",
    "meldingen.locatie",
)


class MeldingenZoekvraag(ApiModel):
    """Meldingen van één melder: precies één van telefoonnummer, emailadres, burgerservicenummer."""

    telefoonnummer: str | None = Field(default=None, min_length=1, max_length=20)
    emailadres: str | None = Field(default=None, min_length=3, max_length=254)
    burgerservicenummer: str | None = Field(default=None, min_length=9, max_length=9)
    doel: str | None = Field(
        default=None, max_length=64, description="Verplicht bij zoeken op burgerservicenummer."
    )
    aantal: int = Field(default=20, ge=1, le=100, description="Hoeveel, nieuwste eerst.")

    @field_validator("burgerservicenummer")
    @classmethod
    def _bsn(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_bsn(value):
            raise ValueError("het burgerservicenummer is ongeldig (9 cijfers en de elfproef)")
        return value

    @model_validator(mode="after")
    def _een_kenmerk(self) -> MeldingenZoekvraag:
        given = [v for v in (self.telefoonnummer, self.emailadres, self.burgerservicenummer) if v]
        if len(given) != 1:
            raise ValueError("geef precies één van telefoonnummer, emailadres, burgerservicenummer")
        return self


class MeldingenLijst(ApiModel):
    resultaten: list[Melding]


def meldingen_van_bsn(store: Store, gemeente: str, bsn_hash: str, limit: int) -> list[Melding]:
    """The meldingen filed under the contact details of this person's klantcontacten."""
    with store.session() as session:
        adressen = session.execute(
            select(DigitaalAdresRij.soort, DigitaalAdresRij.zoeksleutel)
            .join(KlantcontactRij, KlantcontactRij.id == DigitaalAdresRij.klantcontact_id)
            .where(KlantcontactRij.gemeente == gemeente, KlantcontactRij.bsn_hash == bsn_hash)
            .distinct()
        ).all()
    gevonden: dict[str, Melding] = {}
    for soort, sleutel in adressen:
        if soort == "email":
            kwargs = {"email": sleutel}
        elif soort == "telefoonnummer":
            kwargs = {"telefoonnummer": sleutel}
        else:
            continue
        for melding in meldingen_van_melder(store, gemeente, limit=limit, **kwargs):
            gevonden[melding.id] = melding
    newest = sorted(gevonden.values(), key=lambda m: m.aangemaakt_op, reverse=True)
    return newest[:limit]


def zoek_meldingen(
    store: Store, gemeente: Gemeente, caller: Caller, trace_id: str, vraag: MeldingenZoekvraag
) -> MeldingenLijst:
    """Answer ``meldingen/_zoek`` for this gemeente only; the search is logged first."""
    privacy = privacy_for(gemeente)
    invoer = new_logboek_invoer(privacy, caller, trace_id, ACTIVITEIT)
    try:
        if vraag.doel is not None or vraag.burgerservicenummer:
            if not vraag.doel:
                raise InvalidRequest(
                    "wie op BSN zoekt, noemt het doel (doel)", field="doel", code="required"
                )
            doel = privacy.doelen.resolve(vraag.doel, caller.primary_role)
            invoer.doel = doel.code
            invoer.processing_activity_id = doel.verwerkingsactiviteit
        if vraag.burgerservicenummer:
            invoer.betrokkenen.append(vraag.burgerservicenummer)
            resultaten = meldingen_van_bsn(
                store,
                gemeente.code,
                privacy.sleutels.betrokkene_hash(vraag.burgerservicenummer),
                vraag.aantal,
            )
        else:
            resultaten = meldingen_van_melder(
                store,
                gemeente.code,
                email=vraag.emailadres,
                telefoonnummer=vraag.telefoonnummer,
                limit=vraag.aantal,
            )
        if resultaten:
            invoer.velden.extend(GELEVERDE_VELDEN)
            invoer.aantal_personen = 1
        else:
            invoer.status = "geen_resultaat"
    except Exception as exc:
        record_failure(invoer, exc)
        write_logboek(store, None, privacy, invoer, wat="meldingen")
        raise
    write_logboek(store, None, privacy, invoer, wat="meldingen")
    return MeldingenLijst(resultaten=resultaten)
