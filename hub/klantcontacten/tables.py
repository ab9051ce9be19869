"""The hub's own index of klantcontacten and contactverzoeken, kept whatever the system of record.

Open Klant has no date-range filters and filters internetaken by one actor only, so the
worklists, reminders and reports run on these tables, also for a gemeente whose system of
record is Open Klant. Every row carries its ``gemeente``; every child row is deleted with its
klantcontact (retention).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, UtcDateTime

_CASCADE = "CASCADE"


class KlantcontactRij(Base):
    """One contact and its (single) betrokkene. The BSN only as keyed hash and ciphertext."""

    __tablename__ = "klantcontacten"
    __table_args__ = (
        Index("ix_klantcontacten_gemeente_plaatsgevonden_op", "gemeente", "plaatsgevonden_op"),
        Index("ix_klantcontacten_gemeente_bsn_hash", "gemeente", "bsn_hash"),
        Index("ix_klantcontacten_gemeente_extern_id", "gemeente", "extern_id"),
        # The rapportages (hub.rapportages) filter on the local day and count per afhandeling
        # and per grouping: covering, so they never read the wide rows themselves.
        Index(
            "ix_klantcontacten_rapportage",
            "gemeente",
            "dag",
            "afhandeling",
            "kanaal",
            "week",
            "afdeling",
            "geregistreerd_door_medewerker",
            "id",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    gemeente: Mapped[str] = mapped_column(String(4))
    kanaal: Mapped[str] = mapped_column(String(50))
    onderwerp: Mapped[str] = mapped_column(String(200))
    inhoud: Mapped[str | None] = mapped_column(Text, nullable=True)
    reactie: Mapped[str | None] = mapped_column(Text, nullable=True)
    vertrouwelijk: Mapped[bool] = mapped_column(Boolean)
    indicatie_contact_gelukt: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    taal: Mapped[str] = mapped_column(String(3))
    plaatsgevonden_op: Mapped[datetime] = mapped_column(UtcDateTime)
    afhandeling: Mapped[str] = mapped_column(String(16))
    doorverbonden_met: Mapped[dict[str, Any] | None] = mapped_column(
        JSON(none_as_null=True), nullable=True
    )
    geregistreerd_door: Mapped[str] = mapped_column(String(255))
    geregistreerd_door_naam: Mapped[str] = mapped_column(String(255))
    # The registering agent's directory id, when "mij" matched one (filter `medewerker`).
    geregistreerd_door_medewerker: Mapped[str | None] = mapped_column(String(64), nullable=True)
    geregistreerd_op: Mapped[datetime] = mapped_column(UtcDateTime)
    onderwerpobjecten: Mapped[list[Any]] = mapped_column(JSON)
    # The betrokkene (none for an anonymous contact).
    betrokkene_rol: Mapped[str | None] = mapped_column(String(20), nullable=True)
    betrokkene_initiator: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    contactnaam: Mapped[dict[str, Any] | None] = mapped_column(
        JSON(none_as_null=True), nullable=True
    )
    organisatienaam: Mapped[str | None] = mapped_column(String(200), nullable=True)
    bsn_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    bsn_versleuteld: Mapped[str | None] = mapped_column(Text, nullable=True)
    # "hub" for contacts registered here, otherwise the plugin they were imported from.
    bron: Mapped[str] = mapped_column(String(64))
    extern_plugin: Mapped[str | None] = mapped_column(String(64), nullable=True)
    extern_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    extern_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    # For the rapportages, fixed at registration so they group in plain SQL on both databases:
    # the local (Europe/Amsterdam) day and ISO week of plaatsgevonden_op (see kenmerken.py),
    # and the afdeling the question went to (transferred to, or its contactverzoek's).
    dag: Mapped[str | None] = mapped_column(String(10), nullable=True)
    week: Mapped[str | None] = mapped_column(String(8), nullable=True)
    afdeling: Mapped[str | None] = mapped_column(String(512), nullable=True)


class DigitaalAdresRij(Base):
    """A phone number or e-mail address of the betrokkene; ``zoeksleutel`` is its normal form."""

    __tablename__ = "klantcontact_digitale_adressen"
    __table_args__ = (
        Index("ix_klantcontact_digitale_adressen_zoek", "gemeente", "soort", "zoeksleutel"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gemeente: Mapped[str] = mapped_column(String(4))
    klantcontact_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("klantcontacten.id", ondelete=_CASCADE), index=True
    )
    volgorde: Mapped[int] = mapped_column(Integer)
    soort: Mapped[str] = mapped_column(String(20))
    adres: Mapped[str] = mapped_column(String(80))
    omschrijving: Mapped[str | None] = mapped_column(String(40), nullable=True)
    zoeksleutel: Mapped[str] = mapped_column(String(80))


class ContactverzoekRij(Base):
    """A contactverzoek with its current assignment, deadline and outcome."""

    __tablename__ = "contactverzoeken"
    __table_args__ = (
        Index("ix_contactverzoeken_gemeente_status_deadline", "gemeente", "status", "deadline"),
        Index("ix_contactverzoeken_gemeente_medewerker", "gemeente", "medewerker_id"),
        Index("ix_contactverzoeken_gemeente_afdeling", "gemeente", "afdeling_sleutel"),
        Index("ix_contactverzoeken_gemeente_groep", "gemeente", "groep_sleutel"),
        Index("ix_contactverzoeken_status_herinnering_op", "status", "herinnering_op"),
        Index("ix_contactverzoeken_te_plannen", "te_plannen"),
        UniqueConstraint("gemeente", "extern_plugin", "extern_id"),
        # The rapportages join contactverzoeken to their klantcontact and read only these.
        Index(
            "ix_contactverzoeken_rapportage",
            "klantcontact_id",
            "status",
            "te_plannen",
            "deadline",
            "binnen_termijn",
            "doorlooptijd_seconden",
            "doorlooptijd_werkseconden",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    gemeente: Mapped[str] = mapped_column(String(4))
    klantcontact_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("klantcontacten.id", ondelete=_CASCADE), index=True
    )
    gevraagde_handeling: Mapped[str] = mapped_column(String(200))
    toelichting: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    urgentie: Mapped[str] = mapped_column(String(10))
    # The current assignment (the trail is in contactverzoek_toewijzingen).
    medewerker_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    medewerker_naam: Mapped[str | None] = mapped_column(String(512), nullable=True)
    medewerker_email: Mapped[str | None] = mapped_column(String(512), nullable=True)
    # The medewerker's own afdeling: where an escalation goes when no afdeling is assigned.
    medewerker_afdeling: Mapped[str | None] = mapped_column(String(512), nullable=True)
    afdeling: Mapped[str | None] = mapped_column(String(200), nullable=True)
    afdeling_sleutel: Mapped[str | None] = mapped_column(String(200), nullable=True)
    groep: Mapped[str | None] = mapped_column(String(200), nullable=True)
    groep_sleutel: Mapped[str | None] = mapped_column(String(200), nullable=True)
    toegewezen_op: Mapped[datetime] = mapped_column(UtcDateTime)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    # When the reminder is due; cleared once it is planned (so the scan skips this row).
    herinnering_op: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    escalatie_gepland: Mapped[bool] = mapped_column(Boolean, default=False)
    # Imported from the system of record; the planner still has to set its deadline and mail.
    te_plannen: Mapped[bool] = mapped_column(Boolean, default=False)
    afgehandeld_op: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    afgehandeld_door: Mapped[str | None] = mapped_column(String(255), nullable=True)
    uitkomst: Mapped[str | None] = mapped_column(Text, nullable=True)
    aangemaakt_door: Mapped[str] = mapped_column(String(255))
    aangemaakt_op: Mapped[datetime] = mapped_column(UtcDateTime)
    bron: Mapped[str] = mapped_column(String(64))
    extern_plugin: Mapped[str | None] = mapped_column(String(64), nullable=True)
    extern_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    extern_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    # Lead time from the (last) assignment to handling, in seconds, fixed when it is handled
    # (doorlooptijd.py): calendar time, and only the gemeente's working hours on working days.
    doorlooptijd_seconden: Mapped[int | None] = mapped_column(Integer, nullable=True)
    doorlooptijd_werkseconden: Mapped[int | None] = mapped_column(Integer, nullable=True)
    binnen_termijn: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class PogingRij(Base):
    __tablename__ = "contactverzoek_pogingen"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    gemeente: Mapped[str] = mapped_column(String(4))
    contactverzoek_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("contactverzoeken.id", ondelete=_CASCADE), index=True
    )
    tijdstip: Mapped[datetime] = mapped_column(UtcDateTime)
    door: Mapped[str] = mapped_column(String(255))
    uitkomst: Mapped[str] = mapped_column(String(20))
    toelichting: Mapped[str | None] = mapped_column(Text, nullable=True)


class ToewijzingRij(Base):
    """One step of a contactverzoek's assignment trail; the first is the original routing."""

    __tablename__ = "contactverzoek_toewijzingen"
    __table_args__ = (UniqueConstraint("contactverzoek_id", "volgnummer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gemeente: Mapped[str] = mapped_column(String(4))
    contactverzoek_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("contactverzoeken.id", ondelete=_CASCADE)
    )
    volgnummer: Mapped[int] = mapped_column(Integer)
    actoren: Mapped[list[Any]] = mapped_column(JSON)
    toegewezen_op: Mapped[datetime] = mapped_column(UtcDateTime)
    door: Mapped[str] = mapped_column(String(255))
    reden: Mapped[str | None] = mapped_column(Text, nullable=True)


class OutboxRij(Base):
    """Work to do after a commit: a mail, or forwarding to the system of record.

    ``soort`` is ``mail`` (``mail_soort`` toewijzing/herinnering/escalatie, ``ontvangers``
    fixed when queued), ``registratie`` (kcc_register_klantcontact) or ``wijziging``
    (kcc_update_contactverzoek). ``id`` is the notification id / the idempotency key the plugin
    gets. ``uniek`` makes a reminder or escalation exist once per contactverzoek, whoever
    plans it.
    """

    __tablename__ = "klantcontacten_outbox"
    __table_args__ = (
        UniqueConstraint("gemeente", "uniek"),
        Index("ix_klantcontacten_outbox_status_volgende", "status", "volgende_poging_op"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    gemeente: Mapped[str] = mapped_column(String(4))
    soort: Mapped[str] = mapped_column(String(16))
    klantcontact_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("klantcontacten.id", ondelete=_CASCADE), index=True
    )
    contactverzoek_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("contactverzoeken.id", ondelete=_CASCADE), nullable=True, index=True
    )
    mail_soort: Mapped[str | None] = mapped_column(String(16), nullable=True)
    ontvangers: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    plugin: Mapped[str | None] = mapped_column(String(64), nullable=True)
    uniek: Mapped[str | None] = mapped_column(String(100), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    aangemaakt_op: Mapped[datetime] = mapped_column(UtcDateTime)
    verwerkt_op: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    pogingen: Mapped[int] = mapped_column(Integer, default=0)
    volgende_poging_op: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # A worker holds the row until then; a crashed worker's claim runs out within a minute.
    geclaimd_tot: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    laatste_fout: Mapped[str | None] = mapped_column(Text, nullable=True)
    extern_id: Mapped[str | None] = mapped_column(String(255), nullable=True)


class IdempotentieRij(Base):
    """A POST's Idempotency-Key with the answer it got: a repeat gets the same answer back."""

    __tablename__ = "klantcontacten_idempotentie"
    __table_args__ = (UniqueConstraint("gemeente", "sleutel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gemeente: Mapped[str] = mapped_column(String(4))
    sleutel: Mapped[str] = mapped_column(String(255))
    # sha256 of operation, target, caller and canonical body: another body is refused (409).
    vingerafdruk: Mapped[str] = mapped_column(String(64))
    klantcontact_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("klantcontacten.id", ondelete=_CASCADE), index=True
    )
    status_code: Mapped[int] = mapped_column(Integer)
    antwoord: Mapped[dict[str, Any]] = mapped_column(JSON)
    aangemaakt_op: Mapped[datetime] = mapped_column(UtcDateTime)
