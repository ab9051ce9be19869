"""Availability from a calendar, backend-neutral: both EWS and Graph are reduced to a MailboxAgenda.

The rules (one place, so both backends answer the same):

* ``onbekend``: the mailbox could not be read.
* ``afwezig``: automatic replies are on (always, or scheduled around now), or an
  out-of-office appointment covers now. ``tot`` is when that ends, if known.
* ``buiten_werktijd``: the mailbox has working hours and now is outside them; ``tot`` is
  when the next working period starts.
* ``bezet``: a busy or tentative appointment covers now; ``tot`` is the end of the
  uninterrupted busy stretch.
* ``vrij``: otherwise; ``tot`` is when the next busy block, out-of-office period or the
  end of the working day comes, whichever is first.

``volgend_vrij_moment`` is the start of the first stretch of at least N minutes inside
working hours, free of busy, tentative and out-of-office time, from now until the end of
the window. Only times leave this module: never subjects, locations or attendees.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from hub.plugin_sdk import Beschikbaarheid, BeschikbaarheidStatus, BezetBlok, Werktijd

Interval = tuple[datetime, datetime]


class Soort(StrEnum):
    BEZET = "bezet"
    VOORLOPIG = "voorlopig"
    AFWEZIG = "afwezig"
    ELDERS = "elders"


# Kinds of calendar time during which a colleague cannot take a transferred call.
_NIET_BEREIKBAAR = frozenset({Soort.BEZET, Soort.VOORLOPIG, Soort.AFWEZIG})


@dataclass(frozen=True)
class Blok:
    van: datetime
    tot: datetime
    soort: Soort


@dataclass(frozen=True)
class Werkperiode:
    """Working time on some weekdays (ISO: Monday 1 … Sunday 7), minutes since local midnight."""

    dagen: frozenset[int]
    start_minuut: int
    eind_minuut: int


@dataclass(frozen=True)
class Werktijden:
    perioden: tuple[Werkperiode, ...]
    zone: tzinfo


@dataclass(frozen=True)
class Afwezigheid:
    """Automatic replies: always on (no dates) or scheduled between ``van`` and ``tot``."""

    aan: bool
    van: datetime | None = None
    tot: datetime | None = None
    bericht: str | None = None

    def actief_op(self, moment: datetime) -> bool:
        if not self.aan:
            return False
        if self.van is not None and moment < self.van:
            return False
        return not (self.tot is not None and moment >= self.tot)

    def periode(self, einde: datetime) -> Interval | None:
        if not self.aan:
            return None
        return (self.van or datetime.min.replace(tzinfo=UTC), self.tot or einde)


@dataclass(frozen=True)
class MailboxAgenda:
    """What a backend read for one mailbox; ``fout`` set when it could not be read."""

    email: str
    blokken: tuple[Blok, ...] = ()
    werktijden: Werktijden | None = None
    afwezigheid: Afwezigheid | None = None
    fout: str | None = None


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(base: Sequence[Interval], holes: Sequence[Interval]) -> list[Interval]:
    result: list[Interval] = []
    for start, end in base:
        cursor = start
        for h_start, h_end in holes:
            if h_end <= cursor or h_start >= end:
                continue
            if h_start > cursor:
                result.append((cursor, h_start))
            cursor = max(cursor, h_end)
        if cursor < end:
            result.append((cursor, end))
    return result


def werk_intervallen(werktijden: Werktijden, van: datetime, tot: datetime) -> list[Interval]:
    """Working periods between ``van`` and ``tot`` as UTC intervals, in the mailbox's own zone.

    Each local day is converted separately, so the hour shifts of daylight saving time land
    on the right days. An end of 23:59 means the end of the day (Outlook cannot say 24:00).
    """
    zone = werktijden.zone
    first = van.astimezone(zone).date() - timedelta(days=1)
    last = tot.astimezone(zone).date() + timedelta(days=1)
    intervals: list[Interval] = []
    day = first
    while day <= last:
        for periode in werktijden.perioden:
            if day.isoweekday() not in periode.dagen:
                continue
            start = _local(day, periode.start_minuut, zone)
            eind_minuut = 1440 if periode.eind_minuut >= 1439 else periode.eind_minuut
            end = _local(day, eind_minuut, zone)
            intervals.append((start, end))
        day += timedelta(days=1)
    return [(s, e) for s, e in _merge(intervals) if e > van and s < tot]


def _local(day: date, minutes: int, zone: tzinfo) -> datetime:
    if minutes >= 1440:
        day, minutes = day + timedelta(days=1), minutes - 1440
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return local.astimezone(UTC)


def _containing(intervals: Sequence[Interval], moment: datetime) -> Interval | None:
    for start, end in intervals:
        if start <= moment < end:
            return (start, end)
    return None


def bereken(
    agenda: MailboxAgenda,
    *,
    nu: datetime,
    van: datetime,
    tot: datetime,
    min_vrij: timedelta,
    zone: tzinfo,
) -> Beschikbaarheid:
    """The Beschikbaarheid of one mailbox at ``nu``, with busy blocks between ``van`` and ``tot``.

    Times are given in ``zone`` (the gemeente's), so they serialise with their offset.
    """
    nu = nu.astimezone(UTC)
    if agenda.fout is not None:
        return Beschikbaarheid(
            email=agenda.email,
            status=BeschikbaarheidStatus.ONBEKEND,
            peilmoment=nu.astimezone(zone),
        )
    horizon = max(tot, nu)
    blokken = sorted(
        (b for b in agenda.blokken if b.tot > van and b.van < tot), key=lambda b: (b.van, b.tot)
    )
    afwezig_periodes = _merge(
        [(b.van, b.tot) for b in agenda.blokken if b.soort == Soort.AFWEZIG]
        + ([p] if agenda.afwezigheid and (p := agenda.afwezigheid.periode(horizon)) else [])
    )
    onbereikbaar = _merge(
        [(b.van, b.tot) for b in agenda.blokken if b.soort in _NIET_BEREIKBAAR] + afwezig_periodes
    )
    werk = (
        werk_intervallen(agenda.werktijden, min(van, nu), horizon + timedelta(days=1))
        if agenda.werktijden is not None and agenda.werktijden.perioden
        else None
    )

    status: BeschikbaarheidStatus
    status_tot: datetime | None
    afwezig_nu = _containing(afwezig_periodes, nu)
    bezig = _containing(onbereikbaar, nu)
    werk_nu = _containing(werk, nu) if werk is not None else (nu, datetime.max.replace(tzinfo=UTC))
    if afwezig_nu is not None:
        status = BeschikbaarheidStatus.AFWEZIG
        status_tot = None if afwezig_nu[1] >= horizon and _open_ended(agenda) else afwezig_nu[1]
    elif werk_nu is None:
        status = BeschikbaarheidStatus.BUITEN_WERKTIJD
        status_tot = next((s for s, _ in werk or [] if s > nu), None)
    elif bezig is not None:
        status = BeschikbaarheidStatus.BEZET
        status_tot = bezig[1]
    else:
        status = BeschikbaarheidStatus.VRIJ
        candidates = [s for s, _ in onbereikbaar if s > nu]
        if werk is not None and werk_nu[1] < horizon:
            candidates.append(werk_nu[1])
        status_tot = min(candidates, default=None)

    basis = werk if werk is not None else [(nu, horizon)]
    vrij = _subtract([(max(s, nu), min(e, horizon)) for s, e in basis if e > nu], onbereikbaar)
    volgend = next((s for s, e in vrij if e - s >= min_vrij), None)

    afwezigheid = agenda.afwezigheid
    return Beschikbaarheid(
        email=agenda.email,
        status=status,
        tot=status_tot.astimezone(zone) if status_tot else None,
        volgend_vrij_moment=volgend.astimezone(zone) if volgend else None,
        afwezigheidsbericht=(
            afwezigheid.bericht if afwezigheid is not None and afwezigheid.actief_op(nu) else None
        ),
        peilmoment=nu.astimezone(zone),
        bezet=[
            BezetBlok(van=b.van.astimezone(zone), tot=b.tot.astimezone(zone), soort=b.soort.value)
            for b in blokken
        ],
        werktijden=werktijden_van(agenda),
    )


def _hhmm(minutes: int) -> str:
    minutes = min(max(minutes, 0), 1440)
    # Outlook ends a whole day at 23:59; the hub writes that as midnight.
    if minutes >= 1439:
        return "24:00"
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def werktijden_van(agenda: MailboxAgenda) -> list[Werktijd] | None:
    """The mailbox's working hours as the domain carries them (None when it has none)."""
    if agenda.werktijden is None or not agenda.werktijden.perioden:
        return None
    return [
        Werktijd(dagen=sorted(p.dagen), van=_hhmm(p.start_minuut), tot=_hhmm(p.eind_minuut))
        for p in agenda.werktijden.perioden
        if p.eind_minuut > p.start_minuut
    ]


def _open_ended(agenda: MailboxAgenda) -> bool:
    return (
        agenda.afwezigheid is not None and agenda.afwezigheid.aan and agenda.afwezigheid.tot is None
    )
