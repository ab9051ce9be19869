"""Reminders and escalations: one mail when the deadline nears, one when it has passed.

The scheduler runs :func:`plan` every minute. Each mail becomes an outbox row with a unique
key per contactverzoek (``herinnering:<id>``, ``escalatie:<id>``), so two schedulers, a
repeated job or a crash between planning and sending can never make a second one; the row
is then sent like any other mail. The clock is a parameter, so tests run on a frozen one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.domain.klantcontacten import NotificatieSoort, Status, Urgentie
from hub.klantcontacten import doorlooptijd
from hub.klantcontacten.outbox import MAIL, nieuw
from hub.klantcontacten.routering import escalatie_ontvangers
from hub.klantcontacten.tables import ContactverzoekRij, OutboxRij
from hub.klantcontacten.werkdagen import deadline_voor, herinnering_voor
from hub.klantcontacten_settings import KlantcontactenSettings
from hub.store.base import utcnow
from hub.store.db import Store

BATCH = 200


def plan(
    store: Store,
    instellingen: Callable[[str], KlantcontactenSettings | None],
    *,
    nu: datetime | None = None,
) -> list[tuple[str, str]]:
    """Queue the reminders and escalations that are due; returns (gemeente, row id) to send.

    ``instellingen`` gives a gemeente's ``[klantcontacten]`` (None for one no longer served).
    """
    moment = nu or utcnow()
    gepland: list[tuple[str, str]] = []
    gepland += _overgenomen(store, instellingen, moment)
    gepland += _herinneringen(store, instellingen, moment)
    gepland += _escalaties(store, instellingen, moment)
    # Contactverzoeken closed in the system of record get their lead times here (rapportages).
    doorlooptijd.vul_aan(store, instellingen)
    return gepland


def _huidige_ontvangers(session: Session, cv_id: str) -> tuple[str, ...]:
    """Whoever got the latest toewijzing mail: the reminder goes to the same mailbox."""
    rows = session.scalars(
        select(OutboxRij.ontvangers)
        .where(
            OutboxRij.contactverzoek_id == cv_id,
            OutboxRij.soort == MAIL,
            OutboxRij.mail_soort == NotificatieSoort.TOEWIJZING.value,
        )
        .order_by(OutboxRij.aangemaakt_op.desc())
        .limit(1)
    ).all()
    return tuple(rows[0] or ()) if rows else ()


def _overgenomen(
    store: Store, instellingen: Callable[[str], KlantcontactenSettings | None], nu: datetime
) -> list[tuple[str, str]]:
    """Contactverzoeken imported from the system of record: deadline, reminder and first mail."""
    gepland: list[tuple[str, str]] = []
    with store.session() as session:
        ids = session.scalars(
            select(ContactverzoekRij.id).where(ContactverzoekRij.te_plannen.is_(True)).limit(BATCH)
        ).all()
    for cv_id in ids:
        with store.session() as session:
            cv = session.get(ContactverzoekRij, cv_id)
            if cv is None or not cv.te_plannen:
                continue
            config = instellingen(cv.gemeente)
            if config is None:
                continue
            deadline = deadline_voor(cv.toegewezen_op, Urgentie(cv.urgentie), config)
            cv.deadline = deadline
            cv.herinnering_op = herinnering_voor(deadline, config)
            cv.te_plannen = False
            ontvangers = tuple(a for a in (cv.medewerker_email,) if a) or escalatie_ontvangers(
                config,
                afdeling=cv.afdeling,
                groep=cv.groep,
                medewerker_afdeling=cv.medewerker_afdeling,
                toegewezen=(),
            )
            if ontvangers:
                rij_id = nieuw(
                    session,
                    gemeente=cv.gemeente,
                    soort=MAIL,
                    klantcontact_id=cv.klantcontact_id,
                    contactverzoek_id=cv.id,
                    mail_soort=NotificatieSoort.TOEWIJZING.value,
                    ontvangers=ontvangers,
                    uniek=f"toewijzing:{cv.id}:1",
                    nu=nu,
                )
                gepland.append((cv.gemeente, rij_id))
    return gepland


def _herinneringen(
    store: Store, instellingen: Callable[[str], KlantcontactenSettings | None], nu: datetime
) -> list[tuple[str, str]]:
    gepland: list[tuple[str, str]] = []
    with store.session() as session:
        due = session.scalars(
            select(ContactverzoekRij)
            .where(
                ContactverzoekRij.status == Status.TE_VERWERKEN.value,
                ContactverzoekRij.herinnering_op.is_not(None),
                ContactverzoekRij.herinnering_op <= nu,
                ContactverzoekRij.deadline > nu,
            )
            .limit(BATCH)
        ).all()
        targets = [(cv.gemeente, cv.id, cv.klantcontact_id) for cv in due]
    for gemeente, cv_id, kc_id in targets:
        if instellingen(gemeente) is None:
            continue
        rij_id = _een_keer(
            store,
            gemeente,
            cv_id,
            kc_id,
            NotificatieSoort.HERINNERING,
            partial(_huidige_ontvangers, cv_id=cv_id),
            nu,
        )
        if rij_id:
            gepland.append((gemeente, rij_id))
    return gepland


def _escalaties(
    store: Store, instellingen: Callable[[str], KlantcontactenSettings | None], nu: datetime
) -> list[tuple[str, str]]:
    gepland: list[tuple[str, str]] = []
    with store.session() as session:
        due = session.scalars(
            select(ContactverzoekRij)
            .where(
                ContactverzoekRij.status == Status.TE_VERWERKEN.value,
                ContactverzoekRij.escalatie_gepland.is_(False),
                ContactverzoekRij.deadline <= nu,
            )
            .limit(BATCH)
        ).all()
        targets = [
            (cv.gemeente, cv.id, cv.klantcontact_id, cv.afdeling, cv.groep, cv.medewerker_afdeling)
            for cv in due
        ]
    for gemeente, cv_id, kc_id, afdeling, groep, eigen_afdeling in targets:
        config = instellingen(gemeente)
        if config is None:
            continue

        def ontvangers(
            session: Session,
            cv_id: str = cv_id,
            afdeling: str | None = afdeling,
            groep: str | None = groep,
            eigen: str | None = eigen_afdeling,
            config: KlantcontactenSettings = config,
        ) -> tuple[str, ...]:
            return escalatie_ontvangers(
                config,
                afdeling=afdeling,
                groep=groep,
                medewerker_afdeling=eigen,
                toegewezen=_huidige_ontvangers(session, cv_id),
            )

        rij_id = _een_keer(
            store, gemeente, cv_id, kc_id, NotificatieSoort.ESCALATIE, ontvangers, nu
        )
        if rij_id:
            gepland.append((gemeente, rij_id))
    return gepland


def _een_keer(
    store: Store,
    gemeente: str,
    cv_id: str,
    kc_id: str,
    soort: NotificatieSoort,
    ontvangers: Callable[[Session], tuple[str, ...]],
    nu: datetime,
) -> str | None:
    """Queue the mail and mark the contactverzoek in one transaction; the unique key makes a
    concurrent or repeated plan a no-op."""
    try:
        with store.session() as session:
            cv = session.get(ContactverzoekRij, cv_id)
            if cv is None or cv.status != Status.TE_VERWERKEN.value:
                return None
            rij_id = nieuw(
                session,
                gemeente=gemeente,
                soort=MAIL,
                klantcontact_id=kc_id,
                contactverzoek_id=cv_id,
                mail_soort=soort.value,
                ontvangers=ontvangers(session),
                uniek=f"{soort.value}:{cv_id}",
                nu=nu,
            )
            if soort is NotificatieSoort.HERINNERING:
                cv.herinnering_op = None
            else:
                cv.escalatie_gepland = True
                cv.herinnering_op = None
            session.flush()
    except IntegrityError:
        # Planned already (another scheduler, a repeated job): exactly one mail exists.
        with store.session() as session:
            cv = session.get(ContactverzoekRij, cv_id)
            if cv is not None:
                if soort is NotificatieSoort.HERINNERING:
                    cv.herinnering_op = None
                else:
                    cv.escalatie_gepland = True
        return None
    return rij_id
