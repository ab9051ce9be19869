"""Typed shapes of the Klantinteracties API (spec 0.9.0, Open Klant 2.18) and of the hub's
contactverzoek as the plugin writes it.

Resources read from Open Klant ignore fields this version does not know, so a newer Open Klant
does not break the hub. Names follow the spec (camelCase on the wire, snake_case here).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Generic, Literal, TypeVar
from uuid import UUID

from email_validator import EmailNotValidError, validate_email
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

# Limits of the Klantinteracties API 0.9.0 (maxLength in the spec).
KANAAL_MAX = 50
ONDERWERP_MAX = 200
INHOUD_MAX = 1000
REACTIE_MAX = 4000
GEVRAAGDE_HANDELING_MAX = 200
IDENTIFICATOR_MAX = 200
TOELICHTING_MAX = 1000
NAAM_MAX = 200
VOORLETTERS_MAX = 10
VOORVOEGSEL_MAX = 10
ORGANISATIENAAM_MAX = 200
ADRES_MAX = 80
OMSCHRIJVING_ADRES_MAX = 40
METADATA_WAARDE_MAX = 255
# Open Klant's own check of a telefoonnummer (spec: DigitaalAdres.adres description).
TELEFOONNUMMER = re.compile(r"^(0[1-9][0-9]{8}|\+[0-9]{9,15}|00[0-9]{7,13})$")

Soort = Literal["medewerker", "afdeling", "groep"]
SoortActor = Literal["medewerker", "organisatorische_eenheid", "geautomatiseerde_actor"]
Taakstatus = Literal["te_verwerken", "verwerkt"]


class _Resource(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )


class Ref(_Resource):
    """A foreign key as Open Klant writes it: ``{uuid, url}``."""

    uuid: UUID
    url: str = ""


class Identificator(_Resource):
    """Actoridentificator / Onderwerpobjectidentificator."""

    object_id: str = ""
    code_objecttype: str = ""
    code_register: str = ""
    code_soort_object_id: str = ""


class Actor(_Resource):
    uuid: UUID
    url: str
    naam: str
    soort_actor: str
    indicatie_actief: bool = True
    actoridentificator: Identificator | None = None


class Klantcontact(_Resource):
    uuid: UUID
    url: str
    referentienummer: str | None = None
    kanaal: str
    onderwerp: str
    inhoud: str = ""
    indicatie_contact_gelukt: bool | None = None
    taal: str = ""
    vertrouwelijk: bool = False
    plaatsgevonden_op: datetime | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    had_betrokkenen: list[Ref] = Field(default_factory=list)
    leidde_tot_interne_taken: list[Ref] = Field(default_factory=list)
    ging_over_onderwerpobjecten: list[Ref] = Field(default_factory=list)
    had_betrokken_actoren: list[Actor] = Field(default_factory=list)


class Contactnaam(_Resource):
    voorletters: str = ""
    voornaam: str = ""
    voorvoegsel_achternaam: str = ""
    achternaam: str = ""


class Betrokkene(_Resource):
    uuid: UUID
    url: str
    had_klantcontact: Ref
    digitale_adressen: list[Ref] = Field(default_factory=list)
    contactnaam: Contactnaam | None = None
    volledige_naam: str = ""
    rol: str
    organisatienaam: str = ""
    initiator: bool = False


class DigitaalAdres(_Resource):
    uuid: UUID
    url: str
    verstrekt_door_betrokkene: Ref | None = None
    adres: str
    soort_digitaal_adres: str
    omschrijving: str = ""


class InterneTaak(_Resource):
    uuid: UUID
    url: str
    referentienummer: str | None = None
    gevraagde_handeling: str
    aanleidinggevend_klantcontact: Ref
    toegewezen_aan_actoren: list[Ref] = Field(default_factory=list)
    toelichting: str = ""
    status: Taakstatus
    toegewezen_op: datetime | None = None
    afgehandeld_op: datetime | None = None


class Onderwerpobject(_Resource):
    uuid: UUID
    url: str
    klantcontact: Ref | None = None
    was_klantcontact: Ref | None = None
    onderwerpobjectidentificator: Identificator | None = None


class ActorKlantcontact(_Resource):
    uuid: UUID
    url: str
    actor: Ref
    klantcontact: Ref


T = TypeVar("T", bound=_Resource)


class Page(BaseModel, Generic[T]):
    """One page of a list: ``{count, next, previous, results}``."""

    model_config = ConfigDict(frozen=True)

    count: int
    next: str | None = None
    previous: str | None = None
    results: list[T]


# -- what the hub hands the plugin ---------------------------------------------------------


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Toewijzing(_Input):
    """Who a contactverzoek is assigned to: a medewerker, an afdeling or a groep.

    ``identificatie`` is the actor's ``objectId`` (KISS: the Objecten record's
    ``identificatie``); ``email`` identifies a medewerker when the gemeente runs KISS with
    medewerker e-mail (``medewerker_identificatie = "email"``), or when the hub knows a
    medewerker only by e-mail (``per_email``).
    """

    soort: Soort
    identificatie: str = Field(min_length=1, max_length=IDENTIFICATOR_MAX)
    naam: str = Field(min_length=1, max_length=NAAM_MAX)
    email: str | None = Field(default=None, max_length=200)
    per_email: bool = False


class Medewerker(_Input):
    """The medewerker who registered the contact (KISS: the logged-in user)."""

    email: str = Field(min_length=3, max_length=200)
    naam: str = Field(min_length=1, max_length=NAAM_MAX)


class Telefoonnummer(_Input):
    nummer: str
    omschrijving: str = Field(default="telefoonnummer", max_length=OMSCHRIJVING_ADRES_MAX)

    @field_validator("nummer")
    @classmethod
    def _open_klant_form(cls, value: str) -> str:
        # Callers dictate numbers with spaces and dashes; Open Klant stores digits only. The
        # message never repeats the number: it is person data.
        compact = re.sub(r"[\s\-().]", "", value)
        if not TELEFOONNUMMER.match(compact):
            raise ValueError("geen telefoonnummer zoals Open Klant het aanneemt")
        return compact


class Terugbelgegevens(_Input):
    """The caller as the betrokkene of the klantcontact, with their digitale adressen."""

    voornaam: str = Field(default="", max_length=NAAM_MAX)
    voorletters: str | None = Field(default=None, max_length=VOORLETTERS_MAX)
    voorvoegsel_achternaam: str = Field(default="", max_length=VOORVOEGSEL_MAX)
    achternaam: str = Field(default="", max_length=NAAM_MAX)
    organisatienaam: str = Field(default="", max_length=ORGANISATIENAAM_MAX)
    email: str | None = Field(default=None, max_length=ADRES_MAX)
    telefoonnummers: list[Telefoonnummer] = Field(default_factory=list, max_length=2)

    @field_validator("email")
    @classmethod
    def _open_klant_email(cls, value: str | None) -> str | None:
        # Open Klant checks an e-mail address as Django does; refusing it here keeps a
        # contactverzoek from stopping halfway. The message never repeats the address.
        if value is None:
            return None
        try:
            validate_email(value, check_deliverability=False, test_environment=True)
        except EmailNotValidError:
            raise ValueError("geen e-mailadres zoals Open Klant het aanneemt") from None
        return value


class Onderwerp(_Input):
    """An onderwerpobjectidentificator: what the klantcontact was about in another register."""

    object_id: str = Field(min_length=1, max_length=IDENTIFICATOR_MAX)
    code_objecttype: str = Field(min_length=1, max_length=IDENTIFICATOR_MAX)
    code_register: str = Field(min_length=1, max_length=IDENTIFICATOR_MAX)
    code_soort_object_id: str = Field(min_length=1, max_length=IDENTIFICATOR_MAX)

    def velden(self) -> dict[str, str]:
        return {
            "objectId": self.object_id,
            "codeObjecttype": self.code_objecttype,
            "codeRegister": self.code_register,
            "codeSoortObjectId": self.code_soort_object_id,
        }


class NieuwKlantcontact(_Input):
    """A klantcontact as the hub hands it to the plugin (with or without a contactverzoek).

    ``sleutel`` is the hub's stable key for it (the hub's klantcontact id): a retry with the
    same key resumes the write and never creates a second resource. ``betrokkene`` None: an
    anonymous contact, written without a betrokkene.
    """

    sleutel: str = Field(min_length=1, max_length=METADATA_WAARDE_MAX)
    kanaal: str = Field(min_length=1, max_length=KANAAL_MAX)
    onderwerp: str = Field(min_length=1, max_length=ONDERWERP_MAX)
    inhoud: str = Field(default="", max_length=INHOUD_MAX)
    reactie: str = Field(default="", max_length=REACTIE_MAX)
    # None: the plugin's ``taal`` setting.
    taal: str | None = Field(default=None, pattern=r"^[a-z]{3}$")
    plaatsgevonden_op: AwareDatetime
    vertrouwelijk: bool = False
    indicatie_contact_gelukt: bool | None = True
    betrokkene: Terugbelgegevens | None = Terugbelgegevens()
    geregistreerd_door: Medewerker | None = None
    zaken: list[UUID] = Field(default_factory=list, max_length=20)
    onderwerpobjecten: list[Onderwerp] = Field(default_factory=list, max_length=20)


class NieuweInternetaak(_Input):
    """One contactverzoek on a klantcontact: an internetaak. ``sleutel`` is the hub's stable
    key for it (the hub's contactverzoek id)."""

    sleutel: str = Field(min_length=1, max_length=METADATA_WAARDE_MAX)
    # None: the plugin's ``gevraagde_handeling`` setting (KISS's text).
    gevraagde_handeling: str | None = Field(default=None, max_length=GEVRAAGDE_HANDELING_MAX)
    toelichting: str = Field(default="", max_length=TOELICHTING_MAX)
    toegewezen_aan: list[Toewijzing] = Field(min_length=1, max_length=10)


class NieuwContactverzoek(NieuwKlantcontact):
    """A klantcontact ending in one contactverzoek, written under one key."""

    toelichting: str = Field(default="", max_length=TOELICHTING_MAX)
    toegewezen_aan: list[Toewijzing] = Field(min_length=1, max_length=10)

    def als_klantcontact(self) -> NieuwKlantcontact:
        fields = set(NieuwKlantcontact.model_fields)
        return NieuwKlantcontact.model_validate(self.model_dump(include=fields))

    def als_internetaak(self) -> NieuweInternetaak:
        return NieuweInternetaak(
            sleutel=self.sleutel, toelichting=self.toelichting, toegewezen_aan=self.toegewezen_aan
        )


class Terugbelpoging(_Input):
    """One attempt to call the caller back, recorded as a klantcontact about the original one.

    ``sleutel`` is the hub's stable id of the poging.
    """

    sleutel: str = Field(min_length=1, max_length=METADATA_WAARDE_MAX)
    tijdstip: AwareDatetime
    gelukt: bool
    onderwerp: str = Field(min_length=1, max_length=ONDERWERP_MAX)
    inhoud: str = Field(default="", max_length=INHOUD_MAX)


class Wijziging(_Input):
    """A contactverzoek's full current state, to converge an internetaak on.

    ``afgehandeld_op`` set: the internetaak is ``verwerkt``. The hub never reopens a
    contactverzoek, so None never turns a ``verwerkt`` internetaak back.
    """

    toegewezen_aan: list[Toewijzing] = Field(min_length=1, max_length=10)
    afgehandeld_op: AwareDatetime | None = None
    pogingen: list[Terugbelpoging] = Field(default_factory=list, max_length=100)


def open_klant_moment(value: datetime) -> datetime:
    """UTC, whole seconds: the exact-match filter on ``plaatsgevondenOp`` then finds what was
    written whatever precision the database keeps."""
    return value.astimezone(UTC).replace(microsecond=0)


class ContactverzoekInOpenKlant(BaseModel):
    """Everything Open Klant holds for one contactverzoek, as written or as read back."""

    model_config = ConfigDict(frozen=True)

    klantcontact: Klantcontact
    internetaak: InterneTaak
    betrokkene: Betrokkene | None = None
    digitale_adressen: list[DigitaalAdres] = Field(default_factory=list)
    actoren: list[Actor] = Field(default_factory=list)
    onderwerpobjecten: list[Onderwerpobject] = Field(default_factory=list)
