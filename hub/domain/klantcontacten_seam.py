"""The Klantinteracties seam: what crosses between the hub and a system of record for
klantcontacten (``kcc_register_klantcontact``, ``kcc_sync`` with ``kind="internetaken"``;
see :mod:`hub.hookspecs`). The records the API speaks are :mod:`hub.domain.klantcontacten`.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from hub.domain.base import ApiModel
from hub.domain.klantcontacten import (
    Afhandeling,
    Contactnaam,
    DigitaalAdres,
    Onderwerpobjectidentificator,
    Poging,
    Rol,
    SoortActor,
    Status,
    Urgentie,
)


class ActorIdentificator(ApiModel):
    """Klantinteracties ``Actoridentificator`` (KISS: ``mdw``/``obj``/``idf`` and the like)."""

    object_id: str = Field(max_length=200)
    code_objecttype: str = Field(max_length=200)
    code_register: str = Field(max_length=200)
    code_soort_object_id: str = Field(max_length=200)


class SeamActor(ApiModel):
    """An actor as it crosses the seam: what the hub knows of a medewerker, afdeling or groep."""

    soort_actor: SoortActor
    naam: str = Field(max_length=200)
    # medewerker: the directory id, account name and e-mail; afdeling/groep: the name is the
    # identifier. KISS knows a medewerker by the account name (its Objecten identificatie).
    medewerker_id: str | None = None
    account_naam: str | None = Field(
        default=None, max_length=200, description="The directory's account name (sAMAccountName)."
    )
    emailadres: str | None = None
    afdeling: str | None = None
    groep: str | None = None
    identificatie: str | None = Field(
        default=None,
        max_length=512,
        description="As the hub's Objecten facade publishes it (KISS's idf): a medewerker's "
        "account name, an afdeling's folded name (sociaal-domein), a groep's account name.",
    )
    identificator: ActorIdentificator | None = Field(
        default=None, description="As the system of record identifies the actor, when known."
    )


class SeamContactverzoek(ApiModel):
    """A contactverzoek as handed to the plugin; ``id`` is the hub's, stable across retries."""

    id: str
    gevraagde_handeling: str
    toelichting: str
    status: Status
    urgentie: Urgentie
    deadline: datetime
    toegewezen_aan_actoren: list[SeamActor]
    toegewezen_op: datetime
    afgehandeld_op: datetime | None = None
    uitkomst: str | None = None
    pogingen: list[Poging] = Field(default_factory=list)
    # Set once the system of record holds it (returned by kcc_register_klantcontact or imported).
    extern_id: str | None = None
    extern_url: str | None = None


class SeamBetrokkene(ApiModel):
    rol: Rol
    initiator: bool
    contactnaam: Contactnaam | None = None
    organisatienaam: str | None = None
    burgerservicenummer: str | None = Field(
        default=None, description="Decrypted for the system of record; never log it."
    )
    digitale_adressen: list[DigitaalAdres] = Field(default_factory=list)


class KlantcontactRegistratie(ApiModel):
    """Everything ``kcc_register_klantcontact`` writes. ``id`` is the hub's klantcontact id."""

    id: str
    kanaal: str
    onderwerp: str
    inhoud: str | None = None
    reactie: str | None = None
    vertrouwelijk: bool
    indicatie_contact_gelukt: bool | None = None
    taal: str
    plaatsgevonden_op: datetime
    afhandeling: Afhandeling
    geregistreerd_door: SeamActor
    betrokkene: SeamBetrokkene | None = None
    onderwerpobjecten: list[Onderwerpobjectidentificator] = Field(default_factory=list)
    contactverzoeken: list[SeamContactverzoek] = Field(default_factory=list)
    # Set when an earlier call already created the klantcontact (a contactverzoek added later).
    extern_id: str | None = None
    extern_url: str | None = None


class ExternVastgelegd(ApiModel):
    """One resource in the system of record: its id (uuid) and URL."""

    extern_id: str = Field(max_length=100)
    url: str = Field(max_length=1000)


class KlantcontactVastgelegd(ApiModel):
    """What ``kcc_register_klantcontact`` answers: the klantcontact and each internetaak,
    keyed by the hub's contactverzoek id."""

    klantcontact: ExternVastgelegd
    internetaken: dict[str, ExternVastgelegd] = Field(default_factory=dict)


class ExterneInternetaak(ApiModel):
    """An internetaak as ``kcc_sync`` yields it with ``kind="internetaken"``.

    Full current state, keyed by ``extern_id``. ``kcc_hub_id`` is set when the hub itself
    created it (the plugin recognises its own marker), so the hub links instead of importing
    it a second time.
    """

    systeem: str = Field(max_length=64, description="Your plugin's name (kcc_plugin_info).")
    extern_id: str = Field(max_length=100)
    url: str = Field(max_length=1000)
    kcc_hub_id: str | None = None
    gevraagde_handeling: str = Field(max_length=200)
    toelichting: str | None = Field(default=None, max_length=1000)
    status: Status
    toegewezen_op: datetime
    afgehandeld_op: datetime | None = None
    toegewezen_aan_actoren: list[SeamActor] = Field(default_factory=list)
    # The aanleidinggevend klantcontact, as far as the hub needs it for mail and worklists.
    klantcontact_extern_id: str | None = Field(default=None, max_length=100)
    klantcontact_url: str | None = Field(default=None, max_length=1000)
    kanaal: str = Field(default="onbekend", max_length=50)
    onderwerp: str = Field(default="(geen onderwerp)", max_length=200)
    inhoud: str | None = Field(default=None, max_length=1000)
    plaatsgevonden_op: datetime | None = None
    betrokkene: SeamBetrokkene | None = None
