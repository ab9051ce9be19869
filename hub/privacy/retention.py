"""Retention of the logboek: the periodic purge per gemeente (a job for the scheduler).

``purge_logboek`` runs in its own transaction: it verifies the part it is about
to remove, writes a signed checkpoint and deletes; a broken chain is never purged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hub.privacy.logboek.retention import PurgeResultaat, purge
from hub.privacy.logboek.tables import LogboekCheckpoint
from hub.privacy.settings import GemeentePrivacy
from hub.store.db import Store


def purge_logboek(
    store: Store, privacy: GemeentePrivacy, *, nu: datetime | None = None
) -> PurgeResultaat:
    """Remove the gemeente's records past its bewaartermijn (``[privacy] bewaartermijn_dagen``)."""
    with store.session() as session:
        return purge(session, privacy.sleutels, privacy.bewaartermijn_dagen, nu=nu)


@dataclass(frozen=True)
class Opschoning:
    """The last purge of a gemeente's logboek, from its signed checkpoint."""

    gepurged_op: datetime
    ouder_dan: datetime
    aantal_verwijderd: int
    tot_en_met_volgnummer: int


def laatste_opschoning(store: Store, gemeente: str) -> Opschoning | None:
    with store.session() as session:
        cp = session.scalars(
            select(LogboekCheckpoint)
            .where(LogboekCheckpoint.gemeente == gemeente)
            .order_by(LogboekCheckpoint.volgnummer.desc())
            .limit(1)
        ).first()
        if cp is None:
            return None
        return Opschoning(cp.gepurged_op, cp.ouder_dan, cp.aantal_verwijderd, cp.volgnummer)
