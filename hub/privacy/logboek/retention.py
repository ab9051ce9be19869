"""Retention: purging the prefix of a chain older than the bewaartermijn, leaving a signed
checkpoint that verification continues from (see :mod:`hub.privacy.logboek`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from hub.privacy.keys import LogboekSleutels
from hub.privacy.logboek.chain import checkpoint_message, latest_checkpoint, verify
from hub.privacy.logboek.tables import (
    LogboekBetrokkene,
    LogboekCheckpoint,
    LogboekPurgeVergunning,
    LogboekRecord,
)
from hub.store.base import utcnow


class PurgeGeweigerd(Exception):
    """The chain is broken; purging would destroy the evidence, so it is refused."""


@dataclass(frozen=True)
class PurgeResultaat:
    gemeente: str
    verwijderd: int
    tot_en_met_volgnummer: int | None


def purge(
    session: Session,
    sleutels: LogboekSleutels,
    bewaartermijn_dagen: int,
    *,
    nu: datetime | None = None,
) -> PurgeResultaat:
    """Remove the records older than the bewaartermijn, leaving a signed checkpoint.

    Only a prefix of the chain is removed (records after the first one still
    within the bewaartermijn stay, even if older), so the remaining chain
    starts right after the checkpoint. The part to remove is verified first; a
    broken chain is never purged (:class:`PurgeGeweigerd`).
    """
    gemeente = sleutels.gemeente
    moment = nu or utcnow()
    ouder_dan = moment - timedelta(days=bewaartermijn_dagen)
    first_kept = session.scalar(
        select(func.min(LogboekRecord.volgnummer)).where(
            LogboekRecord.gemeente == gemeente, LogboekRecord.start_time >= ouder_dan
        )
    )
    last_old_query = select(func.max(LogboekRecord.volgnummer)).where(
        LogboekRecord.gemeente == gemeente, LogboekRecord.start_time < ouder_dan
    )
    if first_kept is not None:
        last_old_query = last_old_query.where(LogboekRecord.volgnummer < first_kept)
    last_old = session.scalar(last_old_query)
    if last_old is None:
        return PurgeResultaat(gemeente, 0, None)
    check = verify(session, sleutels, tot_en_met=int(last_old))
    if not check.intact:
        raise PurgeGeweigerd(
            f"logboek van gemeente {gemeente} is niet intact "
            f"(volgnummer {check.eerste_breuk.volgnummer if check.eerste_breuk else '?'}); "
            "niets verwijderd"
        )
    last = session.scalars(
        select(LogboekRecord).where(
            LogboekRecord.gemeente == gemeente, LogboekRecord.volgnummer == last_old
        )
    ).one()
    previous = latest_checkpoint(session, gemeente)
    low = previous.volgnummer if previous is not None else 0
    count = int(last_old) - low
    checkpoint = LogboekCheckpoint(
        gemeente=gemeente,
        volgnummer=last.volgnummer,
        record_hash=last.record_hash,
        aantal_verwijderd=count,
        ouder_dan=ouder_dan,
        gepurged_op=moment,
        handtekening="",
    )
    checkpoint.handtekening = sleutels.onderteken(checkpoint_message(checkpoint))
    session.add(checkpoint)
    session.flush()
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SET LOCAL kcc_hub.retention_purge = 'on'"))
    elif dialect == "sqlite":
        session.add(LogboekPurgeVergunning(gemeente=gemeente))
        session.flush()
    session.execute(
        delete(LogboekBetrokkene).where(
            LogboekBetrokkene.gemeente == gemeente, LogboekBetrokkene.volgnummer <= last_old
        )
    )
    session.execute(
        delete(LogboekRecord).where(
            LogboekRecord.gemeente == gemeente, LogboekRecord.volgnummer <= last_old
        )
    )
    if dialect == "postgresql":
        session.execute(text("SET LOCAL kcc_hub.retention_purge = 'off'"))
    elif dialect == "sqlite":
        session.execute(
            delete(LogboekPurgeVergunning).where(LogboekPurgeVergunning.gemeente == gemeente)
        )
    session.flush()
    return PurgeResultaat(gemeente, count, int(last_old))
