"""Forwarding to a Klantinteracties system of record (Open Klant) through the seam hooks.

The hub keeps its own index either way; when a plugin of the gemeente implements
``kcc_register_klantcontact``, each registration also gets an outbox row that hands the
klantcontact (with its contactverzoek) to that plugin, and every later change (poging,
afhandelen, doorzetten) a row for ``kcc_update_contactverzoek``. A down Open Klant delays
these rows; it never loses them and never fails the request that made them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import hookspecs
from hub.caller import SYSTEM_CALLER
from hub.directory.groep_tables import GroepRow
from hub.directory.lijsten import afdeling_identificatie
from hub.directory.normalize import normalized
from hub.directory.tables import MedewerkerRow
from hub.domain.klantcontacten import (
    Afhandeling,
    Contactnaam,
    DigitaalAdres,
    Onderwerpobjectidentificator,
    Poging,
    PogingUitkomst,
    Rol,
    SoortActor,
    SoortDigitaalAdres,
    Status,
    Urgentie,
    VerzendStatus,
)
from hub.domain.klantcontacten_seam import (
    KlantcontactRegistratie,
    KlantcontactVastgelegd,
    SeamActor,
    SeamBetrokkene,
    SeamContactverzoek,
)
from hub.errors import CapabilityMissing, InvalidRequest
from hub.klantcontacten.outbox import (
    REGISTRATIE,
    WIJZIGING,
    PluginCaller,
    Wacht,
    nieuw,
    register_handler,
)
from hub.klantcontacten.tables import (
    ContactverzoekRij,
    DigitaalAdresRij,
    KlantcontactRij,
    OutboxRij,
    PogingRij,
)
from hub.privacy.settings import privacy_for
from hub.store.db import Store

REGISTER_HOOK = hookspecs.kcc_register_klantcontact
UPDATE_HOOK = hookspecs.kcc_update_contactverzoek


def plan_registratie(
    session: Session,
    plugins: PluginCaller,
    gemeente: str,
    klantcontact_id: str,
    contactverzoek_id: str | None,
) -> list[str]:
    """Queue forwarding of a new klantcontact or contactverzoek, when the gemeente has a system
    of record; in the caller's transaction."""
    names = plugins.enabled(gemeente, REGISTER_HOOK)
    if not names:
        return []
    return [
        nieuw(
            session,
            gemeente=gemeente,
            soort=REGISTRATIE,
            klantcontact_id=klantcontact_id,
            contactverzoek_id=contactverzoek_id,
            plugin=names[0],
        )
    ]


def plan_wijziging(session: Session, plugins: PluginCaller, cv: ContactverzoekRij) -> list[str]:
    """Queue pushing the contactverzoek's new state to the system that holds it."""
    plugin = cv.extern_plugin
    if plugin is None:
        pending = session.scalars(
            select(OutboxRij.plugin).where(
                OutboxRij.contactverzoek_id == cv.id, OutboxRij.soort == REGISTRATIE
            )
        ).first()
        plugin = pending
    if plugin is None or plugin not in plugins.enabled(cv.gemeente, UPDATE_HOOK):
        return []
    return [
        nieuw(
            session,
            gemeente=cv.gemeente,
            soort=WIJZIGING,
            klantcontact_id=cv.klantcontact_id,
            contactverzoek_id=cv.id,
            plugin=plugin,
        )
    ]


def _uit_gids(
    session: Session | None, gemeente: str, medewerker_id: str | None
) -> MedewerkerRow | None:
    """The medewerker's directory entry, for the identifiers a system of record may key its
    actors on (KISS: the account name, or the e-mail address)."""
    if session is None or not medewerker_id:
        return None
    return session.get(MedewerkerRow, (gemeente, medewerker_id))


def _eenheid_identificatie(
    session: Session | None, gemeente: str, afdeling: str | None, groep: str | None
) -> str | None:
    """An afdeling's or groep's identificatie as the Objecten facade publishes it."""
    if groep:
        rij = (
            session.scalars(
                select(GroepRow)
                .where(GroepRow.gemeente == gemeente, GroepRow.naam_norm == normalized(groep))
                .limit(1)
            ).first()
            if session is not None
            else None
        )
        return (rij.identificatie or rij.id) if rij is not None else groep
    if afdeling:
        return afdeling_identificatie(normalized(afdeling)) or None
    return None


def seam_actoren(cv: ContactverzoekRij, session: Session | None = None) -> list[SeamActor]:
    actoren: list[SeamActor] = []
    if cv.medewerker_naam or cv.medewerker_id:
        gids = _uit_gids(session, cv.gemeente, cv.medewerker_id)
        actoren.append(
            SeamActor(
                soort_actor=SoortActor.MEDEWERKER,
                naam=(cv.medewerker_naam or cv.medewerker_email or "medewerker")[:200],
                medewerker_id=cv.medewerker_id,
                account_naam=gids.account_naam[:200] if gids and gids.account_naam else None,
                emailadres=cv.medewerker_email or (gids.email if gids else None),
                afdeling=cv.medewerker_afdeling,
                identificatie=(gids.account_naam or gids.id) if gids else None,
            )
        )
    if cv.afdeling or cv.groep:
        actoren.append(
            SeamActor(
                soort_actor=SoortActor.ORGANISATORISCHE_EENHEID,
                naam=(cv.afdeling or cv.groep or "")[:200],
                afdeling=cv.afdeling,
                groep=cv.groep,
                identificatie=_eenheid_identificatie(session, cv.gemeente, cv.afdeling, cv.groep),
            )
        )
    return actoren


def seam_contactverzoek(session: Session, cv: ContactverzoekRij) -> SeamContactverzoek:
    pogingen = session.scalars(
        select(PogingRij).where(PogingRij.contactverzoek_id == cv.id).order_by(PogingRij.tijdstip)
    ).all()
    return SeamContactverzoek(
        id=cv.id,
        gevraagde_handeling=cv.gevraagde_handeling,
        toelichting=cv.toelichting,
        status=Status(cv.status),
        urgentie=Urgentie(cv.urgentie),
        deadline=cv.deadline,
        toegewezen_aan_actoren=seam_actoren(cv, session),
        toegewezen_op=cv.toegewezen_op,
        afgehandeld_op=cv.afgehandeld_op,
        uitkomst=cv.uitkomst,
        pogingen=[
            Poging(
                id=p.id,
                tijdstip=p.tijdstip,
                door=p.door,
                uitkomst=PogingUitkomst(p.uitkomst),
                toelichting=p.toelichting,
            )
            for p in pogingen
        ],
        extern_id=cv.extern_id,
        extern_url=cv.extern_url,
    )


def _registratie(
    session: Session, plugins: PluginCaller, rij: OutboxRij
) -> KlantcontactRegistratie | None:
    kc = session.get(KlantcontactRij, rij.klantcontact_id)
    if kc is None:
        return None
    cvs = (
        [cv]
        if rij.contactverzoek_id and (cv := session.get(ContactverzoekRij, rij.contactverzoek_id))
        else []
    )
    adressen = session.scalars(
        select(DigitaalAdresRij)
        .where(DigitaalAdresRij.klantcontact_id == kc.id)
        .order_by(DigitaalAdresRij.volgorde)
    ).all()
    betrokkene = None
    if kc.betrokkene_rol is not None:
        bsn = None
        if kc.bsn_versleuteld:
            privacy = privacy_for(plugins.gemeenten[kc.gemeente])
            bsn = privacy.sleutels.versleutelaar().ontsleutel(kc.bsn_versleuteld)
        betrokkene = SeamBetrokkene(
            rol=Rol(kc.betrokkene_rol),
            initiator=bool(kc.betrokkene_initiator),
            contactnaam=Contactnaam.model_validate(kc.contactnaam) if kc.contactnaam else None,
            organisatienaam=kc.organisatienaam,
            burgerservicenummer=bsn,
            digitale_adressen=[
                DigitaalAdres.model_construct(
                    soort_digitaal_adres=SoortDigitaalAdres(a.soort),
                    adres=a.adres,
                    omschrijving=a.omschrijving,
                )
                for a in adressen
            ],
        )
    agent = _uit_gids(session, kc.gemeente, kc.geregistreerd_door_medewerker)
    return KlantcontactRegistratie(
        id=kc.id,
        kanaal=kc.kanaal,
        onderwerp=kc.onderwerp,
        inhoud=kc.inhoud,
        reactie=kc.reactie,
        vertrouwelijk=kc.vertrouwelijk,
        indicatie_contact_gelukt=kc.indicatie_contact_gelukt,
        taal=kc.taal,
        plaatsgevonden_op=kc.plaatsgevonden_op,
        afhandeling=Afhandeling(kc.afhandeling),
        geregistreerd_door=SeamActor(
            soort_actor=SoortActor.MEDEWERKER,
            naam=kc.geregistreerd_door_naam[:200],
            medewerker_id=kc.geregistreerd_door_medewerker,
            account_naam=agent.account_naam[:200] if agent and agent.account_naam else None,
            emailadres=kc.geregistreerd_door
            if "@" in kc.geregistreerd_door
            else (agent.email if agent else None),
        ),
        betrokkene=betrokkene,
        onderwerpobjecten=[
            Onderwerpobjectidentificator.model_validate(o) for o in kc.onderwerpobjecten
        ],
        contactverzoeken=[seam_contactverzoek(session, cv) for cv in cvs],
        extern_id=kc.extern_id,
        extern_url=kc.extern_url,
    )


def registreer(store: Store, plugins: PluginCaller, rij: OutboxRij) -> str | None:
    """Hand the klantcontact (and its contactverzoek) to the system of record; keep its ids."""
    with store.session() as session:
        registratie = _registratie(session, plugins, rij)
    if registratie is None or rij.plugin is None:
        return None  # purged meanwhile
    answer = plugins.call(
        rij.plugin,
        rij.gemeente,
        REGISTER_HOOK,
        caller=SYSTEM_CALLER,
        klantcontact=registratie,
        # One attempt per claim (the lease is not renewed); the row's backoff retries.
        retry=False,
    )
    if not isinstance(answer, KlantcontactVastgelegd):
        raise CapabilityMissing(f"plugin {rij.plugin} legde het klantcontact niet vast")
    with store.session() as session:
        kc = session.get(KlantcontactRij, rij.klantcontact_id)
        if kc is not None and kc.extern_id is None:
            kc.extern_plugin = rij.plugin
            kc.extern_id = answer.klantcontact.extern_id
            kc.extern_url = answer.klantcontact.url
        for cv_id, taak in answer.internetaken.items():
            cv = session.get(ContactverzoekRij, cv_id)
            if cv is not None and cv.klantcontact_id == rij.klantcontact_id:
                cv.extern_plugin = rij.plugin
                cv.extern_id = taak.extern_id
                cv.extern_url = taak.url
    return answer.klantcontact.extern_id


def werk_bij(store: Store, plugins: PluginCaller, rij: OutboxRij) -> str | None:
    """Push the contactverzoek's current state (full, so any order of changes converges)."""
    with store.session() as session:
        cv = (
            session.get(ContactverzoekRij, rij.contactverzoek_id) if rij.contactverzoek_id else None
        )
        if cv is None or rij.plugin is None:
            return None
        if cv.extern_url is None:
            registratie = session.scalars(
                select(OutboxRij.status).where(
                    OutboxRij.contactverzoek_id == cv.id, OutboxRij.soort == REGISTRATIE
                )
            ).first()
            if registratie == VerzendStatus.IN_WACHTRIJ.value:
                raise Wacht("de registratie is nog niet doorgestuurd")
            raise InvalidRequest("het contactverzoek staat niet in het registratiesysteem")
        stand = seam_contactverzoek(session, cv)
    plugins.call(
        rij.plugin,
        rij.gemeente,
        UPDATE_HOOK,
        caller=SYSTEM_CALLER,
        contactverzoek=stand,
        idempotency_key=rij.id,
        # One attempt per claim (the lease is not renewed); the row's backoff retries.
        retry=False,
    )
    return stand.extern_id


register_handler(REGISTRATIE, registreer)
register_handler(WIJZIGING, werk_bij)
