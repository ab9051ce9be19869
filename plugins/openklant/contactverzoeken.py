"""Contactverzoeken in Open Klant, written exactly the way KISS writes them.

KISS (KISS-frontend, Open Klant 2 flow) writes, in this order: a klantcontact with its
registering medewerker, betrokkene, digitale adressen and onderwerpobjecten
(:mod:`plugins.openklant.klantcontacten`); the actors the contactverzoek goes to, found by
their identificator or created (:mod:`plugins.openklant.actoren`); and an internetaak
(``gevraagdeHandeling`` "Contact opnemen met betrokkene", status ``te_verwerken``, the question
in ``toelichting``, ``toegewezenAanActoren``).

Open Klant has no idempotency keys, so every step is find-before-create, keyed by the hub's
ids kept in the klantcontact's ``metadata`` (Open Klant 2.18+). A retry after Open Klant
accepted some or all of the writes therefore resumes where the last attempt stopped and never
creates a second resource. ``referentienummer`` is deliberately not used as the key: Open Klant
numbers it itself (the highest number plus one) and people read it aloud.

Two writers with the same key at the same moment could still race; the core runs one job per
key at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_camel

from hub.plugin_sdk import InvalidRequest, NotFound
from plugins.openklant.actoren import (
    dezelfde_toewijzing,
    find_or_create_actor,
    registrerende_actor,
)
from plugins.openklant.client import OpenKlantClient
from plugins.openklant.klantcontacten import (
    ROL_KLANT,
    find_klantcontact,
    sleutel_van,
    taak_marker,
    taken_van,
    write_klantcontact,
    write_poging,
)
from plugins.openklant.models import (
    Actor,
    ContactverzoekInOpenKlant,
    InterneTaak,
    Klantcontact,
    NieuwContactverzoek,
    NieuweInternetaak,
    Page,
    Toewijzing,
    Wijziging,
    open_klant_moment,
)

__all__ = [
    "find_klantcontact",
    "find_or_create_actor",
    "registrerende_actor",
    "sleutel_van",
]

TE_VERWERKEN = "te_verwerken"
VERWERKT = "verwerkt"

M = TypeVar("M", bound=BaseModel)


def valideer(model: type[M], data: Mapping[str, Any], *, prefix: str = "") -> M:
    """Validate what the hub hands over for Open Klant; a value Open Klant would refuse is an
    :class:`~hub.errors.InvalidRequest` naming the field (camelCase, dotted, after
    ``prefix``), before anything is written."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(to_camel(p) if isinstance(p, str) else str(p) for p in first["loc"])
        field = f"{prefix}{field}" if field else prefix.rstrip(".")
        # pydantic's message never quotes the input; the input may be a phone number.
        raise InvalidRequest(
            f"Open Klant neemt dit niet aan: {field}: {first['msg']}",
            field=field,
            code=first["type"],
        ) from None


def nieuw_contactverzoek(data: Mapping[str, Any]) -> NieuwContactverzoek:
    """A :class:`NieuwContactverzoek` from plain data, see :func:`valideer`."""
    return valideer(NieuwContactverzoek, data)


def write_contactverzoek(
    client: OpenKlantClient, verzoek: NieuwContactverzoek
) -> ContactverzoekInOpenKlant:
    """Write (or finish writing) one klantcontact with one contactverzoek; safe to call again
    with the same key."""
    geschreven = write_klantcontact(client, verzoek.als_klantcontact())
    internetaak, actoren = ensure_internetaak(
        client, geschreven.klantcontact, verzoek.als_internetaak()
    )
    return ContactverzoekInOpenKlant(
        # Read back so the answer shows Open Klant's links (betrokkenen, taken, actoren).
        klantcontact=client.klantcontacten.get(geschreven.klantcontact.uuid),
        internetaak=internetaak,
        betrokkene=geschreven.betrokkene,
        digitale_adressen=geschreven.digitale_adressen,
        actoren=actoren,
        onderwerpobjecten=geschreven.onderwerpobjecten,
    )


def ensure_internetaak(
    client: OpenKlantClient, klantcontact: Klantcontact, taak: NieuweInternetaak
) -> tuple[InterneTaak, list[Actor]]:
    """The internetaak for the hub's contactverzoek ``taak.sleutel`` on this klantcontact,
    found or created, with its actors.

    The klantcontact's metadata maps the hub's key to the internetaak once it exists. Between
    the create and that mapping an attempt may stop; the retry then takes the internetaak on
    this klantcontact that no other key claims and that holds the same question, so nothing
    is created twice.
    """
    actoren = [find_or_create_actor(client, t) for t in taak.toegewezen_aan]
    # Fresh: another contactverzoek on the same klantcontact may have changed the metadata.
    klantcontact = client.klantcontacten.get(klantcontact.uuid)
    claimed = taken_van(client, klantcontact)
    found = None
    if taak.sleutel in claimed:
        try:
            found = client.internetaken.get(claimed[taak.sleutel])
        except NotFound:
            found = None  # removed in Open Klant: write it again
    handeling = taak.gevraagde_handeling or client.settings.gevraagde_handeling
    if found is None:
        others = {v for k, v in claimed.items() if k != taak.sleutel}
        found = next(
            (
                t
                for t in client.internetaken.iterate(
                    aanleidinggevendKlantcontact__uuid=klantcontact.uuid
                )
                if str(t.uuid) not in others
                and t.toelichting == taak.toelichting
                and t.gevraagde_handeling == handeling
            ),
            None,
        )
    if found is None:
        found = client.internetaken.create(
            {
                "gevraagdeHandeling": handeling,
                "aanleidinggevendKlantcontact": {"uuid": str(klantcontact.uuid)},
                "toegewezenAanActoren": [{"uuid": str(a.uuid)} for a in actoren],
                "toelichting": taak.toelichting,
                "status": TE_VERWERKEN,
            }
        )
    if claimed.get(taak.sleutel) != str(found.uuid):
        marker = taak_marker(client, taak.sleutel)
        client.klantcontacten.patch(
            klantcontact.uuid, {"metadata": {**klantcontact.metadata, marker: str(found.uuid)}}
        )
    return found, actoren


def werk_bij(client: OpenKlantClient, internetaak: UUID | str, wijziging: Wijziging) -> InterneTaak:
    """Converge an internetaak on the contactverzoek's current state: its actors (only when
    the assignment really changed), ``verwerkt`` with ``afgehandeldOp``, and every poging not
    recorded yet. Safe to repeat, in any order."""
    taak = client.internetaken.get(internetaak)
    body: dict[str, object] = {}
    huidig = [client.actoren.get(ref.uuid) for ref in taak.toegewezen_aan_actoren]
    if not dezelfde_toewijzing(client, huidig, wijziging.toegewezen_aan):
        actoren = [find_or_create_actor(client, t) for t in wijziging.toegewezen_aan]
        body["toegewezenAanActoren"] = [{"uuid": str(a.uuid)} for a in actoren]
    if wijziging.afgehandeld_op is not None and taak.status != VERWERKT:
        body["status"] = VERWERKT
        body["afgehandeldOp"] = open_klant_moment(wijziging.afgehandeld_op).isoformat()
    if body:
        taak = client.internetaken.patch(taak.uuid, body)
    for poging in wijziging.pogingen:
        write_poging(client, taak.aanleidinggevend_klantcontact.uuid, poging)
    return taak


def mark_verwerkt(
    client: OpenKlantClient, internetaak: UUID, afgehandeld_op: datetime
) -> InterneTaak:
    """Close an internetaak: status ``verwerkt`` with ``afgehandeldOp``. Idempotent."""
    return client.internetaken.patch(
        internetaak,
        {"status": VERWERKT, "afgehandeldOp": open_klant_moment(afgehandeld_op).isoformat()},
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
    # Open Klant lists newest first; KISS's order is the e-mail address, then phone numbers.
    adressen.reverse()
    adressen.sort(key=lambda a: a.soort_digitaal_adres != "email")
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
