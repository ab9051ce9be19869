"""Registering a klantcontact — and its contactverzoek — in one transaction.

Everything of one registration is committed together: the klantcontact, its betrokkene
(BSN only as keyed hash plus ciphertext), the contactverzoek with its first step in the
trail, the outbox rows for its mail and its forwarding, the logboek record when a BSN is
stored, and the Idempotency-Key with the answer. The mail and the forwarding happen after
the commit, from the outbox.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.caller import Caller
from hub.domain.klantcontacten import (
    Actor,
    KlantcontactGeregistreerd,
    NieuwContactverzoek,
    NieuwContactverzoekBijKlantcontact,
    NieuweBetrokkene,
    NieuwKlantcontact,
    NotificatieSoort,
    SoortActor,
    SoortDigitaalAdres,
    Status,
)
from hub.errors import InvalidRequest, KccError, NotFound, ServiceUnavailable
from hub.klantcontacten import doorsturen, idempotentie, kalender, outbox, routering, weergave
from hub.klantcontacten.idempotentie import Antwoord, Verzoek
from hub.klantcontacten.tables import (
    ContactverzoekRij,
    DigitaalAdresRij,
    KlantcontactRij,
    ToewijzingRij,
)
from hub.klantcontacten.werkdagen import deadline_voor, herinnering_voor
from hub.metrics import KLANTCONTACTEN
from hub.privacy.logboek.chain import LogboekInvoer
from hub.privacy.pipeline import new_logboek_invoer, record_failure, write_logboek
from hub.privacy.settings import GemeentePrivacy, privacy_for
from hub.store.base import utcnow
from hub.store.db import Store
from hub.tenants import Gemeente

ACTIVITEIT = "klantcontact-registreren"


@dataclass
class Context:
    """Who registers, for which gemeente, and the means to do it."""

    store: Store
    plugins: outbox.PluginCaller
    gemeente: Gemeente
    caller: Caller
    trace_id: str
    nu: Callable[[], datetime] = utcnow


@dataclass
class _Bsn:
    privacy: GemeentePrivacy
    invoer: LogboekInvoer
    hash: str
    versleuteld: str


def zoeksleutel(soort: SoortDigitaalAdres, adres: str) -> str:
    """The normal form searched on: digits with +31/0031 as a leading 0; e-mail lower case."""
    if soort is SoortDigitaalAdres.TELEFOONNUMMER:
        digits = "".join(ch for ch in adres if ch.isdigit())
        if adres.startswith("+31"):
            return "0" + digits[2:]
        if digits.startswith("0031"):
            return "0" + digits[4:]
        return digits
    return adres.strip().lower()


def _bsn(ctx: Context, betrokkene: NieuweBetrokkene | None, doel_code: str | None) -> _Bsn | None:
    """The BSN's hash and ciphertext, with the logboek record of storing it (doelbinding)."""
    if betrokkene is None or not betrokkene.burgerservicenummer:
        return None
    privacy = privacy_for(ctx.gemeente)
    invoer = new_logboek_invoer(privacy, ctx.caller, ctx.trace_id, ACTIVITEIT)
    invoer.betrokkenen.append(betrokkene.burgerservicenummer)
    try:
        code = doel_code or ctx.gemeente.klantcontacten.doel
        if not code:
            raise InvalidRequest(
                "wie een BSN vastlegt, noemt het doel (doel), of de gemeente stelt er een in "
                "([klantcontacten] doel)",
                field="doel",
                code="required",
            )
        doel = privacy.doelen.resolve(code, ctx.caller.primary_role)
        invoer.doel = doel.code
        invoer.processing_activity_id = doel.verwerkingsactiviteit
        invoer.velden.append("betrokkene.burgerservicenummer")
        sleutels = privacy.sleutels
        return _Bsn(
            privacy,
            invoer,
            sleutels.betrokkene_hash(betrokkene.burgerservicenummer),
            sleutels.versleutelaar().versleutel(betrokkene.burgerservicenummer),
        )
    except Exception as exc:
        # Refused attempts are logged too: the privacy officer finds them by the BSN.
        record_failure(invoer, exc)
        write_logboek(ctx.store, None, privacy, invoer, wat="klantcontacten")
        raise


def _doorverbonden(session: Session, ctx: Context, medewerker_id: str | None) -> Actor | None:
    if not medewerker_id:
        return None
    from hub import directory

    found = directory.get(session, ctx.gemeente.code, medewerker_id)
    if found is None:
        raise InvalidRequest(
            "deze medewerker staat niet in de medewerkersgids", field="doorverbondenMet"
        )
    m = found[0]
    return Actor(
        soort_actor=SoortActor.MEDEWERKER,
        naam=m.weergavenaam[:200],
        medewerker_id=m.id,
        afdeling=m.afdeling,
        emailadres=m.email,
    )


def nieuw_contactverzoek(
    session: Session,
    ctx: Context,
    kc: KlantcontactRij,
    body: NieuwContactverzoek,
    *,
    veld: str,
    nu: datetime,
) -> tuple[ContactverzoekRij, list[str]]:
    """Add a contactverzoek (routed, with deadline, trail and mail row) to ``session``.

    Returns the row and the outbox ids to dispatch after the commit.
    """
    instellingen = ctx.gemeente.klantcontacten
    doel = routering.bepaal(
        session,
        ctx.gemeente.code,
        body.toegewezen_aan,
        instellingen,
        veld=f"{veld}.toegewezenAan" if veld else "toegewezenAan",
    )
    deadline = deadline_voor(nu, body.urgentie, instellingen)
    cv = ContactverzoekRij(
        id=str(uuid.uuid4()),
        gemeente=ctx.gemeente.code,
        klantcontact_id=kc.id,
        gevraagde_handeling=body.gevraagde_handeling,
        toelichting=body.toelichting,
        status=Status.TE_VERWERKEN.value,
        urgentie=body.urgentie.value,
        medewerker_id=doel.medewerker_id,
        medewerker_naam=doel.medewerker_naam,
        medewerker_email=doel.medewerker_email,
        medewerker_afdeling=doel.medewerker_afdeling,
        afdeling=doel.afdeling,
        afdeling_sleutel=routering.sleutel(doel.afdeling),
        groep=doel.groep,
        groep_sleutel=routering.sleutel(doel.groep),
        toegewezen_op=nu,
        deadline=deadline,
        herinnering_op=herinnering_voor(deadline, instellingen),
        escalatie_gepland=False,
        te_plannen=False,
        aangemaakt_door=ctx.caller.subject,
        aangemaakt_op=nu,
        bron="hub",
    )
    session.add(cv)
    session.flush()
    session.add(
        ToewijzingRij(
            gemeente=cv.gemeente,
            contactverzoek_id=cv.id,
            volgnummer=1,
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
        )
    )
    ids = [
        outbox.nieuw(
            session,
            gemeente=cv.gemeente,
            soort=outbox.MAIL,
            klantcontact_id=kc.id,
            contactverzoek_id=cv.id,
            mail_soort=NotificatieSoort.TOEWIJZING.value,
            ontvangers=doel.ontvangers,
            uniek=f"toewijzing:{cv.id}:1",
            nu=nu,
        )
    ]
    return cv, ids


def _heeft_bereik(betrokkene: NieuweBetrokkene | None) -> bool:
    return betrokkene is not None and any(
        a.soort_digitaal_adres in (SoortDigitaalAdres.TELEFOONNUMMER, SoortDigitaalAdres.EMAIL)
        for a in betrokkene.digitale_adressen
    )


def registreer(ctx: Context, body: NieuwKlantcontact, idem: Verzoek) -> Antwoord:
    """Register the klantcontact (and contactverzoek); a repeated key gets the first answer."""
    earlier = idempotentie.eerder(ctx.store, idem)
    if earlier is not None:
        return earlier
    if body.contactverzoek is not None and not _heeft_bereik(body.betrokkene):
        raise InvalidRequest(
            "een contactverzoek heeft een telefoonnummer of e-mailadres van de beller nodig",
            field="betrokkene.digitaleAdressen",
            code="required",
        )
    bsn = _bsn(ctx, body.betrokkene, body.doel)
    nu = ctx.nu()
    code = ctx.gemeente.code
    te_dispatchen: list[str] = []
    try:
        with ctx.store.session() as session:
            mij = routering.ik(session, code, ctx.caller)
            b = body.betrokkene
            plaatsgevonden_op = body.plaatsgevonden_op or nu
            kc = KlantcontactRij(
                id=str(uuid.uuid4()),
                gemeente=code,
                kanaal=body.kanaal,
                onderwerp=body.onderwerp,
                inhoud=body.inhoud,
                reactie=body.reactie,
                vertrouwelijk=body.vertrouwelijk,
                indicatie_contact_gelukt=body.indicatie_contact_gelukt,
                taal=body.taal,
                plaatsgevonden_op=plaatsgevonden_op,
                dag=kalender.dag(plaatsgevonden_op),
                week=kalender.week(plaatsgevonden_op),
                afhandeling=body.afhandeling.value,
                doorverbonden_met=(
                    actor.model_dump(mode="json", by_alias=True, exclude_none=True)
                    if (actor := _doorverbonden(session, ctx, body.doorverbonden_met))
                    else None
                ),
                afdeling=actor.afdeling if actor else None,
                geregistreerd_door=ctx.caller.subject,
                geregistreerd_door_naam=ctx.caller.display_name,
                geregistreerd_door_medewerker=mij.id if mij else None,
                geregistreerd_op=nu,
                onderwerpobjecten=[
                    o.model_dump(mode="json", by_alias=True) for o in body.onderwerpobjecten
                ],
                betrokkene_rol=b.rol.value if b else None,
                betrokkene_initiator=b.initiator if b else None,
                contactnaam=b.contactnaam.model_dump(mode="json", by_alias=True, exclude_none=True)
                if b and b.contactnaam
                else None,
                organisatienaam=b.organisatienaam if b else None,
                bsn_hash=bsn.hash if bsn else None,
                bsn_versleuteld=bsn.versleuteld if bsn else None,
                bron="hub",
            )
            session.add(kc)
            session.flush()
            for volgorde, adres in enumerate(b.digitale_adressen if b else []):
                session.add(
                    DigitaalAdresRij(
                        gemeente=code,
                        klantcontact_id=kc.id,
                        volgorde=volgorde,
                        soort=adres.soort_digitaal_adres.value,
                        adres=adres.adres,
                        omschrijving=adres.omschrijving,
                        zoeksleutel=zoeksleutel(adres.soort_digitaal_adres, adres.adres),
                    )
                )
            cv = None
            if body.contactverzoek is not None:
                cv, ids = nieuw_contactverzoek(
                    session, ctx, kc, body.contactverzoek, veld="contactverzoek", nu=nu
                )
                te_dispatchen += ids
                kc.afdeling = cv.afdeling or cv.medewerker_afdeling
            te_dispatchen += doorsturen.plan_registratie(
                session, ctx.plugins, code, kc.id, cv.id if cv else None
            )
            if bsn is not None:
                write_logboek(ctx.store, session, bsn.privacy, bsn.invoer, wat="klantcontacten")
            session.flush()
            antwoord = _antwoord(session, code, kc, cv, nu)
            result = idempotentie.bewaar(session, idem, kc.id, 201, antwoord)
    except IntegrityError:
        # A concurrent request with the same key won the insert; answer as its repeat.
        earlier = idempotentie.eerder(ctx.store, idem)
        if earlier is None:
            raise
        return earlier
    except KccError as exc:
        if bsn is not None and not isinstance(exc, ServiceUnavailable):
            # Refused after the BSN was given (e.g. an unknown medewerker): logged as refused.
            record_failure(bsn.invoer, exc)
            write_logboek(ctx.store, None, bsn.privacy, bsn.invoer, wat="klantcontacten")
        raise
    outbox.dispatch(code, te_dispatchen)
    if not result.herhaald:
        KLANTCONTACTEN.labels(
            gemeente=code, afhandeling=body.afhandeling.value, kanaal=body.kanaal.lower()
        ).inc()
    return result


def _antwoord(
    session: Session,
    gemeente: str,
    kc: KlantcontactRij,
    cv: ContactverzoekRij | None,
    nu: datetime,
) -> dict[str, object]:
    k = weergave.laad(session, gemeente, [kc], [], met_contactverzoeken=True)
    shown = weergave.klantcontact(kc, k, nu)
    geregistreerd = KlantcontactGeregistreerd(
        **shown.model_dump(),
        contactverzoek=weergave.contactverzoek(cv, kc, k, nu) if cv is not None else None,
    )
    return geregistreerd.model_dump(mode="json", by_alias=True)


def registreer_contactverzoek(
    ctx: Context, body: NieuwContactverzoekBijKlantcontact, idem: Verzoek
) -> Antwoord:
    """A contactverzoek for a klantcontact registered earlier (kcc-medewerker)."""
    earlier = idempotentie.eerder(ctx.store, idem)
    if earlier is not None:
        return earlier
    nu = ctx.nu()
    code = ctx.gemeente.code
    try:
        with ctx.store.session() as session:
            kc = session.get(KlantcontactRij, body.klantcontact)
            if kc is None or kc.gemeente != code:
                raise InvalidRequest(
                    "dit klantcontact bestaat niet", field="klantcontact", code="onbekend"
                )
            adressen = weergave.laad(session, code, [kc], []).adressen.get(kc.id, [])
            if not any(
                a.soort in (SoortDigitaalAdres.TELEFOONNUMMER.value, SoortDigitaalAdres.EMAIL.value)
                for a in adressen
            ):
                raise InvalidRequest(
                    "het klantcontact heeft geen telefoonnummer of e-mailadres van de beller",
                    field="klantcontact",
                    code="onbereikbaar",
                )
            cv, ids = nieuw_contactverzoek(session, ctx, kc, body, veld="", nu=nu)
            ids += doorsturen.plan_registratie(session, ctx.plugins, code, kc.id, cv.id)
            session.flush()
            k = weergave.laad(session, code, [kc], [cv])
            antwoord = weergave.contactverzoek(cv, kc, k, nu).model_dump(mode="json", by_alias=True)
            result = idempotentie.bewaar(session, idem, kc.id, 201, antwoord)
    except IntegrityError:
        earlier = idempotentie.eerder(ctx.store, idem)
        if earlier is None:
            raise
        return earlier
    outbox.dispatch(code, ids)
    return result


def klantcontact_van(session: Session, gemeente: str, klantcontact_id: str) -> KlantcontactRij:
    kc = session.get(KlantcontactRij, klantcontact_id)
    if kc is None or kc.gemeente != gemeente:
        raise NotFound("dit klantcontact bestaat niet")
    return kc
