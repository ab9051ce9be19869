"""Reading: one klantcontact or contactverzoek, klantcontacten by period and by betrokkene, and
the worklists of contactverzoeken (mine, an afdeling's, overdue, by status), paged and sorted
by deadline. All from the hub's own index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import Session

from hub import hookspecs
from hub.beschikbaarheid import voor_medewerkers
from hub.caller import Caller
from hub.domain.klantcontacten import (
    Afhandeling,
    BetrokkeneZoekvraag,
    Contactverzoek,
    ContactverzoekLijst,
    Klantcontact,
    KlantcontactLijst,
    SoortDigitaalAdres,
    Status,
    normaliseer_telefoonnummer,
)
from hub.domain.medewerkers import Medewerker
from hub.errors import Forbidden, InvalidRequest
from hub.klantcontacten import routering, toegang, weergave
from hub.klantcontacten.behandeling import laad_contactverzoek
from hub.klantcontacten.registratie import klantcontact_van, zoeksleutel
from hub.klantcontacten.tables import ContactverzoekRij, DigitaalAdresRij, KlantcontactRij
from hub.privacy.pipeline import new_logboek_invoer, record_failure, write_logboek
from hub.privacy.settings import privacy_for
from hub.store.base import utcnow
from hub.store.db import Store
from hub.tenants import Gemeente

Sortering = Literal["deadline", "-deadline"]
MIJ = "mij"


@dataclass(frozen=True)
class Pagina:
    pagina: int = 1
    grootte: int = 20

    @property
    def offset(self) -> int:
        return (self.pagina - 1) * self.grootte


def _niet_gekoppeld() -> Forbidden:
    return Forbidden(
        "uw token is niet aan een medewerker in de medewerkersgids te koppelen "
        "(subject of e-mailadres); vraag de beheerder"
    )


def klantcontact(store: Store, gemeente: str, caller: Caller, kc_id: str) -> Klantcontact:
    with store.session() as session:
        kc = klantcontact_van(session, gemeente, kc_id)
        k = weergave.laad(session, gemeente, [kc], [], met_contactverzoeken=True)
        if not toegang.ziet_alles(caller):
            mij = routering.ik(session, gemeente, caller)
            toegang.controleer_klantcontact(caller, mij, k.contactverzoeken.get(kc.id, []))
        return weergave.klantcontact(kc, k, utcnow())


def contactverzoek(
    store: Store, plugins: Any, gemeente: str, caller: Caller, cv_id: str
) -> Contactverzoek:
    """One contactverzoek; the assignee's availability refreshed when it is stale."""
    with store.session() as session:
        cv = laad_contactverzoek(session, gemeente, cv_id)
        toegang.controleer(caller, routering.ik(session, gemeente, caller), cv)
        email = cv.medewerker_email
    if email and plugins.enabled(gemeente, hookspecs.kcc_get_beschikbaarheid):
        # Serves the last known state when the calendar cannot be reached.
        voor_medewerkers(store, plugins, gemeente, [email])
    with store.session() as session:
        cv = laad_contactverzoek(session, gemeente, cv_id)
        kc = session.get(KlantcontactRij, cv.klantcontact_id)
        assert kc is not None
        k = weergave.laad(session, gemeente, [kc], [cv])
        return weergave.contactverzoek(cv, kc, k, utcnow())


def _medewerker_filter(
    session: Session, gemeente: str, caller: Caller, medewerker: str
) -> ColumnElement[bool]:
    if medewerker == MIJ:
        mij = routering.ik(session, gemeente, caller)
        conditions = [KlantcontactRij.geregistreerd_door == caller.subject]
        if mij is not None:
            conditions.append(KlantcontactRij.geregistreerd_door_medewerker == mij.id)
        return or_(*conditions)
    return or_(
        KlantcontactRij.geregistreerd_door_medewerker == medewerker,
        KlantcontactRij.geregistreerd_door == medewerker,
    )


def klantcontacten(
    store: Store,
    gemeente: str,
    caller: Caller,
    *,
    van: datetime | None,
    tot: datetime | None,
    kanaal: str | None,
    afhandeling: Afhandeling | None,
    medewerker: str | None,
    pagina: Pagina,
) -> KlantcontactLijst:
    """Klantcontacten of the period ``van`` ≤ plaatsgevondenOp < ``tot``, newest first."""
    if van is not None and tot is not None and tot <= van:
        raise InvalidRequest("tot moet na van liggen", field="tot", code="range")
    with store.session() as session:
        stmt = select(KlantcontactRij).where(KlantcontactRij.gemeente == gemeente)
        if van is not None:
            stmt = stmt.where(KlantcontactRij.plaatsgevonden_op >= van)
        if tot is not None:
            stmt = stmt.where(KlantcontactRij.plaatsgevonden_op < tot)
        if kanaal:
            stmt = stmt.where(func.lower(KlantcontactRij.kanaal) == kanaal.strip().lower())
        if afhandeling is not None:
            stmt = stmt.where(KlantcontactRij.afhandeling == afhandeling.value)
        if medewerker:
            stmt = stmt.where(_medewerker_filter(session, gemeente, caller, medewerker))
        return _klantcontact_pagina(session, gemeente, stmt, pagina)


def _klantcontact_pagina(
    session: Session, gemeente: str, stmt: Select[Any], pagina: Pagina
) -> KlantcontactLijst:
    totaal = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows: Sequence[KlantcontactRij] = session.scalars(
        stmt.order_by(KlantcontactRij.plaatsgevonden_op.desc(), KlantcontactRij.id)
        .limit(pagina.grootte)
        .offset(pagina.offset)
    ).all()
    k = weergave.laad(session, gemeente, rows, [], met_contactverzoeken=True)
    nu = utcnow()
    return KlantcontactLijst(
        resultaten=[weergave.klantcontact(kc, k, nu) for kc in rows],
        pagina=pagina.pagina,
        pagina_grootte=pagina.grootte,
        totaal=totaal,
    )


def op_betrokkene(
    store: Store, gemeente: str, vraag: BetrokkeneZoekvraag, bsn_hash: str | None
) -> KlantcontactLijst:
    """Klantcontacten of one caller, by BSN (its keyed hash), phone number or e-mail address."""
    pagina = Pagina(vraag.pagina, vraag.pagina_grootte)
    with store.session() as session:
        stmt = select(KlantcontactRij).where(KlantcontactRij.gemeente == gemeente)
        if bsn_hash is not None:
            stmt = stmt.where(KlantcontactRij.bsn_hash == bsn_hash)
        else:
            if vraag.telefoonnummer:
                soort = SoortDigitaalAdres.TELEFOONNUMMER
                wanted = zoeksleutel(soort, normaliseer_telefoonnummer(vraag.telefoonnummer))
            else:
                soort = SoortDigitaalAdres.EMAIL
                wanted = zoeksleutel(soort, vraag.emailadres or "")
            if not wanted:
                raise InvalidRequest(
                    "geef een telefoonnummer of e-mailadres om op te zoeken",
                    field="telefoonnummer" if vraag.telefoonnummer else "emailadres",
                )
            ids = select(DigitaalAdresRij.klantcontact_id).where(
                DigitaalAdresRij.gemeente == gemeente,
                DigitaalAdresRij.soort == soort.value,
                DigitaalAdresRij.zoeksleutel == wanted,
            )
            stmt = stmt.where(KlantcontactRij.id.in_(ids))
        return _klantcontact_pagina(session, gemeente, stmt, pagina)


def _toegewezen_filter(
    session: Session, gemeente: str, caller: Caller, waarde: str | None, mij: Medewerker | None
) -> ColumnElement[bool] | None:
    """The worklist filter, with the backoffice rule: only mine, my afdeling, my groups."""
    ziet_alles = toegang.ziet_alles(caller)
    if waarde is None:
        if ziet_alles:
            return None
        if mij is None:
            raise _niet_gekoppeld()
        eigen = [ContactverzoekRij.medewerker_id == mij.id]
        if mij.afdeling:
            eigen.append(ContactverzoekRij.afdeling_sleutel == routering.sleutel(mij.afdeling))
        groepen = [routering.sleutel(g) for g in mij.groepen]
        if groepen:
            eigen.append(ContactverzoekRij.groep_sleutel.in_(groepen))
        return or_(*eigen)
    if waarde == MIJ:
        if mij is None:
            raise _niet_gekoppeld()
        return ContactverzoekRij.medewerker_id == mij.id
    medewerker = routering.zoek_medewerker(session, gemeente, waarde)
    if medewerker is not None:
        if not ziet_alles and (mij is None or medewerker.id != mij.id):
            raise Forbidden("u ziet alleen uw eigen contactverzoeken en die van uw afdeling")
        return ContactverzoekRij.medewerker_id == medewerker.id
    naam = routering.sleutel(waarde)
    if not ziet_alles:
        toegestaan: set[str | None] = set()
        if mij is not None:
            toegestaan = {routering.sleutel(mij.afdeling)} | {
                routering.sleutel(g) for g in mij.groepen
            }
        if naam not in toegestaan:
            raise Forbidden("u ziet alleen de contactverzoeken van uw eigen afdeling of groep")
    if not naam:
        return false()
    return or_(ContactverzoekRij.afdeling_sleutel == naam, ContactverzoekRij.groep_sleutel == naam)


def werkvoorraad(
    store: Store,
    gemeente: str,
    caller: Caller,
    *,
    toegewezen_aan: str | None,
    status: Status | None,
    te_laat: bool | None,
    sorteer: Sortering,
    pagina: Pagina,
) -> ContactverzoekLijst:
    """A worklist of contactverzoeken, sorted by deadline (earliest first, or ``-deadline``)."""
    nu = utcnow()
    with store.session() as session:
        mij = routering.ik(session, gemeente, caller)
        stmt = select(ContactverzoekRij).where(ContactverzoekRij.gemeente == gemeente)
        filter_ = _toegewezen_filter(session, gemeente, caller, toegewezen_aan, mij)
        if filter_ is not None:
            stmt = stmt.where(filter_)
        if status is not None:
            stmt = stmt.where(ContactverzoekRij.status == status.value)
        if te_laat is True:
            stmt = stmt.where(
                ContactverzoekRij.status == Status.TE_VERWERKEN.value,
                ContactverzoekRij.deadline < nu,
            )
        elif te_laat is False:
            stmt = stmt.where(
                or_(
                    ContactverzoekRij.status != Status.TE_VERWERKEN.value,
                    ContactverzoekRij.deadline >= nu,
                )
            )
        totaal = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        order = (
            ContactverzoekRij.deadline.desc()
            if sorteer == "-deadline"
            else ContactverzoekRij.deadline.asc()
        )
        rows = session.scalars(
            stmt.order_by(order, ContactverzoekRij.id).limit(pagina.grootte).offset(pagina.offset)
        ).all()
        kcs = session.scalars(
            select(KlantcontactRij).where(
                KlantcontactRij.id.in_({cv.klantcontact_id for cv in rows})
            )
        ).all()
        per_id = {kc.id: kc for kc in kcs}
        k = weergave.laad(session, gemeente, kcs, rows)
        return ContactverzoekLijst(
            resultaten=[
                weergave.contactverzoek(cv, per_id[cv.klantcontact_id], k, nu) for cv in rows
            ],
            pagina=pagina.pagina,
            pagina_grootte=pagina.grootte,
            totaal=totaal,
        )


ZOEK_ACTIVITEIT = "klantcontacten-zoeken"


def zoek_betrokkene(
    store: Store, gemeente: Gemeente, caller: Caller, trace_id: str, vraag: BetrokkeneZoekvraag
) -> KlantcontactLijst:
    """``POST klantcontacten/_zoek``: by phone or e-mail directly; by BSN with a doel and a
    logboek record (committed before the answer leaves), as every person lookup."""
    if not vraag.burgerservicenummer:
        return op_betrokkene(store, gemeente.code, vraag, None)
    privacy = privacy_for(gemeente)
    invoer = new_logboek_invoer(privacy, caller, trace_id, ZOEK_ACTIVITEIT)
    invoer.betrokkenen.append(vraag.burgerservicenummer)
    try:
        code = vraag.doel or gemeente.klantcontacten.doel
        if not code:
            raise InvalidRequest(
                "wie op BSN zoekt, noemt het doel (doel)", field="doel", code="required"
            )
        doel = privacy.doelen.resolve(code, caller.primary_role)
        invoer.doel = doel.code
        invoer.processing_activity_id = doel.verwerkingsactiviteit
        gevonden = op_betrokkene(
            store,
            gemeente.code,
            vraag,
            privacy.sleutels.betrokkene_hash(vraag.burgerservicenummer),
        )
        if gevonden.resultaten:
            invoer.velden.extend(GELEVERDE_VELDEN)
            invoer.aantal_personen = 1
        else:
            invoer.status = "geen_resultaat"
    except Exception as exc:
        record_failure(invoer, exc)
        write_logboek(store, None, privacy, invoer, wat="klantcontacten")
        raise
    write_logboek(store, None, privacy, invoer, wat="klantcontacten")
    return gevonden


GELEVERDE_VELDEN = (
    "klantcontacten.onderwerp",
    "klantcontacten.inhoud",
    "klantcontacten.betrokkene.contactnaam",
    "klantcontacten.betrokkene.digitaleAdressen",
)
