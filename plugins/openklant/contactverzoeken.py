"""Contactverzoeken in Open Klant, written exactly the way KISS writes them.

KISS (KISS-frontend, Open Klant 2 flow) writes, in this order: a klantcontact (and, through its
BFF, the logged-in medewerker as actor linked by an actorklantcontact); a betrokkene (rol
``klant``, initiator) with digitale adressen (e-mail first, then phone numbers); the actors the
contactverzoek goes to, found by their identificator or created; an internetaak
(``gevraagdeHandeling`` "Contact opnemen met betrokkene", status ``te_verwerken``, the question
in ``toelichting``, ``toegewezenAanActoren``); and an onderwerpobject per linked zaak.

Open Klant has no idempotency keys, so :func:`write_contactverzoek` makes every step
find-before-create. The klantcontact carries the hub's key in ``metadata`` (Open Klant 2.18+)
and is found by the exact-match filters ``plaatsgevondenOp`` and ``kanaal`` (no caller data in
the URL); every later resource hangs off it and is found through it. A retry after Open Klant
accepted some or all of the writes therefore resumes where the last attempt stopped and never
creates a second resource. ``referentienummer`` is deliberately not used as the key: Open Klant
numbers it itself (the highest number plus one) and people read it aloud.

Two writers with the same key at the same moment could still race; the core runs one job per
key at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from pydantic.alias_generators import to_camel

from hub.errors import InvalidRequest, UpstreamRejected
from plugins.openklant.client import SOURCE, OpenKlantClient
from plugins.openklant.config import Identificatorcodes
from plugins.openklant.models import (
    Actor,
    Betrokkene,
    ContactverzoekInOpenKlant,
    DigitaalAdres,
    InterneTaak,
    Klantcontact,
    Medewerker,
    NieuwContactverzoek,
    Onderwerpobject,
    Page,
    Terugbelgegevens,
    Toewijzing,
)

ROL_KLANT = "klant"
TE_VERWERKEN = "te_verwerken"
VERWERKT = "verwerkt"


def nieuw_contactverzoek(data: Mapping[str, Any]) -> NieuwContactverzoek:
    """Validate the hub's contactverzoek for Open Klant; a value Open Klant would refuse is an
    :class:`~hub.errors.InvalidRequest` naming the field (camelCase, dotted), before anything
    is written."""
    try:
        return NieuwContactverzoek.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(to_camel(p) if isinstance(p, str) else str(p) for p in first["loc"])
        # pydantic's message never quotes the input; the input may be a phone number.
        raise InvalidRequest(
            f"Open Klant neemt dit niet aan: {field}: {first['msg']}",
            field=field,
            code=first["type"],
        ) from None


def write_contactverzoek(
    client: OpenKlantClient, verzoek: NieuwContactverzoek
) -> ContactverzoekInOpenKlant:
    """Write (or finish writing) one contactverzoek; safe to call again with the same key."""
    klantcontact = find_klantcontact(client, verzoek) or _create_klantcontact(client, verzoek)
    if verzoek.geregistreerd_door is not None:
        _link_registrerende_medewerker(client, klantcontact, verzoek.geregistreerd_door)
    betrokkene = _ensure_betrokkene(client, klantcontact, verzoek.betrokkene)
    adressen = _ensure_digitale_adressen(client, betrokkene, verzoek.betrokkene)
    actoren = [find_or_create_actor(client, toewijzing) for toewijzing in verzoek.toegewezen_aan]
    internetaak = _ensure_internetaak(client, klantcontact, verzoek, actoren)
    onderwerpobjecten = _ensure_zaken(client, klantcontact, verzoek.zaken)
    return ContactverzoekInOpenKlant(
        # Read back so the answer shows Open Klant's links (betrokkenen, taken, actoren).
        klantcontact=client.klantcontacten.get(klantcontact.uuid),
        internetaak=internetaak,
        betrokkene=betrokkene,
        digitale_adressen=adressen,
        actoren=actoren,
        onderwerpobjecten=onderwerpobjecten,
    )


def find_klantcontact(client: OpenKlantClient, verzoek: NieuwContactverzoek) -> Klantcontact | None:
    """The klantcontact an earlier attempt with this key wrote, if Open Klant has it."""
    key = client.settings.sleutel_metadata
    for klantcontact in client.klantcontacten.iterate(
        plaatsgevondenOp=_moment(verzoek.plaatsgevonden_op), kanaal=verzoek.kanaal
    ):
        if klantcontact.metadata.get(key) == verzoek.sleutel:
            return klantcontact
    return None


def sleutel_van(client: OpenKlantClient, klantcontact: Klantcontact) -> str | None:
    """The hub's key of a klantcontact the hub wrote; None for one written elsewhere (KISS)."""
    return klantcontact.metadata.get(client.settings.sleutel_metadata)


def find_or_create_actor(client: OpenKlantClient, toewijzing: Toewijzing) -> Actor:
    """The actor for a medewerker, afdeling or groep, with KISS's identificator codes."""
    codes = client.settings.codes
    if toewijzing.soort == "medewerker":
        if client.settings.medewerker_identificatie == "email":
            if not toewijzing.email:
                raise InvalidRequest(
                    "Deze gemeente wijst medewerkers in Open Klant toe op e-mailadres",
                    field="toegewezenAan.email",
                    code="required",
                )
            return _actor(
                client, "medewerker", toewijzing.naam, toewijzing.email, codes.medewerker_email
            )
        return _actor(
            client, "medewerker", toewijzing.naam, toewijzing.identificatie, codes.medewerker
        )
    code = codes.afdeling if toewijzing.soort == "afdeling" else codes.groep
    return _actor(
        client, "organisatorische_eenheid", toewijzing.naam, toewijzing.identificatie, code
    )


def registrerende_actor(client: OpenKlantClient, medewerker: Medewerker) -> Actor:
    """The actor of the medewerker who registered a contact (KISS: ``mdw``/``msei``/``email``)."""
    codes = client.settings.codes.registrerende_medewerker
    return _actor(client, "medewerker", medewerker.naam, medewerker.email, codes)


def mark_verwerkt(
    client: OpenKlantClient, internetaak: UUID, afgehandeld_op: datetime
) -> InterneTaak:
    """Close an internetaak: status ``verwerkt`` with ``afgehandeldOp``. Idempotent."""
    return client.internetaken.patch(
        internetaak, {"status": VERWERKT, "afgehandeldOp": _moment(afgehandeld_op).isoformat()}
    )


def reassign(client: OpenKlantClient, internetaak: UUID, aan: Sequence[Toewijzing]) -> InterneTaak:
    """Assign an internetaak to other actors (found or created); replaces the old ones, as
    Open Klant does. Idempotent."""
    if not aan:
        raise InvalidRequest("Wijs het contactverzoek aan iemand toe", field="toegewezenAan")
    actoren = [find_or_create_actor(client, toewijzing) for toewijzing in aan]
    return client.internetaken.patch(
        internetaak, {"toegewezenAanActoren": [{"uuid": str(a.uuid)} for a in actoren]}
    )


def internetaken_te_verwerken(client: OpenKlantClient, page: int = 1) -> Page[InterneTaak]:
    """One page of the internetaken still ``te_verwerken``, for a poller."""
    return client.internetaken.page(
        page=page, page_size=client.settings.internetaken.page_size, status=TE_VERWERKEN
    )


def iter_internetaken_te_verwerken(client: OpenKlantClient) -> Iterator[InterneTaak]:
    """Every internetaak ``te_verwerken``, page by page, up to ``internetaken.max_pages``
    pages per call (the rest waits for the next poll)."""
    polling = client.settings.internetaken
    for number in range(1, polling.max_pages + 1):
        found = internetaken_te_verwerken(client, number)
        yield from found.results
        if not found.next:
            return


def read_contactverzoek(
    client: OpenKlantClient, internetaak: InterneTaak | UUID
) -> ContactverzoekInOpenKlant:
    """An internetaak with its klantcontact, betrokkene, digitale adressen, actors and
    onderwerpobjecten, e.g. one KISS wrote, for the hub's mail and reminders."""
    taak = (
        internetaak
        if isinstance(internetaak, InterneTaak)
        else client.internetaken.get(internetaak)
    )
    klantcontact = client.klantcontacten.get(taak.aanleidinggevend_klantcontact.uuid)
    betrokkenen = list(client.betrokkenen.iterate(hadKlantcontact__uuid=klantcontact.uuid))
    betrokkene = next(
        (b for b in betrokkenen if b.rol == ROL_KLANT and b.initiator),
        betrokkenen[0] if betrokkenen else None,
    )
    adressen = (
        list(client.digitale_adressen.iterate(verstrektDoorBetrokkene__uuid=betrokkene.uuid))
        if betrokkene is not None
        else []
    )
    return ContactverzoekInOpenKlant(
        klantcontact=klantcontact,
        internetaak=taak,
        betrokkene=betrokkene,
        digitale_adressen=adressen,
        actoren=[client.actoren.get(ref.uuid) for ref in taak.toegewezen_aan_actoren],
        onderwerpobjecten=list(
            client.onderwerpobjecten.iterate(klantcontact__uuid=klantcontact.uuid)
        ),
    )


# -- the steps -----------------------------------------------------------------------------


def _klantcontact_body(client: OpenKlantClient, verzoek: NieuwContactverzoek) -> dict[str, Any]:
    return {
        "kanaal": verzoek.kanaal,
        "onderwerp": verzoek.onderwerp,
        "inhoud": verzoek.inhoud,
        "indicatieContactGelukt": verzoek.indicatie_contact_gelukt,
        "taal": client.settings.taal,
        "vertrouwelijk": verzoek.vertrouwelijk,
        "plaatsgevondenOp": _moment(verzoek.plaatsgevonden_op).isoformat(),
        "metadata": {client.settings.sleutel_metadata: verzoek.sleutel},
    }


def _create_klantcontact(client: OpenKlantClient, verzoek: NieuwContactverzoek) -> Klantcontact:
    created = client.klantcontacten.create(_klantcontact_body(client, verzoek))
    if sleutel_van(client, created) != verzoek.sleutel:
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
                "voorletters": gegevens.voornaam[:1],
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


def _ensure_internetaak(
    client: OpenKlantClient,
    klantcontact: Klantcontact,
    verzoek: NieuwContactverzoek,
    actoren: Sequence[Actor],
) -> InterneTaak:
    # The klantcontact is the hub's own (its key is in the metadata): a taak on it is ours.
    existing = client.internetaken.iterate(aanleidinggevendKlantcontact__uuid=klantcontact.uuid)
    found = next(existing, None)
    if found is not None:
        return found
    return client.internetaken.create(
        {
            "gevraagdeHandeling": client.settings.gevraagde_handeling,
            "aanleidinggevendKlantcontact": {"uuid": str(klantcontact.uuid)},
            "toegewezenAanActoren": [{"uuid": str(a.uuid)} for a in actoren],
            "toelichting": verzoek.toelichting,
            "status": TE_VERWERKEN,
        }
    )


def _ensure_zaken(
    client: OpenKlantClient, klantcontact: Klantcontact, zaken: Sequence[UUID]
) -> list[Onderwerpobject]:
    codes = client.settings.codes.zaak
    existing = {
        o.onderwerpobjectidentificator.object_id: o
        for o in client.onderwerpobjecten.iterate(klantcontact__uuid=klantcontact.uuid)
        if o.onderwerpobjectidentificator is not None
        and o.onderwerpobjectidentificator.code_objecttype == codes.code_objecttype
    }
    objecten = []
    for zaak in zaken:
        found = existing.get(str(zaak))
        if found is None:
            found = client.onderwerpobjecten.create(
                {
                    "klantcontact": {"uuid": str(klantcontact.uuid)},
                    "wasKlantcontact": None,
                    "onderwerpobjectidentificator": {"objectId": str(zaak), **_codes(codes)},
                }
            )
            existing[str(zaak)] = found
        objecten.append(found)
    return objecten


def _actor(
    client: OpenKlantClient, soort_actor: str, naam: str, object_id: str, codes: Identificatorcodes
) -> Actor:
    wanted = {"objectId": object_id, **_codes(codes)}
    for actor in client.actoren.iterate(
        actoridentificatorObjectId=object_id,
        actoridentificatorCodeObjecttype=codes.code_objecttype,
        actoridentificatorCodeRegister=codes.code_register,
        actoridentificatorCodeSoortObjectId=codes.code_soort_object_id,
    ):
        ident = actor.actoridentificator
        if ident is not None and ident.model_dump(by_alias=True) == wanted:
            return actor
    return client.actoren.create(
        {
            "naam": naam,
            "soortActor": soort_actor,
            "indicatieActief": True,
            "actoridentificator": wanted,
        }
    )


def _codes(codes: Identificatorcodes) -> dict[str, str]:
    return {
        "codeObjecttype": codes.code_objecttype,
        "codeRegister": codes.code_register,
        "codeSoortObjectId": codes.code_soort_object_id,
    }


def _moment(value: datetime) -> datetime:
    """UTC, whole seconds: the exact-match filter on ``plaatsgevondenOp`` then finds what was
    written whatever precision the database keeps."""
    return value.astimezone(UTC).replace(microsecond=0)
