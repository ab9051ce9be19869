"""Klantcontacten and contactverzoeken in the shape of the Klantinteracties API (Open Klant).

Names, enums and length limits are those of ``specs/klantinteracties/openapi.yaml``
(Klantinteracties spec 0.9.0, shipped with Open Klant 2.18), so what the hub accepts can
always be written to Open Klant: text over a limit is a 400 naming the field, for every
backend. What the KCC needs and Open Klant lacks is added under its own names:
``afhandeling``, ``urgentie``, ``deadline``, callback attempts (``pogingen``) and the
outcome (``uitkomst``). A contactverzoek is Open Klant's ``internetaak``.

The second half of this module holds the value types of the Klantinteracties seam
(``kcc_register_klantcontact``, ``kcc_update_contactverzoek`` and the ``internetaken``
sync kind; see ``hub.hookspecs``).
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email
from pydantic import Field, ValidationInfo, field_validator, model_validator

from hub.bsn import is_valid_bsn
from hub.domain.base import ApiModel, DatumTijd
from hub.domain.beschikbaarheid import BeschikbaarheidStatus

KLANTINTERACTIES_VERSIE = "0.9.0"
OPEN_KLANT_VERSIE = "2.18"
STANDAARD_HANDELING = "Contact opnemen met betrokkene"

# The spec's own pattern for a telefoonnummer (DigitaalAdres.adres, Medewerker.telefoonnummer).
TELEFOON_PATROON = re.compile(r"^(0[1-9][0-9]{8}|\+[0-9]{9,15}|00[0-9]{7,13})$")
_TELEFOON_OPMAAK = re.compile(r"[\s\-.()/]")


class Afhandeling(StrEnum):
    """How the contact ended. Not in Open Klant: the hub's own."""

    DIRECT = "direct"
    DOORVERBONDEN = "doorverbonden"
    CONTACTVERZOEK = "contactverzoek"


class Status(StrEnum):
    """Klantinteracties ``StatusEnum`` of an internetaak."""

    TE_VERWERKEN = "te_verwerken"
    VERWERKT = "verwerkt"


class SoortDigitaalAdres(StrEnum):
    EMAIL = "email"
    TELEFOONNUMMER = "telefoonnummer"
    OVERIG = "overig"


class Rol(StrEnum):
    """Klantinteracties ``RolEnum`` of a betrokkene."""

    KLANT = "klant"
    VERTEGENWOORDIGER = "vertegenwoordiger"


class SoortActor(StrEnum):
    MEDEWERKER = "medewerker"
    ORGANISATORISCHE_EENHEID = "organisatorische_eenheid"
    GEAUTOMATISEERDE_ACTOR = "geautomatiseerde_actor"


class Urgentie(StrEnum):
    HOOG = "hoog"
    NORMAAL = "normaal"
    LAAG = "laag"


class PogingUitkomst(StrEnum):
    TERUGGEBELD = "teruggebeld"
    NIET_BEREIKT = "niet_bereikt"
    VOICEMAIL = "voicemail"


class NotificatieSoort(StrEnum):
    TOEWIJZING = "toewijzing"
    HERINNERING = "herinnering"
    ESCALATIE = "escalatie"


class VerzendStatus(StrEnum):
    IN_WACHTRIJ = "in_wachtrij"
    VERZONDEN = "verzonden"
    MISLUKT = "mislukt"


def normaliseer_telefoonnummer(value: str) -> str:
    """Without spaces, dashes, dots, slashes and brackets: ``020-123 4567`` → ``0201234567``."""
    return _TELEFOON_OPMAAK.sub("", value.strip())


# ---------------------------------------------------------------------------------------------
# Input


class Contactnaam(ApiModel):
    """The name the betrokkene wants to be addressed by (Klantinteracties ``Contactnaam``)."""

    voorletters: str | None = Field(default=None, max_length=10)
    voornaam: str | None = Field(default=None, max_length=200)
    voorvoegsel_achternaam: str | None = Field(default=None, max_length=10)
    achternaam: str | None = Field(default=None, max_length=200)

    def volledig(self) -> str:
        parts = [self.voornaam or self.voorletters, self.voorvoegsel_achternaam, self.achternaam]
        return " ".join(p for p in parts if p)


class DigitaalAdres(ApiModel):
    """A phone number or e-mail address the caller gave for the follow-up.

    Phone numbers are stored without formatting characters and must match the spec's pattern
    (``0201234567``, ``+31201234567``, ``0031201234567``); e-mail addresses must be valid.
    Error messages never repeat the value.
    """

    soort_digitaal_adres: SoortDigitaalAdres
    adres: str = Field(min_length=1, max_length=80)
    omschrijving: str | None = Field(default=None, max_length=40)

    @field_validator("adres")
    @classmethod
    def _adres_past_bij_soort(cls, value: str, info: ValidationInfo) -> str:
        soort = info.data.get("soort_digitaal_adres")
        if soort is SoortDigitaalAdres.TELEFOONNUMMER:
            nummer = normaliseer_telefoonnummer(value)
            if not TELEFOON_PATROON.match(nummer):
                raise ValueError(
                    "een telefoonnummer moet lokaal (0201234567) of internationaal "
                    "(+31201234567, 0031201234567) zijn"
                )
            return nummer
        if soort is SoortDigitaalAdres.EMAIL:
            try:
                # test_environment: the ".test" domain of test and demo data is accepted, as Open Klant does.
                checked = validate_email(
                    value.strip(), check_deliverability=False, test_environment=True
                )
            except EmailNotValidError:
                raise ValueError("dit is geen geldig e-mailadres") from None
            return str(checked.normalized)
        return value


class NieuweBetrokkene(ApiModel):
    """The caller (Klantinteracties ``Betrokkene``), optionally identified by BSN.

    The BSN is stored only as a keyed hash plus ciphertext and never shown again; storing it
    writes a logboek record.
    """

    rol: Rol = Rol.KLANT
    initiator: bool = True
    contactnaam: Contactnaam | None = None
    organisatienaam: str | None = Field(default=None, max_length=200)
    burgerservicenummer: str | None = Field(
        default=None,
        min_length=9,
        max_length=9,
        description="BSN van de beller (elfproef). Wordt nooit teruggegeven.",
    )
    digitale_adressen: list[DigitaalAdres] = Field(default_factory=list, max_length=5)

    @field_validator("burgerservicenummer")
    @classmethod
    def _bsn(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_bsn(value):
            # Never echo the value: it may be (a typo of) someone's BSN.
            raise ValueError("het burgerservicenummer is ongeldig (9 cijfers en de elfproef)")
        return value


class Onderwerpobjectidentificator(ApiModel):
    """What the contact was about in another register, e.g. a zaak:
    ``codeObjecttype`` ``zgw-Zaak``, ``codeRegister`` ``openzaak``, ``codeSoortObjectId`` ``uuid``.
    """

    object_id: str = Field(min_length=1, max_length=200)
    code_objecttype: str = Field(min_length=1, max_length=200)
    code_register: str = Field(min_length=1, max_length=200)
    code_soort_object_id: str = Field(min_length=1, max_length=200)


class Toewijzing(ApiModel):
    """To whom a contactverzoek goes: a medewerker, an afdeling or a groep (or a medewerker
    within an afdeling or groep)."""

    medewerker: str | None = Field(
        default=None, max_length=64, description="Id van de medewerker uit de medewerkersgids."
    )
    afdeling: str | None = Field(default=None, min_length=1, max_length=200)
    groep: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _een_ontvanger(self) -> Toewijzing:
        if not (self.medewerker or self.afdeling or self.groep):
            raise ValueError("geef een medewerker, een afdeling of een groep")
        if self.afdeling and self.groep:
            raise ValueError("geef een afdeling of een groep, niet allebei")
        return self


class NieuwContactverzoek(ApiModel):
    """The callback request (Klantinteracties ``InterneTaak``) registered with a klantcontact."""

    gevraagde_handeling: str = Field(
        default=STANDAARD_HANDELING,
        min_length=1,
        max_length=200,
        description="Wat moet er gebeuren.",
    )
    toelichting: str = Field(
        min_length=1, max_length=1000, description="De vraag van de beller en wat al is gezegd."
    )
    toegewezen_aan: Toewijzing
    urgentie: Urgentie = Urgentie.NORMAAL


class NieuwKlantcontact(ApiModel):
    """One contact, registered at the end of the call in one request.

    With ``afhandeling`` ``contactverzoek`` the ``contactverzoek`` is required and stored in the
    same transaction; with ``doorverbonden`` name the medewerker in ``doorverbondenMet``.
    """

    kanaal: str = Field(min_length=1, max_length=50, examples=["telefoon"])
    onderwerp: str = Field(min_length=1, max_length=200)
    inhoud: str | None = Field(default=None, max_length=1000)
    reactie: str | None = Field(default=None, max_length=4000)
    vertrouwelijk: bool = False
    indicatie_contact_gelukt: bool | None = True
    taal: str = Field(default="nld", max_length=3, pattern=r"^[a-z]{3}$")
    plaatsgevonden_op: DatumTijd | None = Field(
        default=None, description="Begin van het contact; standaard het moment van registreren."
    )
    afhandeling: Afhandeling
    doorverbonden_met: str | None = Field(
        default=None, max_length=64, description="Id van de medewerker naar wie is doorverbonden."
    )
    betrokkene: NieuweBetrokkene | None = None
    onderwerpobjecten: list[Onderwerpobjectidentificator] = Field(
        default_factory=list, max_length=10
    )
    contactverzoek: NieuwContactverzoek | None = None
    doel: str | None = Field(
        default=None,
        max_length=64,
        description="Doel van het vastleggen van het BSN; standaard dat van de gemeente.",
    )

    @field_validator("plaatsgevonden_op")
    @classmethod
    def _met_tijdzone(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("geef een tijdstip met tijdzone, bv. 2026-04-24T10:15:00+02:00")
        return value

    @model_validator(mode="after")
    def _afhandeling_compleet(self) -> NieuwKlantcontact:
        if self.afhandeling is Afhandeling.CONTACTVERZOEK and self.contactverzoek is None:
            raise ValueError("bij afhandeling contactverzoek hoort een contactverzoek")
        if self.afhandeling is not Afhandeling.CONTACTVERZOEK and self.contactverzoek is not None:
            raise ValueError("een contactverzoek hoort alleen bij afhandeling contactverzoek")
        if self.doorverbonden_met and self.afhandeling is not Afhandeling.DOORVERBONDEN:
            raise ValueError("doorverbondenMet hoort alleen bij afhandeling doorverbonden")
        return self


class NieuwContactverzoekBijKlantcontact(NieuwContactverzoek):
    """A contactverzoek for a klantcontact registered earlier (Open Klant's
    ``aanleidinggevendKlantcontact``)."""

    klantcontact: str = Field(
        max_length=36,
        pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        description="Id van het klantcontact dat tot dit contactverzoek leidde.",
    )


class NieuwePoging(ApiModel):
    """One attempt to call the caller back."""

    uitkomst: PogingUitkomst
    toelichting: str | None = Field(default=None, max_length=1000)
    tijdstip: DatumTijd | None = Field(default=None, description="Standaard: nu.")

    @field_validator("tijdstip")
    @classmethod
    def _met_tijdzone(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("geef een tijdstip met tijdzone")
        return value


class Afhandelen(ApiModel):
    """Close a contactverzoek with its outcome."""

    uitkomst: str = Field(min_length=1, max_length=1000)


class Doorzetten(ApiModel):
    """Reassign a contactverzoek; the earlier assignment stays in the trail."""

    toegewezen_aan: Toewijzing
    reden: str | None = Field(default=None, max_length=1000)


class BetrokkeneZoekvraag(ApiModel):
    """Find klantcontacten by the caller: BSN, phone number or e-mail address (one of them).

    A search by BSN states a ``doel`` and is written to the logboek.
    """

    burgerservicenummer: str | None = Field(default=None, min_length=9, max_length=9)
    telefoonnummer: str | None = Field(default=None, max_length=80)
    emailadres: str | None = Field(default=None, max_length=80)
    doel: str | None = Field(default=None, max_length=64)
    pagina: int = Field(default=1, ge=1, le=10_000)
    pagina_grootte: int = Field(default=20, ge=1, le=100)

    @field_validator("burgerservicenummer")
    @classmethod
    def _bsn(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_bsn(value):
            raise ValueError("het burgerservicenummer is ongeldig (9 cijfers en de elfproef)")
        return value

    @model_validator(mode="after")
    def _een_kenmerk(self) -> BetrokkeneZoekvraag:
        given = [v for v in (self.burgerservicenummer, self.telefoonnummer, self.emailadres) if v]
        if len(given) != 1:
            raise ValueError("geef precies één van burgerservicenummer, telefoonnummer, emailadres")
        return self


# ---------------------------------------------------------------------------------------------
# Output


class Actor(ApiModel):
    """Someone a contactverzoek is assigned to (Klantinteracties ``Actor``), with the hub's view
    of their availability when it is a medewerker."""

    soort_actor: SoortActor
    naam: str = Field(max_length=200)
    medewerker_id: str | None = Field(default=None, description="Id in de medewerkersgids.")
    afdeling: str | None = None
    groep: str | None = None
    emailadres: str | None = None
    beschikbaarheid: BeschikbaarheidStatus | None = Field(
        default=None, description="Agendastatus van de medewerker, indien bekend."
    )
    afwezigheidstekst: str | None = Field(
        default=None, description="De afwezigheidsmelding, wanneer de medewerker afwezig is."
    )


class Betrokkene(ApiModel):
    """The caller as stored. The BSN is never shown: ``bsnBekend`` says whether one is stored."""

    rol: Rol
    initiator: bool
    contactnaam: Contactnaam | None = None
    organisatienaam: str | None = None
    bsn_bekend: bool = False
    digitale_adressen: list[DigitaalAdres] = Field(default_factory=list)


class Registratie(ApiModel):
    """Where the record is kept besides the hub's own index (Open Klant, when enabled)."""

    systeem: str = Field(description="De plugin van het registratiesysteem, bv. openklant.")
    status: VerzendStatus
    url: str | None = None
    fout: str | None = None


class Klantcontact(ApiModel):
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
    doorverbonden_met: Actor | None = None
    geregistreerd_door: str = Field(description="Wie het contact registreerde (token-subject).")
    geregistreerd_op: datetime
    betrokkene: Betrokkene | None = None
    onderwerpobjecten: list[Onderwerpobjectidentificator] = Field(default_factory=list)
    contactverzoeken: list[str] = Field(
        default_factory=list, description="Ids van de contactverzoeken (leiddeTotInterneTaken)."
    )
    registraties: list[Registratie] = Field(default_factory=list)


class Poging(ApiModel):
    id: str
    tijdstip: datetime
    door: str
    uitkomst: PogingUitkomst
    toelichting: str | None = None


class ToewijzingStap(ApiModel):
    """One step of the trail: who it was assigned to, when, by whom and why."""

    volgnummer: int
    toegewezen_aan_actoren: list[Actor]
    toegewezen_op: datetime
    door: str
    reden: str | None = None


class Notificatie(ApiModel):
    """A mail about the contactverzoek and how far it got."""

    id: str
    soort: NotificatieSoort
    status: VerzendStatus
    aan: list[str]
    aangemaakt_op: datetime
    verzonden_op: datetime | None = None
    pogingen: int
    fout: str | None = None


class Contactverzoek(ApiModel):
    """A callback request (Klantinteracties ``InterneTaak``) with the hub's follow-up."""

    id: str
    klantcontact: str = Field(description="Id van het aanleidinggevende klantcontact.")
    onderwerp: str
    kanaal: str
    gevraagde_handeling: str
    toelichting: str
    status: Status
    urgentie: Urgentie
    toegewezen_aan_actoren: list[Actor]
    toegewezen_op: datetime
    deadline: datetime = Field(description="Uiterlijk terugbellen: einde van de werkdag.")
    te_laat: bool
    afgehandeld_op: datetime | None = None
    uitkomst: str | None = None
    betrokkene: Betrokkene | None = None
    pogingen: list[Poging] = Field(default_factory=list)
    toewijzingen: list[ToewijzingStap] = Field(default_factory=list)
    notificaties: list[Notificatie] = Field(default_factory=list)
    registraties: list[Registratie] = Field(default_factory=list)
    bron: str = Field(description="hub, of de plugin waaruit het contactverzoek is overgenomen.")


class KlantcontactGeregistreerd(Klantcontact):
    """The answer to registering: the klantcontact and, when one was made, its contactverzoek
    (with the assignee's availability and, when absent, their afwezigheidstekst)."""

    contactverzoek: Contactverzoek | None = None


class KlantcontactLijst(ApiModel):
    resultaten: list[Klantcontact]
    pagina: int
    pagina_grootte: int
    totaal: int


class ContactverzoekLijst(ApiModel):
    resultaten: list[Contactverzoek]
    pagina: int
    pagina_grootte: int
    totaal: int
