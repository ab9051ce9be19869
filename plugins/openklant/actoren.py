"""Actors in Open Klant, found or created with KISS's identificator codes.

Actors are shared between KISS and the hub: a medewerker, afdeling or groep has one actor,
found by its four identificator values (``objectId`` and the three codes) before one is
created. Which codes and which ``objectId`` the hub uses is configuration (``codes``,
``medewerker_identificatie``; the values come from :mod:`plugins.openklant.mapping`).
"""

from __future__ import annotations

from collections.abc import Sequence

from hub.plugin_sdk import InvalidRequest
from plugins.openklant.client import OpenKlantClient
from plugins.openklant.config import Identificatorcodes
from plugins.openklant.models import Actor, Medewerker, Toewijzing

MEDEWERKER = "medewerker"
ORGANISATORISCHE_EENHEID = "organisatorische_eenheid"


def codes_voor(client: OpenKlantClient, toewijzing: Toewijzing) -> Identificatorcodes:
    """The identificator codes an actor for this toewijzing gets."""
    codes = client.settings.codes
    if toewijzing.soort == "medewerker":
        if client.settings.medewerker_identificatie == "email" or toewijzing.per_email:
            return codes.medewerker_email
        return codes.medewerker
    return codes.afdeling if toewijzing.soort == "afdeling" else codes.groep


def object_id_voor(client: OpenKlantClient, toewijzing: Toewijzing) -> str:
    """The ``objectId`` an actor for this toewijzing gets."""
    if toewijzing.soort == "medewerker" and (
        client.settings.medewerker_identificatie == "email" or toewijzing.per_email
    ):
        if not toewijzing.email:
            raise InvalidRequest(
                "Deze gemeente wijst medewerkers in Open Klant toe op e-mailadres",
                field="toegewezenAan.email",
                code="required",
            )
        return toewijzing.email
    return toewijzing.identificatie


def soort_actor_voor(toewijzing: Toewijzing) -> str:
    return MEDEWERKER if toewijzing.soort == "medewerker" else ORGANISATORISCHE_EENHEID


def find_or_create_actor(client: OpenKlantClient, toewijzing: Toewijzing) -> Actor:
    """The actor for a medewerker, afdeling or groep, with KISS's identificator codes."""
    return _actor(
        client,
        soort_actor_voor(toewijzing),
        toewijzing.naam,
        object_id_voor(client, toewijzing),
        codes_voor(client, toewijzing),
    )


def registrerende_actor(client: OpenKlantClient, medewerker: Medewerker) -> Actor:
    """The actor of the medewerker who registered a contact (KISS: ``mdw``/``msei``/``email``)."""
    codes = client.settings.codes.registrerende_medewerker
    return _actor(client, MEDEWERKER, medewerker.naam, medewerker.email, codes)


def dezelfde_toewijzing(
    client: OpenKlantClient, huidig: Sequence[Actor], gewenst: Sequence[Toewijzing]
) -> bool:
    """Whether the actors an internetaak has are the ones wanted, in any order.

    An actor matches by its identificator, or by soort and name: an internetaak written
    elsewhere (KISS) may know an afdeling by another ``objectId`` than the hub would write, and
    must not be reassigned just because the hub pushed a poging.
    """
    if len(huidig) != len(gewenst):
        return False
    for toewijzing in gewenst:
        wanted = {"objectId": object_id_voor(client, toewijzing)} | codes_voor(
            client, toewijzing
        ).velden()
        soort = soort_actor_voor(toewijzing)
        if not any(
            (a.actoridentificator is not None and _identificator(a) == wanted)
            or (a.soort_actor == soort and a.naam.casefold() == toewijzing.naam.casefold())
            for a in huidig
        ):
            return False
    return True


def _identificator(actor: Actor) -> dict[str, str]:
    assert actor.actoridentificator is not None
    return actor.actoridentificator.model_dump(by_alias=True)


def _actor(
    client: OpenKlantClient, soort_actor: str, naam: str, object_id: str, codes: Identificatorcodes
) -> Actor:
    wanted = {"objectId": object_id, **codes.velden()}
    for actor in client.actoren.iterate(
        actoridentificatorObjectId=object_id,
        actoridentificatorCodeObjecttype=codes.code_objecttype,
        actoridentificatorCodeRegister=codes.code_register,
        actoridentificatorCodeSoortObjectId=codes.code_soort_object_id,
    ):
        if actor.actoridentificator is not None and _identificator(actor) == wanted:
            return actor
    return client.actoren.create(
        {
            "naam": naam,
            "soortActor": soort_actor,
            "indicatieActief": True,
            "actoridentificator": wanted,
        }
    )
