"""Handling a contactverzoek: log a callback attempt, close it with an outcome, or reassign it
(keeping the trail). Each change is one transaction with its outbox rows and its
Idempotency-Key; a repeat with the same key gets the first answer."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.domain.klantcontacten import Afhandelen, Doorzetten, NieuwePoging, NotificatieSoort, Status
from hub.errors import KccError, NotFound
from hub.klantcontacten import (
    doorlooptijd,
    doorsturen,
    idempotentie,
    outbox,
    routering,
    toegang,
    weergave,
)
from hub.klantcontacten.idempotentie import Antwoord, Verzoek
from hub.klantcontacten.registratie import Context
from hub.klantcontacten.tables import ContactverzoekRij, KlantcontactRij, PogingRij, ToewijzingRij


class AlAfgehandeld(KccError):
    status = 409
    title = "Contactverzoek al afgehandeld"


Wijziging = Callable[[Session, ContactverzoekRij, datetime], list[str]]


def laad_contactverzoek(session: Session, gemeente: str, cv_id: str) -> ContactverzoekRij:
    cv = session.get(ContactverzoekRij, cv_id)
    if cv is None or cv.gemeente != gemeente:
        raise NotFound("dit contactverzoek bestaat niet")
    return cv


def _wijzig(ctx: Context, cv_id: str, idem: Verzoek, wijziging: Wijziging) -> Antwoord:
    code = ctx.gemeente.code
    try:
        with ctx.store.session() as session:
            cv = laad_contactverzoek(session, code, cv_id)
            toegang.controleer(ctx.caller, routering.ik(session, code, ctx.caller), cv)
            earlier = idempotentie.eerder_in(session, idem)
            if earlier is not None:
                return earlier
            if cv.status != Status.TE_VERWERKEN.value:
                raise AlAfgehandeld("dit contactverzoek is al afgehandeld")
            nu = ctx.nu()
            ids = wijziging(session, cv, nu)
            ids += doorsturen.plan_wijziging(session, ctx.plugins, cv)
            session.flush()
            kc = session.get(KlantcontactRij, cv.klantcontact_id)
            assert kc is not None
            k = weergave.laad(session, code, [kc], [cv])
            antwoord = weergave.contactverzoek(cv, kc, k, nu).model_dump(mode="json", by_alias=True)
            result = idempotentie.bewaar(session, idem, kc.id, 200, antwoord)
    except IntegrityError:
        earlier = idempotentie.eerder(ctx.store, idem)
        if earlier is None:
            raise
        return earlier
    outbox.dispatch(code, ids)
    return result


def poging(ctx: Context, cv_id: str, body: NieuwePoging, idem: Verzoek) -> Antwoord:
    def voeg_toe(session: Session, cv: ContactverzoekRij, nu: datetime) -> list[str]:
        session.add(
            PogingRij(
                id=str(uuid.uuid4()),
                gemeente=cv.gemeente,
                contactverzoek_id=cv.id,
                tijdstip=body.tijdstip or nu,
                door=ctx.caller.subject,
                uitkomst=body.uitkomst.value,
                toelichting=body.toelichting,
            )
        )
        return []

    antwoord = _wijzig(ctx, cv_id, idem, voeg_toe)
    return Antwoord(201, antwoord.body, antwoord.herhaald)


def afhandelen(ctx: Context, cv_id: str, body: Afhandelen, idem: Verzoek) -> Antwoord:
    def sluit(session: Session, cv: ContactverzoekRij, nu: datetime) -> list[str]:
        cv.status = Status.VERWERKT.value
        cv.afgehandeld_op = nu
        cv.afgehandeld_door = ctx.caller.subject
        cv.uitkomst = body.uitkomst
        cv.herinnering_op = None
        doorlooptijd.leg_vast(session, cv, ctx.gemeente.klantcontacten)
        return []

    return _wijzig(ctx, cv_id, idem, sluit)


def doorzetten(ctx: Context, cv_id: str, body: Doorzetten, idem: Verzoek) -> Antwoord:
    def zet_door(session: Session, cv: ContactverzoekRij, nu: datetime) -> list[str]:
        doel = routering.bepaal(
            session,
            cv.gemeente,
            body.toegewezen_aan,
            ctx.gemeente.klantcontacten,
            veld="toegewezenAan",
        )
        cv.medewerker_id = doel.medewerker_id
        cv.medewerker_naam = doel.medewerker_naam
        cv.medewerker_email = doel.medewerker_email
        cv.medewerker_afdeling = doel.medewerker_afdeling
        cv.afdeling = doel.afdeling
        cv.afdeling_sleutel = routering.sleutel(doel.afdeling)
        cv.groep = doel.groep
        cv.groep_sleutel = routering.sleutel(doel.groep)
        cv.toegewezen_op = nu
        volgnummer = 1 + (
            session.scalar(
                select(func.max(ToewijzingRij.volgnummer)).where(
                    ToewijzingRij.contactverzoek_id == cv.id
                )
            )
            or 0
        )
        session.add(
            ToewijzingRij(
                gemeente=cv.gemeente,
                contactverzoek_id=cv.id,
                volgnummer=volgnummer,
                actoren=weergave.actor_json(
                    medewerker_id=doel.medewerker_id,
                    medewerker_naam=doel.medewerker_naam,
                    medewerker_email=doel.medewerker_email,
                    medewerker_afdeling=doel.medewerker_afdeling,
                    afdeling=doel.afdeling,
                    groep=doel.groep,
                ),
                toegewezen_op=nu,
                door=ctx.caller.subject,
                reden=body.reden,
            )
        )
        return [
            outbox.nieuw(
                session,
                gemeente=cv.gemeente,
                soort=outbox.MAIL,
                klantcontact_id=cv.klantcontact_id,
                contactverzoek_id=cv.id,
                mail_soort=NotificatieSoort.TOEWIJZING.value,
                ontvangers=doel.ontvangers,
                uniek=f"toewijzing:{cv.id}:{volgnummer}",
                nu=nu,
            )
        ]

    return _wijzig(ctx, cv_id, idem, zet_door)
