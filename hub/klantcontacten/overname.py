"""Internetaken created elsewhere (e.g. by KISS in Open Klant), taken into the hub's index.

A plugin yields them from ``kcc_sync`` as ``SyncBatch(kind="internetaken")`` of
:class:`~hub.domain.klantcontacten_seam.ExterneInternetaak`, full state each time. This sink
stores a new one as a contactverzoek (``bron`` the plugin) marked ``te_plannen``: the
reminder planner, which knows the gemeente's configuration, then sets its deadline and queues
its mail, so it gets the hub's mail, reminders and worklists like one registered here. A
known one (by its external id, or by ``kccHubId`` for one the hub forwarded itself) only
follows the upstream's status: handled there is handled here.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain.klantcontacten import SoortActor, Status
from hub.domain.klantcontacten_seam import ExterneInternetaak
from hub.klantcontacten import kalender, routering
from hub.klantcontacten.registratie import zoeksleutel
from hub.klantcontacten.tables import (
    ContactverzoekRij,
    DigitaalAdresRij,
    KlantcontactRij,
    ToewijzingRij,
)
from hub.klantcontacten.weergave import actor_json
from hub.plugin_api import SyncBatch
from hub.sync.sinks import Sink

KIND = "internetaken"


def _volg_status(cv: ContactverzoekRij, taak: ExterneInternetaak, moment: datetime) -> None:
    if taak.status is Status.VERWERKT and cv.status == Status.TE_VERWERKEN.value:
        cv.status = Status.VERWERKT.value
        cv.afgehandeld_op = taak.afgehandeld_op or moment
        cv.afgehandeld_door = cv.extern_plugin or "extern"
        cv.herinnering_op = None


def _klantcontact(session: Session, gemeente: str, taak: ExterneInternetaak) -> KlantcontactRij:
    if taak.klantcontact_extern_id:
        bestaand = session.scalars(
            select(KlantcontactRij).where(
                KlantcontactRij.gemeente == gemeente,
                KlantcontactRij.extern_plugin == taak.systeem,
                KlantcontactRij.extern_id == taak.klantcontact_extern_id,
            )
        ).first()
        if bestaand is not None:
            return bestaand
    b = taak.betrokkene
    moment_ = taak.plaatsgevonden_op or taak.toegewezen_op
    kc = KlantcontactRij(
        id=str(uuid.uuid4()),
        gemeente=gemeente,
        kanaal=taak.kanaal,
        onderwerp=taak.onderwerp,
        inhoud=taak.inhoud,
        vertrouwelijk=False,
        taal="nld",
        plaatsgevonden_op=moment_,
        dag=kalender.dag(moment_),
        week=kalender.week(moment_),
        afhandeling="contactverzoek",
        geregistreerd_door=taak.systeem,
        geregistreerd_door_naam=taak.systeem,
        geregistreerd_op=taak.toegewezen_op,
        onderwerpobjecten=[],
        betrokkene_rol=b.rol.value if b else None,
        betrokkene_initiator=b.initiator if b else None,
        contactnaam=b.contactnaam.model_dump(mode="json", by_alias=True, exclude_none=True)
        if b and b.contactnaam
        else None,
        organisatienaam=b.organisatienaam if b else None,
        # A BSN from elsewhere is not copied into the hub: Open Klant keeps it.
        bron=taak.systeem,
        extern_plugin=taak.systeem,
        extern_id=taak.klantcontact_extern_id,
        extern_url=taak.klantcontact_url,
    )
    session.add(kc)
    session.flush()
    for volgorde, adres in enumerate(b.digitale_adressen if b else []):
        session.add(
            DigitaalAdresRij(
                gemeente=gemeente,
                klantcontact_id=kc.id,
                volgorde=volgorde,
                soort=adres.soort_digitaal_adres.value,
                adres=adres.adres,
                omschrijving=adres.omschrijving,
                zoeksleutel=zoeksleutel(adres.soort_digitaal_adres, adres.adres),
            )
        )
    return kc


def _nieuw(session: Session, gemeente: str, taak: ExterneInternetaak, moment: datetime) -> None:
    kc = _klantcontact(session, gemeente, taak)
    medewerker = None
    afdeling = groep = None
    for actor in taak.toegewezen_aan_actoren:
        if actor.soort_actor is SoortActor.MEDEWERKER and medewerker is None:
            waarde = actor.medewerker_id or actor.emailadres
            gevonden = routering.zoek_medewerker(session, gemeente, waarde) if waarde else None
            medewerker = (
                gevonden.id if gevonden else None,
                gevonden.weergavenaam if gevonden else actor.naam,
                (gevonden.email if gevonden else None) or actor.emailadres,
                gevonden.afdeling if gevonden else actor.afdeling,
            )
        elif actor.soort_actor is SoortActor.ORGANISATORISCHE_EENHEID:
            if actor.groep:
                groep = actor.groep
            else:
                afdeling = actor.afdeling or actor.naam
    m_id, m_naam, m_email, m_afdeling = medewerker or (None, None, None, None)
    open_ = taak.status is Status.TE_VERWERKEN
    cv = ContactverzoekRij(
        id=str(uuid.uuid4()),
        gemeente=gemeente,
        klantcontact_id=kc.id,
        gevraagde_handeling=taak.gevraagde_handeling,
        toelichting=taak.toelichting or "",
        status=taak.status.value,
        urgentie="normaal",
        medewerker_id=m_id,
        medewerker_naam=m_naam,
        medewerker_email=m_email,
        medewerker_afdeling=m_afdeling,
        afdeling=afdeling,
        afdeling_sleutel=routering.sleutel(afdeling),
        groep=groep,
        groep_sleutel=routering.sleutel(groep),
        toegewezen_op=taak.toegewezen_op,
        # Set properly by the planner, with the gemeente's working days.
        deadline=taak.toegewezen_op,
        herinnering_op=None,
        escalatie_gepland=not open_,
        te_plannen=open_,
        afgehandeld_op=taak.afgehandeld_op if not open_ else None,
        afgehandeld_door=taak.systeem if not open_ else None,
        aangemaakt_door=taak.systeem,
        aangemaakt_op=moment,
        bron=taak.systeem,
        extern_plugin=taak.systeem,
        extern_id=taak.extern_id,
        extern_url=taak.url,
    )
    session.add(cv)
    if kc.afdeling is None:
        kc.afdeling = afdeling or m_afdeling
    session.flush()
    session.add(
        ToewijzingRij(
            gemeente=gemeente,
            contactverzoek_id=cv.id,
            volgnummer=1,
            actoren=actor_json(
                medewerker_id=m_id,
                medewerker_naam=m_naam,
                medewerker_email=m_email,
                medewerker_afdeling=m_afdeling,
                afdeling=afdeling,
                groep=groep,
            ),
            toegewezen_op=taak.toegewezen_op,
            door=taak.systeem,
        )
    )


def neem_over(session: Session, gemeente: str, taak: ExterneInternetaak, moment: datetime) -> None:
    """Store one internetaak from the system of record (idempotent: full state, stable id)."""
    if taak.kcc_hub_id:
        eigen = session.get(ContactverzoekRij, taak.kcc_hub_id)
        if eigen is not None and eigen.gemeente == gemeente:
            if eigen.extern_id is None:
                eigen.extern_plugin, eigen.extern_id = taak.systeem, taak.extern_id
                eigen.extern_url = taak.url
            _volg_status(eigen, taak, moment)
            return
    bekend = session.scalars(
        select(ContactverzoekRij).where(
            ContactverzoekRij.gemeente == gemeente,
            ContactverzoekRij.extern_plugin == taak.systeem,
            ContactverzoekRij.extern_id == taak.extern_id,
        )
    ).first()
    if bekend is not None:
        _volg_status(bekend, taak, moment)
        return
    _nieuw(session, gemeente, taak, moment)


def apply_batch(session: Session, gemeente: str, batch: SyncBatch, run_started: datetime) -> int:
    for record in batch.upserts:
        taak = (
            record
            if isinstance(record, ExterneInternetaak)
            else ExterneInternetaak.model_validate(record.model_dump())
        )
        neem_over(session, gemeente, taak, run_started)
    # An internetaak removed upstream stays in the hub's index: its history is the KCC's too.
    return len(batch.upserts)


SINK = Sink(kind=KIND, apply=apply_batch)
