"""The weekly grid of a medewerker (ochtend and middag, maandag to vrijdag) from stored availability.

The community Medewerker objecttype (what KISS's smoelenboek shows) describes when a
colleague can be reached as a grid of half days. The hub fills it from what the
calendar reported: a half day is ``true`` when the working hours cover part of it and
the calendar does not put the whole of that working time under absence (out of office,
automatic replies) in the current week. Half days the stored window does not cover
(past days, days beyond it) follow the working hours alone; without known working hours
every half day counts as a working one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from hub.beschikbaarheid.store import ZONE, Opgeslagen
from hub.domain.beschikbaarheid import Beschikbaarheid, BeschikbaarheidStatus, Werktijd

DAGEN = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag")
MIDDAG = time(12, 0)
# When the calendar gives no working hours: an office day around noon.
_STANDAARD = (time(8, 30), time(17, 0))

Interval = tuple[datetime, datetime]
Rooster = dict[str, dict[str, bool]]


def _at(day: date, hhmm: str) -> datetime:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    if hours >= 24:
        return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=ZONE)
    return datetime.combine(day, time(hours, minutes), tzinfo=ZONE)


def _werk(day: date, werktijden: Sequence[Werktijd] | None) -> list[Interval]:
    if werktijden is None:
        start, end = _STANDAARD
        return [
            (
                datetime.combine(day, start, tzinfo=ZONE),
                datetime.combine(day, end, tzinfo=ZONE),
            )
        ]
    return [
        (_at(day, w.van), _at(day, w.tot))
        for w in werktijden
        if day.isoweekday() in w.dagen and w.tot > w.van
    ]


def _clip(intervals: Sequence[Interval], start: datetime, end: datetime) -> list[Interval]:
    return [(max(s, start), min(e, end)) for s, e in intervals if s < end and e > start]


def _covered(werk: Sequence[Interval], afwezig: Sequence[Interval]) -> bool:
    """Whether every moment of ``werk`` lies in some interval of ``afwezig``."""
    for start, end in werk:
        cursor = start
        for a_start, a_end in sorted(afwezig):
            if a_start <= cursor < a_end:
                cursor = a_end
            if cursor >= end:
                break
        if cursor < end:
            return False
    return True


def _afwezig(b: Beschikbaarheid, einde: datetime) -> list[Interval]:
    found = [(blok.van, blok.tot) for blok in b.bezet if blok.soort == "afwezig"]
    if b.status is BeschikbaarheidStatus.AFWEZIG:
        found.append((b.peilmoment, b.tot or einde))
    return found


def _halves(day: date, werktijden: Sequence[Werktijd] | None) -> dict[str, list[Interval]]:
    werk = _werk(day, werktijden)
    noon = datetime.combine(day, MIDDAG, tzinfo=ZONE)
    return {
        "ochtend": _clip(werk, datetime.combine(day, time(0, 0), tzinfo=ZONE), noon),
        "middag": _clip(werk, noon, datetime.combine(day, time(23, 59), tzinfo=ZONE)),
    }


Patroon = tuple[tuple[tuple[int, ...], str, str], ...]


@lru_cache(maxsize=256)
def _volgens_werktijden(patroon: Patroon | None, maandag: date) -> Rooster:
    """The grid from working hours alone: most colleagues share a handful of patterns."""
    werktijden = (
        [Werktijd(dagen=list(d), van=v, tot=t) for d, v, t in patroon]
        if patroon is not None
        else None
    )
    return {
        dag: {
            half: bool(intervals)
            for half, intervals in _halves(maandag + timedelta(days=offset), werktijden).items()
        }
        for offset, dag in enumerate(DAGEN)
    }


def weekrooster(opgeslagen: Opgeslagen | None, nu: datetime) -> Rooster:
    """The grid for the week of ``nu`` (Europe/Amsterdam)."""
    today = nu.astimezone(ZONE).date()
    maandag = today - timedelta(days=today.weekday())
    b = opgeslagen.beschikbaarheid if opgeslagen else None
    venster_tot = opgeslagen.venster_tot if opgeslagen else None
    patroon = (
        tuple((tuple(w.dagen), w.van, w.tot) for w in b.werktijden)
        if b and b.werktijden is not None
        else None
    )
    base = _volgens_werktijden(patroon, maandag)
    afwezig = _afwezig(b, venster_tot) if b is not None and venster_tot is not None else []
    if b is None or venster_tot is None or not afwezig:
        return {dag: dict(halves) for dag, halves in base.items()}
    rooster: Rooster = {}
    for offset, dag in enumerate(DAGEN):
        rooster[dag] = {}
        halves = _halves(maandag + timedelta(days=offset), b.werktijden)
        for half, intervals in halves.items():
            if not intervals:
                rooster[dag][half] = False
                continue
            # Only the part from the moment of the reading onwards is in the stored calendar.
            remaining = _clip(intervals, b.peilmoment, venster_tot)
            away = (
                bool(remaining)
                and max(e for _, e in intervals) <= venster_tot
                and _covered(remaining, afwezig)
            )
            rooster[dag][half] = not away
    return rooster
