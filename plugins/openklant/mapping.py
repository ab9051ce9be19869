"""Between the hub's Klantinteracties seam (``hub.domain.klantcontacten``) and what this plugin
writes to and reads from Open Klant.

Outward: a registered klantcontact becomes a :class:`NieuwKlantcontact`, each contactverzoek a
:class:`NieuweInternetaak`, a later change a :class:`Wijziging`; the hub's actors become
:class:`Toewijzing` en with the ``objectId`` KISS would write (settings
``medewerker_object_id`` and ``afdeling_object_id``). Inward: an internetaak read from Open
Klant becomes an :class:`ExterneInternetaak` for the ``internetaken`` sync kind.

Not sent to Open Klant: the caller's BSN (linking a partij would put it in a URL filter), the
outcome text of ``_afhandelen`` and the reason of ``_doorzetten`` (an internetaak has no field
for them; they stay in the hub's trail), a second e-mail address and ``overig`` adressen.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from hub.plugin_sdk import (
    ActorIdentificator,
    Contactnaam,
    DigitaalAdres,
    ExterneInternetaak,
    ExternVastgelegd,
    KlantcontactRegistratie,
    KlantcontactVastgelegd,
    PogingUitkomst,
    Rol,
    SeamActor,
    SeamBetrokkene,
    SeamContactverzoek,
    SoortActor,
    SoortDigitaalAdres,
    Status,
)
from plugins.openklant.config import Identificatorcodes, OpenKlantSettings
from plugins.openklant.contactverzoeken import valideer
from plugins.openklant.models import (
    Actor,
    ContactverzoekInOpenKlant,
    InterneTaak,
    Klantcontact,
    NieuweInternetaak,
    NieuwKlantcontact,
    Toewijzing,
    Wijziging,
)

SYSTEEM = "openklant"

POGING_ONDERWERP = {
    PogingUitkomst.TERUGGEBELD: "Terugbelpoging: teruggebeld",
    PogingUitkomst.NIET_BEREIKT: "Terugbelpoging: niet bereikt",
    PogingUitkomst.VOICEMAIL: "Terugbelpoging: voicemail ingesproken",
}

_WORD = re.compile(r"[^\W_]+")


# -- outward -------------------------------------------------------------------------------


def klantcontact_invoer(
    settings: OpenKlantSettings, registratie: KlantcontactRegistratie
) -> NieuwKlantcontact:
    """The klantcontact to write; text Open Klant would refuse is an ``InvalidRequest``
    naming the field, before anything is written."""
    door = registratie.geregistreerd_door
    data: dict[str, Any] = {
        "sleutel": registratie.id,
        "kanaal": registratie.kanaal,
        "onderwerp": registratie.onderwerp,
        "inhoud": registratie.inhoud or "",
        "reactie": registratie.reactie or "",
        "taal": registratie.taal,
        "plaatsgevonden_op": registratie.plaatsgevonden_op,
        "vertrouwelijk": registratie.vertrouwelijk,
        "indicatie_contact_gelukt": registratie.indicatie_contact_gelukt,
        "betrokkene": _terugbelgegevens(registratie.betrokkene),
        "geregistreerd_door": {"email": door.emailadres, "naam": door.naam or door.emailadres}
        if door.emailadres
        else None,
        "onderwerpobjecten": [
            o.model_dump(exclude_none=True) for o in registratie.onderwerpobjecten
        ],
    }
    return valideer(NieuwKlantcontact, data)


def internetaak_invoer(
    settings: OpenKlantSettings, contactverzoek: SeamContactverzoek
) -> NieuweInternetaak:
    data = {
        "sleutel": contactverzoek.id,
        "gevraagde_handeling": contactverzoek.gevraagde_handeling,
        "toelichting": contactverzoek.toelichting,
        "toegewezen_aan": toewijzingen(settings, contactverzoek.toegewezen_aan_actoren),
    }
    return valideer(NieuweInternetaak, data, prefix="contactverzoek.")


def wijziging(settings: OpenKlantSettings, contactverzoek: SeamContactverzoek) -> Wijziging:
    """The contactverzoek's full state as the internetaak should show it."""
    afgehandeld = None
    if contactverzoek.status is Status.VERWERKT:
        afgehandeld = contactverzoek.afgehandeld_op or datetime.now(UTC)
    data = {
        "toegewezen_aan": toewijzingen(settings, contactverzoek.toegewezen_aan_actoren),
        "afgehandeld_op": afgehandeld,
        "pogingen": [
            {
                "sleutel": p.id,
                "tijdstip": p.tijdstip,
                "gelukt": p.uitkomst is PogingUitkomst.TERUGGEBELD,
                "onderwerp": POGING_ONDERWERP[p.uitkomst],
                "inhoud": p.toelichting or "",
            }
            for p in contactverzoek.pogingen
        ],
    }
    return valideer(Wijziging, data)


def toewijzingen(settings: OpenKlantSettings, actoren: Sequence[SeamActor]) -> list[Toewijzing]:
    """The hub's actors as Open Klant actors, medewerker first, as KISS assigns them."""
    result = []
    for actor in actoren:
        if actor.soort_actor is SoortActor.MEDEWERKER:
            result.append(_medewerker(settings, actor))
        elif actor.soort_actor is SoortActor.ORGANISATORISCHE_EENHEID:
            if actor.groep:
                ident = actor.identificatie or actor.groep
                result.append(_toewijzing(soort="groep", identificatie=ident, naam=actor.groep))
            else:
                naam = actor.afdeling or actor.naam
                ident = naam
                if settings.afdeling_object_id == "slug":
                    ident = actor.identificatie or slug(naam)
                result.append(_toewijzing(soort="afdeling", identificatie=ident or naam, naam=naam))
    return result


def slug(naam: str) -> str:
    """``Sociaal Domein`` -> ``sociaal-domein``: lower case, no diacritics, words joined by
    hyphens, close to what the hub's Objecten facade publishes as an afdeling's identificatie
    (the hub hands that over itself; this is for an actor that comes without one)."""
    decomposed = unicodedata.normalize("NFKD", naam)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return "-".join(_WORD.findall(folded))


def vastgelegd(
    klantcontact: Klantcontact, internetaken: Mapping[str, InterneTaak]
) -> KlantcontactVastgelegd:
    return KlantcontactVastgelegd(
        klantcontact=ExternVastgelegd(extern_id=str(klantcontact.uuid), url=klantcontact.url),
        internetaken={
            hub_id: ExternVastgelegd(extern_id=str(taak.uuid), url=taak.url)
            for hub_id, taak in internetaken.items()
        },
    )


def _medewerker(settings: OpenKlantSettings, actor: SeamActor) -> Toewijzing:
    naam = actor.naam or actor.emailadres or "medewerker"
    chosen = {
        "accountnaam": actor.account_naam,
        "id": actor.medewerker_id,
        "email": actor.emailadres,
    }[settings.medewerker_object_id]
    ident = chosen or actor.account_naam or actor.medewerker_id
    if ident is None and actor.emailadres:
        # Known by e-mail only (an internetaak KISS assigned by e-mail): KISS's e-mail codes.
        return _toewijzing(
            soort="medewerker",
            identificatie=actor.emailadres,
            naam=naam,
            email=actor.emailadres,
            per_email=True,
        )
    # Known by name only (imported, not in the directory): matched by name, never recreated.
    return _toewijzing(
        soort="medewerker", identificatie=ident or naam, naam=naam, email=actor.emailadres
    )


def _toewijzing(**values: Any) -> Toewijzing:
    # An identifier Open Klant cannot hold is refused naming the field, not retried.
    return valideer(Toewijzing, values, prefix="toegewezenAan.")


def _terugbelgegevens(betrokkene: SeamBetrokkene | None) -> dict[str, Any] | None:
    if betrokkene is None:
        return None
    naam = betrokkene.contactnaam or Contactnaam()
    adressen = betrokkene.digitale_adressen
    emails = [a.adres for a in adressen if a.soort_digitaal_adres is SoortDigitaalAdres.EMAIL]
    telefoons = [
        {"nummer": a.adres, "omschrijving": a.omschrijving or "telefoonnummer"}
        for a in adressen
        if a.soort_digitaal_adres is SoortDigitaalAdres.TELEFOONNUMMER
    ]
    return {
        "voornaam": naam.voornaam or "",
        "voorletters": naam.voorletters,
        "voorvoegsel_achternaam": naam.voorvoegsel_achternaam or "",
        "achternaam": naam.achternaam or "",
        "organisatienaam": betrokkene.organisatienaam or "",
        "email": emails[0] if emails else None,
        "telefoonnummers": telefoons,
    }


# -- inward --------------------------------------------------------------------------------


def externe_internetaak(
    settings: OpenKlantSettings, gelezen: ContactverzoekInOpenKlant, kcc_hub_id: str | None
) -> ExterneInternetaak:
    """An internetaak read from Open Klant, for the hub's ``internetaken`` sync kind."""
    taak, kc = gelezen.internetaak, gelezen.klantcontact
    return ExterneInternetaak(
        systeem=SYSTEEM,
        extern_id=str(taak.uuid),
        url=taak.url,
        kcc_hub_id=kcc_hub_id,
        gevraagde_handeling=taak.gevraagde_handeling[:200] or settings.gevraagde_handeling,
        toelichting=taak.toelichting[:1000] or None,
        status=Status(taak.status),
        toegewezen_op=taak.toegewezen_op or datetime.now(UTC),
        afgehandeld_op=taak.afgehandeld_op,
        toegewezen_aan_actoren=[seam_actor(settings, a) for a in gelezen.actoren],
        klantcontact_extern_id=str(kc.uuid),
        klantcontact_url=kc.url,
        kanaal=kc.kanaal[:50] or "onbekend",
        onderwerp=kc.onderwerp[:200] or "(geen onderwerp)",
        inhoud=kc.inhoud[:1000] or None,
        plaatsgevonden_op=kc.plaatsgevonden_op,
        betrokkene=_seam_betrokkene(gelezen),
    )


def seam_actor(settings: OpenKlantSettings, actor: Actor) -> SeamActor:
    """An Open Klant actor as the hub knows actors. A medewerker's ``objectId`` goes into
    ``medewerkerId`` (the hub finds the medewerker by directory id, account name or e-mail)."""
    ident = actor.actoridentificator
    naam = actor.naam[:200]
    identificator = (
        ActorIdentificator(
            object_id=ident.object_id[:200],
            code_objecttype=ident.code_objecttype[:200],
            code_register=ident.code_register[:200],
            code_soort_object_id=ident.code_soort_object_id[:200],
        )
        if ident is not None
        else None
    )
    codes = settings.codes
    if ident is not None and _heeft(ident, codes.groep):
        return SeamActor(
            soort_actor=SoortActor.ORGANISATORISCHE_EENHEID,
            naam=naam,
            groep=naam,
            identificator=identificator,
        )
    if actor.soort_actor == SoortActor.MEDEWERKER.value:
        object_id = ident.object_id if ident is not None else ""
        per_email = ident is not None and ident.code_soort_object_id == "email"
        return SeamActor(
            soort_actor=SoortActor.MEDEWERKER,
            naam=naam,
            medewerker_id=None if per_email or not object_id else object_id[:64],
            emailadres=object_id if (per_email or "@" in object_id) and object_id else None,
            identificator=identificator,
        )
    if actor.soort_actor == SoortActor.ORGANISATORISCHE_EENHEID.value:
        return SeamActor(
            soort_actor=SoortActor.ORGANISATORISCHE_EENHEID,
            naam=naam,
            afdeling=naam,
            identificator=identificator,
        )
    return SeamActor(
        soort_actor=SoortActor.GEAUTOMATISEERDE_ACTOR, naam=naam, identificator=identificator
    )


def _heeft(ident: Any, codes: Identificatorcodes) -> bool:
    return bool(
        ident.code_objecttype == codes.code_objecttype
        and ident.code_register == codes.code_register
        and ident.code_soort_object_id == codes.code_soort_object_id
    )


def _seam_betrokkene(gelezen: ContactverzoekInOpenKlant) -> SeamBetrokkene | None:
    b = gelezen.betrokkene
    if b is None:
        return None
    adressen = []
    for a in gelezen.digitale_adressen:
        try:
            adressen.append(
                DigitaalAdres(
                    soort_digitaal_adres=SoortDigitaalAdres(a.soort_digitaal_adres),
                    adres=a.adres,
                    omschrijving=a.omschrijving[:40] or None,
                )
            )
        except (ValueError, ValidationError):
            continue  # an address the hub could not mail or call is left out, not the taak
    contactnaam = None
    if b.contactnaam is not None:
        try:
            contactnaam = Contactnaam(
                voorletters=b.contactnaam.voorletters or None,
                voornaam=b.contactnaam.voornaam or None,
                voorvoegsel_achternaam=b.contactnaam.voorvoegsel_achternaam or None,
                achternaam=b.contactnaam.achternaam or None,
            )
        except ValidationError:
            contactnaam = None
    return SeamBetrokkene(
        rol=Rol(b.rol) if b.rol in {r.value for r in Rol} else Rol.KLANT,
        initiator=b.initiator,
        contactnaam=contactnaam,
        organisatienaam=b.organisatienaam[:200] or None,
        digitale_adressen=adressen,
    )
