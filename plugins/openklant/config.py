"""Settings of the openklant plugin (``[plugins.openklant]`` in ``config/gemeenten/<code>.toml``).

Open Klant is the system of record for klantcontacten and contactverzoeken of a gemeente that
runs it. The plugin writes what KISS writes, with KISS's identificator codes as defaults, so
KISS and the hub see each other's contactverzoeken. Plain ``http://`` is only accepted on
loopback (test doubles, a sidecar): callers' phone numbers and e-mail addresses travel in the
bodies.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hub.plugin_sdk import Secret, require_https


def _check_url(value: str) -> str:
    require_https(value)  # the hub's one rule: https, or http on loopback only
    parts = urlsplit(value)
    if parts.query or parts.fragment:
        raise ValueError("the URL must not have a query or fragment")
    return value.rstrip("/")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Identificatorcodes(_Strict):
    """``codeObjecttype`` / ``codeRegister`` / ``codeSoortObjectId`` of one kind of object."""

    code_objecttype: str = Field(min_length=1, max_length=200)
    code_register: str = Field(min_length=1, max_length=200)
    code_soort_object_id: str = Field(min_length=1, max_length=200)

    def velden(self) -> dict[str, str]:
        """The three codes as Open Klant's identificator fields (camelCase)."""
        return {
            "codeObjecttype": self.code_objecttype,
            "codeRegister": self.code_register,
            "codeSoortObjectId": self.code_soort_object_id,
        }


class KissCodes(_Strict):
    """The identificator codes KISS writes (KISS-frontend, Open Klant 2 flow).

    Actors are found by these four values before one is created, so the hub and KISS share one
    actor per medewerker, afdeling and groep only when both use the same codes: change them only
    together with KISS's configuration.
    """

    # The medewerker who registered the contact (KISS: the logged-in user, by e-mail).
    registrerende_medewerker: Identificatorcodes = Identificatorcodes(
        code_objecttype="mdw", code_register="msei", code_soort_object_id="email"
    )
    # A medewerker a contactverzoek is assigned to, by the directory's identificatie.
    medewerker: Identificatorcodes = Identificatorcodes(
        code_objecttype="mdw", code_register="obj", code_soort_object_id="idf"
    )
    # The same, when KISS runs with medewerker e-mail enabled (a medewerker typed by e-mail).
    medewerker_email: Identificatorcodes = Identificatorcodes(
        code_objecttype="mdw", code_register="handmatig", code_soort_object_id="email"
    )
    afdeling: Identificatorcodes = Identificatorcodes(
        code_objecttype="afd", code_register="obj", code_soort_object_id="idf"
    )
    groep: Identificatorcodes = Identificatorcodes(
        code_objecttype="grp", code_register="obj", code_soort_object_id="idf"
    )
    # An onderwerpobject linking the klantcontact to a zaak (objectId: the zaak's uuid).
    zaak: Identificatorcodes = Identificatorcodes(
        code_objecttype="zgw-Zaak", code_register="openzaak", code_soort_object_id="uuid"
    )


class InternetakenPolling(_Strict):
    """Watching Open Klant for internetaken created elsewhere (by KISS).

    Open Klant can notify through the Notificaties API; without one, polling
    ``internetaken?status=te_verwerken`` is what existing tools do. How often is the core's
    scheduler's business: every 120 s by default, or ``[sync] openklant = <seconds>`` in the
    gemeente's file.
    """

    enabled: bool = True
    page_size: int = Field(default=100, ge=1, le=500)
    # Upper bound on pages read per poll; more waits for the next poll.
    max_pages: int = Field(default=20, ge=1, le=1000)


class OpenKlantSettings(_Strict):
    """``[plugins.openklant]``: one Open Klant (Klantinteracties API) per gemeente."""

    base_url: str = Field(
        description="API root of the Klantinteracties API, e.g. "
        "https://openklant.gemeente.nl/klantinteracties/api/v1"
    )
    token: Secret = Field(description="Open Klant API token, sent as 'Authorization: Token …'.")
    connect_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    read_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    page_size: int = Field(default=100, ge=1, le=500)
    max_pages: int = Field(default=50, ge=1, le=1000)
    # KISS's "medewerker e-mail" setting: assigned medewerkers are identified by the directory's
    # identificatie ("idf", the default) or by their e-mail address ("email").
    medewerker_identificatie: Literal["idf", "email"] = "idf"
    # Which of the hub's directory values is the objectId of a medewerker actor ``mdw/obj/idf``.
    # KISS writes the Objecten record's ``identificatie`` there and its BFF looks the medewerker
    # up by it. The hub's Objecten facade for KISS publishes the account name (sAMAccountName)
    # as that identificatie, so "accountnaam" is the default; "id" is the hub's own directory
    # id (AD objectGUID), "email" the e-mail address, for a KISS whose smoelenboek uses those.
    medewerker_object_id: Literal["accountnaam", "id", "email"] = "accountnaam"
    # The objectId of an afdeling actor ``afd/obj/idf``: "slug" is the folded name with hyphens
    # ("Sociaal Domein" -> "sociaal-domein"), as the hub's Objecten facade publishes an
    # afdeling's identificatie; "naam" the afdeling's name as the directory has it.
    afdeling_object_id: Literal["slug", "naam"] = "slug"
    # A callback attempt (poging) is recorded as a klantcontact on this kanaal.
    poging_kanaal: str = Field(default="telefoon", min_length=1, max_length=50)
    gevraagde_handeling: str = Field(
        default="Contact opnemen met betrokkene", min_length=1, max_length=200
    )
    taal: str = Field(default="nld", min_length=3, max_length=3)
    # Key in klantcontact.metadata (Open Klant 2.18+) under which the hub stores the
    # contactverzoek's idempotency key, to find its own klantcontact again on a retry.
    sleutel_metadata: str = Field(default="kccHubSleutel", min_length=1, max_length=100)
    codes: KissCodes = KissCodes()
    internetaken: InternetakenPolling = InternetakenPolling()

    _url = field_validator("base_url")(_check_url)
