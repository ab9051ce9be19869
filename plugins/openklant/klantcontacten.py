"""Klantcontacten in Open Klant, written the way KISS writes them, find-before-create.

KISS writes a klantcontact for every contact (and, through its BFF, the logged-in medewerker
as actor linked by an actorklantcontact), a betrokkene (rol ``klant``, initiator) with digitale
adressen (e-mail first, then phone numbers), and an onderwerpobject per linked zaak.

Open Klant has no idempotency keys. The klantcontact carries the hub's key in ``metadata``
(Open Klant 2.18+) and is found by the exact-match filters ``plaatsgevondenOp`` and ``kanaal``
(no caller data in the URL); everything else hangs off it and is found through it. A retry
after Open Klant accepted some or all of the writes therefore resumes where the last attempt
stopped and never creates a second resource. The same metadata maps each contactverzoek the
hub wrote on the klantcontact to its internetaak (``<sleutel_metadata>:<hub id>``).

A callback attempt (poging) becomes a klantcontact of its own (``indicatieContactGelukt``
whether the caller was reached) with an onderwerpobject whose ``wasKlantcontact`` is the
original contact: Klantinteracties' way of saying "this contact was about that one".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from hub.plugin_sdk import UpstreamRejected
from plugins.openklant.actoren import registrerende_actor
from plugins.openklant.client import SOURCE, OpenKlantClient
from plugins.openklant.models import (
    Betrokkene,
    DigitaalAdres,
    Identificator,
    Klantcontact,
    Medewerker,
    NieuwKlantcontact,
    Onderwerp,
    Onderwerpobject,
    Terugbelgegevens,
    Terugbelpoging,
    open_klant_moment,
)

ROL_KLANT = "klant"


@dataclass(frozen=True)
class GeschrevenKlantcontact:
    """What Open Klant holds for one klantcontact the hub wrote."""

    klantcontact: Klantcontact
    betrokkene: Betrokkene | None = None
    digitale_adressen: list[DigitaalAdres] = field(default_factory=list)
    onderwerpobjecten: list[Onderwerpobject] = field(default_factory=list)


def write_klantcontact(
    client: OpenKlantClient, nieuw: NieuwKlantcontact, *, extern_id: UUID | str | None = None
) -> GeschrevenKlantcontact:
    """Write (or finish writing) one klantcontact with its betrokkene, digitale adressen,
    registering medewerker and onderwerpobjecten; safe to call again with the same key.
    ``extern_id``: the klantcontact exists already (an earlier call returned it)."""
    klantcontact = (
        client.klantcontacten.get(extern_id)
        if extern_id is not None
        else find_klantcontact(client, nieuw) or _create_klantcontact(client, nieuw)
    )
    if nieuw.geregistreerd_door is not None:
        _link_registrerende_medewerker(client, klantcontact, nieuw.geregistreerd_door)
    betrokkene = adressen = None
    if nieuw.betrokkene is not None:
        betrokkene = _ensure_betrokkene(client, klantcontact, nieuw.betrokkene)
        adressen = _ensure_digitale_adressen(client, betrokkene, nieuw.betrokkene)
    zaak = client.settings.codes.zaak
    onderwerpen = [
        Onderwerp(
            object_id=str(z),
            code_objecttype=zaak.code_objecttype,
            code_register=zaak.code_register,
            code_soort_object_id=zaak.code_soort_object_id,
        )
        for z in nieuw.zaken
    ] + list(nieuw.onderwerpobjecten)
    return GeschrevenKlantcontact(
        klantcontact=klantcontact,
        betrokkene=betrokkene,
        digitale_adressen=adressen or [],
        onderwerpobjecten=_ensure_onderwerpobjecten(client, klantcontact, onderwerpen),
    )


def find_klantcontact(client: OpenKlantClient, nieuw: NieuwKlantcontact) -> Klantcontact | None:
    """The klantcontact an earlier attempt with this key wrote, if Open Klant has it."""
    return _find_by_key(client, nieuw.sleutel, nieuw.plaatsgevonden_op, nieuw.kanaal)


def sleutel_van(client: OpenKlantClient, klantcontact: Klantcontact) -> str | None:
    """The hub's key of a klantcontact the hub wrote; None for one written elsewhere (KISS)."""
    return klantcontact.metadata.get(client.settings.sleutel_metadata)


def taak_marker(client: OpenKlantClient, sleutel: str) -> str:
    """The metadata key under which a klantcontact maps a hub contactverzoek to its internetaak."""
    return f"{client.settings.sleutel_metadata}:{sleutel}"


def taken_van(client: OpenKlantClient, klantcontact: Klantcontact) -> dict[str, str]:
    """The hub's contactverzoeken on this klantcontact: hub id -> internetaak uuid."""
    prefix = taak_marker(client, "")
    return {
        key.removeprefix(prefix): value
        for key, value in klantcontact.metadata.items()
        if key.startswith(prefix)
    }


def write_poging(client: OpenKlantClient, origineel: UUID, poging: Terugbelpoging) -> Klantcontact:
    """Record one callback attempt about the klantcontact ``origineel``; idempotent per key."""
    kanaal = client.settings.poging_kanaal
    klantcontact = _find_by_key(client, poging.sleutel, poging.tijdstip, kanaal)
    if klantcontact is None:
        klantcontact = _create(
            client,
            poging.sleutel,
            {
                "kanaal": kanaal,
                "onderwerp": poging.onderwerp,
                "inhoud": poging.inhoud,
                "indicatieContactGelukt": poging.gelukt,
                "taal": client.settings.taal,
                "vertrouwelijk": False,
                "plaatsgevondenOp": open_klant_moment(poging.tijdstip).isoformat(),
            },
        )
    linked = any(
        o.was_klantcontact is not None and o.was_klantcontact.uuid == origineel
        for o in client.onderwerpobjecten.iterate(klantcontact__uuid=klantcontact.uuid)
    )
    if not linked:
        client.onderwerpobjecten.create(
            {
                "klantcontact": {"uuid": str(klantcontact.uuid)},
                "wasKlantcontact": {"uuid": str(origineel)},
                "onderwerpobjectidentificator": None,
            }
        )
    return klantcontact


# -- the steps -----------------------------------------------------------------------------


def _find_by_key(
    client: OpenKlantClient, sleutel: str, moment: Any, kanaal: str
) -> Klantcontact | None:
    key = client.settings.sleutel_metadata
    for klantcontact in client.klantcontacten.iterate(
        plaatsgevondenOp=open_klant_moment(moment), kanaal=kanaal
    ):
        if klantcontact.metadata.get(key) == sleutel:
            return klantcontact
    return None


def _create_klantcontact(client: OpenKlantClient, nieuw: NieuwKlantcontact) -> Klantcontact:
    body: dict[str, Any] = {
        "kanaal": nieuw.kanaal,
        "onderwerp": nieuw.onderwerp,
        "inhoud": nieuw.inhoud,
        "indicatieContactGelukt": nieuw.indicatie_contact_gelukt,
        "taal": nieuw.taal or client.settings.taal,
        "vertrouwelijk": nieuw.vertrouwelijk,
        "plaatsgevondenOp": open_klant_moment(nieuw.plaatsgevonden_op).isoformat(),
    }
    if nieuw.reactie:
        body["reactie"] = nieuw.reactie
    return _create(client, nieuw.sleutel, body)


def _create(client: OpenKlantClient, sleutel: str, body: dict[str, Any]) -> Klantcontact:
    metadata = {client.settings.sleutel_metadata: sleutel}
    created = client.klantcontacten.create({**body, "metadata": metadata})
    if sleutel_van(client, created) != sleutel:
        # An Open Klant before 2.18 drops metadata: a retry could not find this klantcontact
        # and would write a second one. Not retryable; the gemeente must upgrade.
        raise UpstreamRejected(
            "Open Klant bewaart de metadata van een klantcontact niet (Open Klant 2.18 of "
            "later nodig); het contactverzoek is niet verder geschreven",
            source=SOURCE,
        )
    return created


def _link_registrerende_medewerker(
    client: OpenKlantClient, klantcontact: Klantcontact, medewerker: Medewerker
) -> None:
    actor = registrerende_actor(client, medewerker)
    linked = {a.uuid for a in klantcontact.had_betrokken_actoren}
    if actor.uuid not in linked:
        client.actorklantcontacten.create(
            {"actor": {"uuid": str(actor.uuid)}, "klantcontact": {"uuid": str(klantcontact.uuid)}}
        )


def _ensure_betrokkene(
    client: OpenKlantClient, klantcontact: Klantcontact, gegevens: Terugbelgegevens
) -> Betrokkene:
    for betrokkene in client.betrokkenen.iterate(hadKlantcontact__uuid=klantcontact.uuid):
        if betrokkene.rol == ROL_KLANT and betrokkene.initiator:
            return betrokkene
    return client.betrokkenen.create(
        {
            "hadKlantcontact": {"uuid": str(klantcontact.uuid)},
            "wasPartij": None,
            "rol": ROL_KLANT,
            "initiator": True,
            "organisatienaam": gegevens.organisatienaam,
            "contactnaam": {
                # KISS takes the voorletters from the voornaam.
                "voorletters": gegevens.voorletters or gegevens.voornaam[:1],
                "voornaam": gegevens.voornaam,
                "voorvoegselAchternaam": gegevens.voorvoegsel_achternaam,
                "achternaam": gegevens.achternaam,
            },
        }
    )


def _ensure_digitale_adressen(
    client: OpenKlantClient, betrokkene: Betrokkene, gegevens: Terugbelgegevens
) -> list[DigitaalAdres]:
    # KISS's order and omschrijvingen: the e-mail address first, then the phone numbers.
    wanted: list[tuple[str, str, str]] = []
    if gegevens.email:
        wanted.append(("email", gegevens.email, "e-mailadres"))
    wanted += [("telefoonnummer", t.nummer, t.omschrijving) for t in gegevens.telefoonnummers]
    existing = {
        (a.soort_digitaal_adres, a.adres): a
        for a in client.digitale_adressen.iterate(verstrektDoorBetrokkene__uuid=betrokkene.uuid)
    }
    adressen = []
    for soort, adres, omschrijving in wanted:
        found = existing.get((soort, adres))
        if found is None:
            found = client.digitale_adressen.create(
                {
                    "verstrektDoorBetrokkene": {"uuid": str(betrokkene.uuid)},
                    "verstrektDoorPartij": None,
                    "adres": adres,
                    "soortDigitaalAdres": soort,
                    "omschrijving": omschrijving,
                }
            )
            existing[(soort, adres)] = found
        adressen.append(found)
    return adressen


def _ensure_onderwerpobjecten(
    client: OpenKlantClient, klantcontact: Klantcontact, onderwerpen: Sequence[Onderwerp]
) -> list[Onderwerpobject]:
    if not onderwerpen:
        return []
    existing = {
        _sleutel(o.onderwerpobjectidentificator): o
        for o in client.onderwerpobjecten.iterate(klantcontact__uuid=klantcontact.uuid)
        if o.onderwerpobjectidentificator is not None
    }
    objecten = []
    for onderwerp in onderwerpen:
        key = _sleutel(onderwerp)
        found = existing.get(key)
        if found is None:
            found = client.onderwerpobjecten.create(
                {
                    "klantcontact": {"uuid": str(klantcontact.uuid)},
                    "wasKlantcontact": None,
                    "onderwerpobjectidentificator": onderwerp.velden(),
                }
            )
            existing[key] = found
        objecten.append(found)
    return objecten


def _sleutel(o: Onderwerp | Identificator) -> tuple[str, str, str, str]:
    return (o.object_id, o.code_objecttype, o.code_register, o.code_soort_object_id)
