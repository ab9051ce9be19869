"""Stored rows as the API shows them, loaded in bulk (one query per kind of child, not per row)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.beschikbaarheid import Opgeslagen, latest
from hub.domain.beschikbaarheid import BeschikbaarheidStatus
from hub.domain.klantcontacten import (
    Actor,
    Afhandeling,
    Betrokkene,
    Contactnaam,
    Contactverzoek,
    DigitaalAdres,
    Klantcontact,
    Notificatie,
    NotificatieSoort,
    Onderwerpobjectidentificator,
    Poging,
    PogingUitkomst,
    Registratie,
    Rol,
    SoortActor,
    SoortDigitaalAdres,
    Status,
    ToewijzingStap,
    Urgentie,
    VerzendStatus,
)
from hub.klantcontacten.outbox import MAIL, REGISTRATIE, WIJZIGING
from hub.klantcontacten.tables import (
    ContactverzoekRij,
    DigitaalAdresRij,
    KlantcontactRij,
    OutboxRij,
    PogingRij,
    ToewijzingRij,
)


@dataclass
class Kinderen:
    """Everything shown with a set of klantcontacten and contactverzoeken."""

    adressen: dict[str, list[DigitaalAdresRij]] = field(default_factory=lambda: defaultdict(list))
    pogingen: dict[str, list[PogingRij]] = field(default_factory=lambda: defaultdict(list))
    toewijzingen: dict[str, list[ToewijzingRij]] = field(default_factory=lambda: defaultdict(list))
    mails: dict[str, list[OutboxRij]] = field(default_factory=lambda: defaultdict(list))
    doorsturingen: dict[str, list[OutboxRij]] = field(default_factory=lambda: defaultdict(list))
    contactverzoeken: dict[str, list[ContactverzoekRij]] = field(
        default_factory=lambda: defaultdict(list)
    )
    beschikbaarheid: dict[str, Opgeslagen] = field(default_factory=dict)


def _chunks(values: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def laad(
    session: Session,
    gemeente: str,
    klantcontacten: Sequence[KlantcontactRij],
    contactverzoeken: Sequence[ContactverzoekRij],
    *,
    met_contactverzoeken: bool = False,
) -> Kinderen:
    """Children of these rows; with ``met_contactverzoeken`` also each klantcontact's own."""
    k = Kinderen()
    kc_ids = list(dict.fromkeys(kc.id for kc in klantcontacten))
    cvs = list(contactverzoeken)
    for chunk in _chunks(kc_ids):
        for adres in session.scalars(
            select(DigitaalAdresRij)
            .where(DigitaalAdresRij.klantcontact_id.in_(chunk))
            .order_by(DigitaalAdresRij.volgorde)
        ):
            k.adressen[adres.klantcontact_id].append(adres)
        if met_contactverzoeken:
            for cv in session.scalars(
                select(ContactverzoekRij)
                .where(ContactverzoekRij.klantcontact_id.in_(chunk))
                .order_by(ContactverzoekRij.aangemaakt_op)
            ):
                k.contactverzoeken[cv.klantcontact_id].append(cv)
                cvs.append(cv)
        for rij in session.scalars(
            select(OutboxRij)
            .where(OutboxRij.klantcontact_id.in_(chunk), OutboxRij.soort != MAIL)
            .order_by(OutboxRij.aangemaakt_op)
        ):
            k.doorsturingen[rij.contactverzoek_id or rij.klantcontact_id].append(rij)
    cv_ids = list(dict.fromkeys(cv.id for cv in cvs))
    for chunk in _chunks(cv_ids):
        for poging in session.scalars(
            select(PogingRij)
            .where(PogingRij.contactverzoek_id.in_(chunk))
            .order_by(PogingRij.tijdstip)
        ):
            k.pogingen[poging.contactverzoek_id].append(poging)
        for stap in session.scalars(
            select(ToewijzingRij)
            .where(ToewijzingRij.contactverzoek_id.in_(chunk))
            .order_by(ToewijzingRij.volgnummer)
        ):
            k.toewijzingen[stap.contactverzoek_id].append(stap)
        for mail in session.scalars(
            select(OutboxRij)
            .where(OutboxRij.contactverzoek_id.in_(chunk), OutboxRij.soort == MAIL)
            .order_by(OutboxRij.aangemaakt_op)
        ):
            k.mails[mail.contactverzoek_id or ""].append(mail)
    emails = [cv.medewerker_email for cv in cvs if cv.medewerker_email]
    if emails:
        k.beschikbaarheid = latest(session, gemeente, emails)
    return k


def actor_json(
    *,
    medewerker_id: str | None,
    medewerker_naam: str | None,
    medewerker_email: str | None,
    medewerker_afdeling: str | None,
    afdeling: str | None,
    groep: str | None,
) -> list[dict[str, Any]]:
    """The actors of one assignment, as stored in the trail."""
    actoren: list[dict[str, Any]] = []
    if medewerker_naam or medewerker_id:
        actoren.append(
            Actor(
                soort_actor=SoortActor.MEDEWERKER,
                naam=(medewerker_naam or medewerker_email or "medewerker")[:200],
                medewerker_id=medewerker_id,
                afdeling=medewerker_afdeling,
                emailadres=medewerker_email,
            ).model_dump(mode="json", by_alias=True, exclude_none=True)
        )
    if afdeling or groep:
        actoren.append(
            Actor(
                soort_actor=SoortActor.ORGANISATORISCHE_EENHEID,
                naam=(afdeling or groep or "")[:200],
                afdeling=afdeling,
                groep=groep,
            ).model_dump(mode="json", by_alias=True, exclude_none=True)
        )
    return actoren


def actoren(cv: ContactverzoekRij, k: Kinderen) -> list[Actor]:
    result = [
        Actor.model_validate(a)
        for a in actor_json(
            medewerker_id=cv.medewerker_id,
            medewerker_naam=cv.medewerker_naam,
            medewerker_email=cv.medewerker_email,
            medewerker_afdeling=cv.medewerker_afdeling,
            afdeling=cv.afdeling,
            groep=cv.groep,
        )
    ]
    for actor in result:
        if actor.soort_actor is SoortActor.MEDEWERKER and actor.emailadres:
            stored = k.beschikbaarheid.get(actor.emailadres.strip().lower())
            if stored is not None:
                b = stored.beschikbaarheid
                actor.beschikbaarheid = b.status
                if b.status is BeschikbaarheidStatus.AFWEZIG:
                    actor.afwezigheidstekst = b.afwezigheidsbericht
    return result


def betrokkene(kc: KlantcontactRij, k: Kinderen) -> Betrokkene | None:
    if kc.betrokkene_rol is None:
        return None
    return Betrokkene(
        rol=Rol(kc.betrokkene_rol),
        initiator=bool(kc.betrokkene_initiator),
        contactnaam=Contactnaam.model_validate(kc.contactnaam) if kc.contactnaam else None,
        organisatienaam=kc.organisatienaam,
        bsn_bekend=kc.bsn_hash is not None,
        digitale_adressen=[
            DigitaalAdres.model_construct(
                soort_digitaal_adres=SoortDigitaalAdres(a.soort),
                adres=a.adres,
                omschrijving=a.omschrijving,
            )
            for a in k.adressen.get(kc.id, [])
        ],
    )


def _registratie(rijen: list[OutboxRij], url: str | None) -> list[Registratie]:
    if not rijen:
        return []
    laatste = rijen[-1]
    return [
        Registratie(
            systeem=laatste.plugin or "onbekend",
            status=VerzendStatus(laatste.status),
            url=url,
            fout=laatste.laatste_fout if laatste.status != VerzendStatus.VERZONDEN.value else None,
        )
    ]


def _bron_registratie(plugin: str | None, url: str | None) -> list[Registratie]:
    if plugin is None:
        return []
    return [Registratie(systeem=plugin, status=VerzendStatus.VERZONDEN, url=url)]


def contactverzoek(
    cv: ContactverzoekRij, kc: KlantcontactRij, k: Kinderen, nu: datetime
) -> Contactverzoek:
    eigen = [r for r in k.doorsturingen.get(cv.id, []) if r.soort in (REGISTRATIE, WIJZIGING)]
    registraties = _registratie(eigen, cv.extern_url) or _bron_registratie(
        cv.extern_plugin, cv.extern_url
    )
    status = Status(cv.status)
    return Contactverzoek(
        id=cv.id,
        klantcontact=kc.id,
        onderwerp=kc.onderwerp,
        kanaal=kc.kanaal,
        gevraagde_handeling=cv.gevraagde_handeling,
        toelichting=cv.toelichting,
        status=status,
        urgentie=Urgentie(cv.urgentie),
        toegewezen_aan_actoren=actoren(cv, k),
        toegewezen_op=cv.toegewezen_op,
        deadline=cv.deadline,
        te_laat=status is Status.TE_VERWERKEN and cv.deadline < nu,
        afgehandeld_op=cv.afgehandeld_op,
        uitkomst=cv.uitkomst,
        betrokkene=betrokkene(kc, k),
        pogingen=[
            Poging(
                id=p.id,
                tijdstip=p.tijdstip,
                door=p.door,
                uitkomst=PogingUitkomst(p.uitkomst),
                toelichting=p.toelichting,
            )
            for p in k.pogingen.get(cv.id, [])
        ],
        toewijzingen=[
            ToewijzingStap(
                volgnummer=s.volgnummer,
                toegewezen_aan_actoren=[Actor.model_validate(a) for a in s.actoren],
                toegewezen_op=s.toegewezen_op,
                door=s.door,
                reden=s.reden,
            )
            for s in k.toewijzingen.get(cv.id, [])
        ],
        notificaties=[
            Notificatie(
                id=m.id,
                soort=NotificatieSoort(m.mail_soort or NotificatieSoort.TOEWIJZING.value),
                status=VerzendStatus(m.status),
                aan=list(m.ontvangers or []),
                aangemaakt_op=m.aangemaakt_op,
                verzonden_op=m.verwerkt_op if m.status == VerzendStatus.VERZONDEN.value else None,
                pogingen=m.pogingen,
                fout=m.laatste_fout,
            )
            for m in k.mails.get(cv.id, [])
        ],
        registraties=registraties,
        bron=cv.bron,
    )


def klantcontact(kc: KlantcontactRij, k: Kinderen, nu: datetime) -> Klantcontact:
    eigen = [r for r in k.doorsturingen.get(kc.id, []) if r.soort == REGISTRATIE]
    if not eigen:
        # A klantcontact registered with its contactverzoek is forwarded in that one row.
        for cv in k.contactverzoeken.get(kc.id, []):
            eigen = [r for r in k.doorsturingen.get(cv.id, []) if r.soort == REGISTRATIE][:1]
            if eigen:
                break
    return Klantcontact(
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
        doorverbonden_met=Actor.model_validate(kc.doorverbonden_met)
        if kc.doorverbonden_met
        else None,
        geregistreerd_door=kc.geregistreerd_door,
        geregistreerd_op=kc.geregistreerd_op,
        betrokkene=betrokkene(kc, k),
        onderwerpobjecten=[
            Onderwerpobjectidentificator.model_validate(o) for o in kc.onderwerpobjecten
        ],
        contactverzoeken=[cv.id for cv in k.contactverzoeken.get(kc.id, [])],
        registraties=_registratie(eigen, kc.extern_url)
        or _bron_registratie(kc.extern_plugin if kc.bron != "hub" else None, kc.extern_url),
    )
