"""Search and export of the logboek for the privacy officer (no BSNs leave this way)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.privacy.keys import LogboekSleutels
from hub.privacy.logboek.chain import BATCH, betrokkenen_of, latest_checkpoint
from hub.privacy.logboek.tables import LogboekBetrokkene, LogboekKeten, LogboekRecord, iso


@dataclass(frozen=True)
class LogboekRegel:
    """A logboek record as the privacy officer sees it (no BSNs)."""

    volgnummer: int
    trace_id: str
    span_id: str
    activiteit: str
    start_time: datetime
    end_time: datetime
    status: str
    http_status: int
    doel: str | None
    verwerkingsactiviteit: str | None
    medewerker: str
    rol: str
    client_id: str
    velden: list[str]
    aantal_personen: int
    aantal_betrokkenen: int
    foreign_operation: str | None
    signalen: list[str]

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["start_time"] = iso(self.start_time)
        out["end_time"] = iso(self.end_time)
        return out


@dataclass(frozen=True)
class Pagina:
    items: list[LogboekRegel]
    totaal: int
    pagina: int
    grootte: int


def _regel(record: LogboekRecord, betrokkenen: int) -> LogboekRegel:
    return LogboekRegel(
        volgnummer=record.volgnummer,
        trace_id=record.trace_id,
        span_id=record.span_id,
        activiteit=record.name,
        start_time=record.start_time,
        end_time=record.end_time,
        status=record.status,
        http_status=record.http_status,
        doel=record.doel,
        verwerkingsactiviteit=record.processing_activity_id,
        medewerker=record.medewerker,
        rol=record.rol,
        client_id=record.client_id,
        velden=json.loads(record.velden),
        aantal_personen=record.aantal_personen,
        aantal_betrokkenen=betrokkenen,
        foreign_operation=record.foreign_operation,
        signalen=record.signalen.split(",") if record.signalen else [],
    )


MAX_PAGE_SIZE = 200


def search(
    session: Session,
    sleutels: LogboekSleutels,
    *,
    bsn: str | None = None,
    medewerker: str | None = None,
    doel: str | None = None,
    van: datetime | None = None,
    tot: datetime | None = None,
    signaal: str | None = None,
    page: int = 1,
    size: int = 50,
) -> Pagina:
    """Records of the gemeente, newest first, filtered; a BSN is matched by its keyed hash."""
    page = max(page, 1)
    size = min(max(size, 1), MAX_PAGE_SIZE)
    gemeente = sleutels.gemeente
    where = [LogboekRecord.gemeente == gemeente]
    if bsn is not None:
        digest = sleutels.betrokkene_hash(bsn)
        where.append(
            LogboekRecord.volgnummer.in_(
                select(LogboekBetrokkene.volgnummer).where(
                    LogboekBetrokkene.gemeente == gemeente,
                    LogboekBetrokkene.betrokkene_hash == digest,
                )
            )
        )
    if medewerker is not None:
        where.append(LogboekRecord.medewerker == medewerker)
    if doel is not None:
        where.append(LogboekRecord.doel == doel)
    if van is not None:
        where.append(LogboekRecord.start_time >= van)
    if tot is not None:
        where.append(LogboekRecord.start_time < tot)
    if signaal is not None:
        where.append(LogboekRecord.signalen.contains(signaal))
    total = int(session.scalar(select(func.count()).select_from(LogboekRecord).where(*where)) or 0)
    records = list(
        session.scalars(
            select(LogboekRecord)
            .where(*where)
            .order_by(LogboekRecord.volgnummer.desc())
            .offset((page - 1) * size)
            .limit(size)
        )
    )
    counts: dict[int, int] = {}
    if records:
        rows = session.execute(
            select(LogboekBetrokkene.volgnummer, func.count())
            .where(
                LogboekBetrokkene.gemeente == gemeente,
                LogboekBetrokkene.volgnummer.in_([r.volgnummer for r in records]),
            )
            .group_by(LogboekBetrokkene.volgnummer)
        ).all()
        counts = {int(v): int(c) for v, c in rows}
    return Pagina(
        items=[_regel(r, counts.get(r.volgnummer, 0)) for r in records],
        totaal=total,
        pagina=page,
        grootte=size,
    )


def export(
    session: Session, gemeente: str, *, van: datetime | None = None, tot: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Every record (with hashes, betrokkene hashes and ciphertexts) for archiving or outside
    verification, in chain order; the first item describes the chain's checkpoint and head."""
    checkpoint = latest_checkpoint(session, gemeente)
    head = session.get(LogboekKeten, gemeente)
    yield {
        "soort": "keten",
        "gemeente": gemeente,
        "checkpoint": None
        if checkpoint is None
        else {
            "volgnummer": checkpoint.volgnummer,
            "record_hash": checkpoint.record_hash,
            "aantal_verwijderd": checkpoint.aantal_verwijderd,
            "ouder_dan": iso(checkpoint.ouder_dan),
            "gepurged_op": iso(checkpoint.gepurged_op),
            "handtekening": checkpoint.handtekening,
        },
        "kop": None
        if head is None
        else {"volgnummer": head.volgnummer, "laatste_hash": head.laatste_hash},
    }
    where = [LogboekRecord.gemeente == gemeente]
    if van is not None:
        where.append(LogboekRecord.start_time >= van)
    if tot is not None:
        where.append(LogboekRecord.start_time < tot)
    after = 0
    while True:
        batch = list(
            session.scalars(
                select(LogboekRecord)
                .where(*where, LogboekRecord.volgnummer > after)
                .order_by(LogboekRecord.volgnummer)
                .limit(BATCH)
            )
        )
        if not batch:
            return
        children = betrokkenen_of(session, gemeente, batch[0].volgnummer, batch[-1].volgnummer)
        for r in batch:
            yield {
                "soort": "record",
                "gemeente": r.gemeente,
                "volgnummer": r.volgnummer,
                "trace_id": r.trace_id,
                "span_id": r.span_id,
                "parent_span_id": r.parent_span_id,
                "name": r.name,
                "start_time": iso(r.start_time),
                "end_time": iso(r.end_time),
                "status_code": r.status_code,
                "status": r.status,
                "http_status": r.http_status,
                "attributes": {
                    "dpl.core.processing_activity_id": r.processing_activity_id,
                    "dpl.core.data_subject_id_type": "BSN",
                },
                "doel": r.doel,
                "medewerker": r.medewerker,
                "rol": r.rol,
                "client_id": r.client_id,
                "velden": json.loads(r.velden),
                "aantal_personen": r.aantal_personen,
                "foreign_operation": r.foreign_operation,
                "signalen": r.signalen,
                "betrokkenen": [
                    {"hash": d, "bsn_versleuteld": s} for d, s in children.get(r.volgnummer, [])
                ],
                "prev_hash": r.prev_hash,
                "record_hash": r.record_hash,
            }
        after = batch[-1].volgnummer
        for r in batch:
            session.expunge(r)
