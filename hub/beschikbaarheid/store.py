"""Reading and writing the last known availability; the ``beschikbaarheid`` sync sink."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from hub.beschikbaarheid.tables import BeschikbaarheidRow
from hub.directory.tables import MedewerkerRow
from hub.domain.beschikbaarheid import (
    Beschikbaarheid,
    BeschikbaarheidStatus,
    BezetBlok,
    Werktijd,
)
from hub.plugin_api import SyncBatch
from hub.store import generaties
from hub.sync.sinks import Applied, Sink

KIND = "beschikbaarheid"
ZONE = ZoneInfo("Europe/Amsterdam")
_CHUNK = 500


@dataclass(frozen=True)
class Opgeslagen:
    """A stored availability with when the hub last refreshed it."""

    beschikbaarheid: Beschikbaarheid
    refreshed_at: datetime
    venster_tot: datetime | None = None

    def dekt(self, van: datetime, tot: datetime) -> bool:
        """Whether the stored busy blocks are complete for the window ``van``–``tot``."""
        return (
            self.venster_tot is not None
            and van >= self.beschikbaarheid.peilmoment
            and tot <= self.venster_tot
        )

    def leeftijd(self, nu: datetime | None = None) -> timedelta:
        return (nu or datetime.now(UTC)) - self.refreshed_at

    def verouderd(self, max_age: timedelta, nu: datetime | None = None) -> bool:
        return self.leeftijd(nu) > max_age


def _key(email: str) -> str:
    return email.strip().lower()


def _local(moment: datetime | None) -> datetime | None:
    # Stored in UTC; served with the Amsterdam offset of its own date.
    return moment.astimezone(ZONE) if moment is not None else None


def _to_domain(row: BeschikbaarheidRow) -> Beschikbaarheid:
    peilmoment = _local(row.peilmoment)
    assert peilmoment is not None
    return Beschikbaarheid(
        email=row.email,
        status=BeschikbaarheidStatus(row.status),
        tot=_local(row.tot),
        volgend_vrij_moment=_local(row.volgend_vrij_moment),
        afwezigheidsbericht=row.afwezigheidsbericht,
        peilmoment=peilmoment,
        bezet=[
            BezetBlok(
                van=datetime.fromisoformat(b["van"]).astimezone(ZONE),
                tot=datetime.fromisoformat(b["tot"]).astimezone(ZONE),
                soort=b.get("soort", "bezet"),
            )
            for b in row.bezet
        ],
        werktijden=(
            [Werktijd.model_validate(w) for w in row.werktijden]
            if row.werktijden is not None
            else None
        ),
    )


def upsert(
    session: Session,
    gemeente: str,
    items: Iterable[Beschikbaarheid],
    refreshed_at: datetime,
    venster_tot: datetime | None = None,
) -> int:
    """Store the full current availability of each mailbox (idempotent per mailbox)."""
    count = 0
    for item in items:
        key = _key(item.email)
        row = session.get(BeschikbaarheidRow, (gemeente, key))
        if row is None:
            row = BeschikbaarheidRow(gemeente=gemeente, email=key)
            session.add(row)
        row.status = item.status.value
        row.tot = item.tot
        row.volgend_vrij_moment = item.volgend_vrij_moment
        row.afwezigheidsbericht = item.afwezigheidsbericht
        row.peilmoment = item.peilmoment
        row.bezet = [
            {
                "van": b.van.astimezone(UTC).isoformat(),
                "tot": b.tot.astimezone(UTC).isoformat(),
                "soort": b.soort,
            }
            for b in item.bezet
        ]
        row.werktijden = (
            [w.model_dump() for w in item.werktijden] if item.werktijden is not None else None
        )
        row.refreshed_at = refreshed_at
        row.venster_tot = venster_tot
        count += 1
    if count:
        # Directory answers show this availability: their cache must see it changed.
        generaties.bump(session, gemeente)
    session.flush()
    return count


def latest(session: Session, gemeente: str, emails: Sequence[str]) -> dict[str, Opgeslagen]:
    """The stored availability of these addresses in this gemeente, keyed by lower-cased address."""
    keys = sorted({_key(e) for e in emails if e})
    found: dict[str, Opgeslagen] = {}
    for start in range(0, len(keys), _CHUNK):
        rows = session.scalars(
            select(BeschikbaarheidRow).where(
                BeschikbaarheidRow.gemeente == gemeente,
                BeschikbaarheidRow.email.in_(keys[start : start + _CHUNK]),
            )
        )
        for row in rows:
            found[row.email] = Opgeslagen(_to_domain(row), row.refreshed_at, row.venster_tot)
    return found


def vrij_nu(gemeente: str, nu: datetime) -> ColumnElement[bool]:
    """A condition on the directory's medewerkers: free now by their last known availability
    (status ``vrij`` and its ``tot`` not yet passed)."""
    free = select(BeschikbaarheidRow.email).where(
        BeschikbaarheidRow.gemeente == gemeente,
        BeschikbaarheidRow.status == BeschikbaarheidStatus.VRIJ.value,
        or_(BeschikbaarheidRow.tot.is_(None), BeschikbaarheidRow.tot > nu),
    )
    return func.lower(MedewerkerRow.email).in_(free)


def apply_batch(
    session: Session, gemeente: str, batch: SyncBatch, run_started: datetime
) -> Applied:
    """The sync runner's entry: upserts are Beschikbaarheid records, deletes are addresses."""
    items = [
        u if isinstance(u, Beschikbaarheid) else Beschikbaarheid.model_validate(u.model_dump())
        for u in batch.upserts
    ]
    written = upsert(session, gemeente, items, run_started)
    keys = [_key(e) for e in batch.deletes]
    removed = 0
    for start in range(0, len(keys), _CHUNK):
        result = session.execute(
            delete(BeschikbaarheidRow).where(
                BeschikbaarheidRow.gemeente == gemeente,
                BeschikbaarheidRow.email.in_(keys[start : start + _CHUNK]),
            )
        )
        removed += int(getattr(result, "rowcount", 0) or 0)
    return Applied(written, removed)


SINK = Sink(kind=KIND, apply=apply_batch)
