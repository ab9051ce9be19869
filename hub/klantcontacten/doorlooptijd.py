"""How long a contactverzoek took, fixed when it is handled, so the rapportages stay SQL.

The clock starts at the first assignment (a reassignment does not restart it) and stops at
``afgehandeld_op``. Two durations are stored, in whole seconds: calendar time, and working
time — only the gemeente's working hours (``werkdag_begin``–``werkdag_einde``, local time)
on working days (:mod:`hub.klantcontacten.werkdagen`: no weekends, no Dutch holidays).
``binnen_termijn`` says whether it was handled by its deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain.klantcontacten import Urgentie
from hub.klantcontacten.tables import ContactverzoekRij, ToewijzingRij
from hub.klantcontacten.werkdagen import deadline_voor, is_werkdag
from hub.klantcontacten_settings import KlantcontactenSettings
from hub.store.db import Store

BATCH = 500


def _tijd(hhmm: str) -> time:
    uur, minuut = (int(deel) for deel in hhmm.split(":"))
    return time(uur, minuut)


def werkseconden(van: datetime, tot: datetime, instellingen: KlantcontactenSettings) -> int:
    """Seconds of working time between two moments (0 when ``tot`` is not after ``van``)."""
    if tot <= van:
        return 0
    zone = ZoneInfo(instellingen.tijdzone)
    begin, einde = _tijd(instellingen.werkdag_begin), _tijd(instellingen.werkdag_einde)
    lokaal_van, lokaal_tot = van.astimezone(zone), tot.astimezone(zone)
    totaal = timedelta()
    dag = lokaal_van.date()
    while dag <= lokaal_tot.date():
        if is_werkdag(dag):
            # Aware local datetimes; subtracting them across a DST change stays exact.
            start = max(datetime.combine(dag, begin, tzinfo=zone), lokaal_van)
            stop = min(datetime.combine(dag, einde, tzinfo=zone), lokaal_tot)
            if stop > start:
                totaal += stop - start
        dag += timedelta(days=1)
    return int(totaal.total_seconds())


def _begin(session: Session, cv: ContactverzoekRij) -> datetime:
    eerste = session.scalar(
        select(ToewijzingRij.toegewezen_op)
        .where(ToewijzingRij.contactverzoek_id == cv.id)
        .order_by(ToewijzingRij.volgnummer)
        .limit(1)
    )
    return eerste or cv.toegewezen_op


def leg_vast(session: Session, cv: ContactverzoekRij, instellingen: KlantcontactenSettings) -> None:
    """Store the lead times of a handled contactverzoek (a no-op for an open one)."""
    if cv.afgehandeld_op is None:
        return
    begin = _begin(session, cv)
    if cv.bron != "hub" and cv.deadline == cv.toegewezen_op:
        # Imported already handled: the planner never set its deadline (overname.py leaves
        # the assignment moment as a stand-in).
        cv.deadline = deadline_voor(cv.toegewezen_op, Urgentie(cv.urgentie), instellingen)
    cv.doorlooptijd_seconden = max(0, int((cv.afgehandeld_op - begin).total_seconds()))
    cv.doorlooptijd_werkseconden = werkseconden(begin, cv.afgehandeld_op, instellingen)
    cv.binnen_termijn = cv.afgehandeld_op <= cv.deadline


def vul_aan(store: Store, instellingen: Callable[[str], KlantcontactenSettings | None]) -> int:
    """Fix the lead times of contactverzoeken handled without them: those closed in the
    system of record (sync) and those handled before the rapportages existed. The deadline of
    an imported one is known only once the planner has set it, so those wait for it."""
    with store.session() as session:
        rijen = session.scalars(
            select(ContactverzoekRij)
            .where(
                ContactverzoekRij.afgehandeld_op.is_not(None),
                ContactverzoekRij.doorlooptijd_seconden.is_(None),
                ContactverzoekRij.te_plannen.is_(False),
            )
            .limit(BATCH)
        ).all()
        gedaan = 0
        for cv in rijen:
            config = instellingen(cv.gemeente)
            if config is not None:
                leg_vast(session, cv, config)
                gedaan += 1
    return gedaan
