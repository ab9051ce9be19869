"""The outbox as a beheerder sees it: what still waits, and what failed for good.

Only ids, counts, dates and error texts: a melding's description, location and melder are
person data and never shown here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from hub.meldingen.outbox import dispatch, requeue
from hub.meldingen.tables import MISLUKT, MeldingRij, OutboxRij
from hub.store.db import Store


@dataclass(frozen=True)
class MisluktMelding:
    id: str
    aangemaakt_op: datetime
    pogingen: int
    fout: str | None
    plugin: str | None


@dataclass(frozen=True)
class OutboxStand:
    wachtend: int
    oudste_wachtend: datetime | None
    mislukt: list[MisluktMelding]


def outbox_stand(store: Store, gemeente: str, *, limit: int = 100) -> OutboxStand:
    with store.session() as session:
        wachtend, oudste = session.execute(
            select(func.count(), func.min(OutboxRij.aangemaakt_op)).where(
                OutboxRij.gemeente == gemeente, OutboxRij.verwerkt_op.is_(None)
            )
        ).one()
        mislukt = [
            MisluktMelding(r.id, r.aangemaakt_op, r.pogingen, r.laatste_fout, r.plugin)
            for r in session.scalars(
                select(MeldingRij)
                .where(MeldingRij.gemeente == gemeente, MeldingRij.status == MISLUKT)
                .order_by(MeldingRij.aangemaakt_op.desc())
                .limit(limit)
            )
        ]
    return OutboxStand(int(wachtend or 0), oudste, mislukt)


def opnieuw_indienen(store: Store, gemeente: str, melding_id: str) -> bool:
    """Put a failed melding back in the outbox and hand it to a worker; False if not failed."""
    with store.session() as session:
        row = session.get(MeldingRij, melding_id)
        if row is None or row.gemeente != gemeente or row.status != MISLUKT:
            return False
    requeue(store, gemeente, melding_id)
    dispatch(gemeente, melding_id)
    return True
