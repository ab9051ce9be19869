"""The rapportage's aggregates, in SQL that runs unchanged on SQLite and PostgreSQL.

Every figure is a ``COUNT``/``SUM`` over the klantcontacten of the period (index
``gemeente, dag, afhandeling``) or their contactverzoeken (joined by ``klantcontact_id``).
The lead times were fixed in whole seconds when each contactverzoek was handled
(:mod:`hub.klantcontacten.doorlooptijd`), so their percentiles need no date arithmetic: a
window ``ROW_NUMBER`` picks the nearest rank, compared with integer multiplication only
(``rn * 100 >= n * p``), which both databases compute alike. Python only divides the counts
and rounds; sorting by name happens here too, because the databases collate differently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from hub.domain.klantcontacten import Afhandeling, Status
from hub.domain.rapportages import (
    Aantal,
    AfdelingMetContactverzoeken,
    Cijfers,
    Contactverzoekcijfers,
    Doorlooptijd,
    Groepcijfers,
    Groepering,
    Norm,
    OpenPerAfdeling,
    Rapportage,
)
from hub.klantcontacten.tables import ContactverzoekRij, KlantcontactRij, PogingRij
from hub.rapportages.periode import Periode
from hub.store.db import Store

KC = KlantcontactRij.__table__
CV = ContactverzoekRij.__table__
POGING = PogingRij.__table__
TOP_AFDELINGEN = 10
_ALLES = "\x00alles"  # the key of the ungrouped totals (no group value can be this)

_GROEPKOLOM: dict[Groepering, Any] = {
    Groepering.KANAAL: KC.c.kanaal,
    Groepering.AFDELING: KC.c.afdeling,
    Groepering.MEDEWERKER: KC.c.geregistreerd_door_medewerker,
    Groepering.DAG: KC.c.dag,
    Groepering.WEEK: KC.c.week,
}


def _telt(voorwaarde: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((voorwaarde, 1), else_=0)), 0)


@dataclass
class _Stand:
    """The raw counts of one group."""

    klantcontacten: int = 0
    per_afhandeling: dict[str, int] = field(default_factory=dict)
    verzoeken: int = 0
    open: int = 0
    over_termijn: int = 0
    afgehandeld: int = 0
    binnen_termijn: int = 0
    pogingen: int = 0
    kalender: tuple[int | None, int | None] = (None, None)
    werk: tuple[int | None, int | None] = (None, None)


def _over_termijn(nu: datetime) -> ColumnElement[bool]:
    # An imported one still waiting for the planner has no real deadline yet.
    return and_(
        CV.c.status == Status.TE_VERWERKEN.value,
        CV.c.te_plannen.is_(False),
        CV.c.deadline < nu,
    )


class _Vraag:
    def __init__(self, gemeente: str, periode: Periode, nu: datetime) -> None:
        self.gemeente = gemeente
        self.periode = periode
        self.nu = nu

    def in_periode(self) -> ColumnElement[bool]:
        return and_(
            KC.c.gemeente == self.gemeente,
            KC.c.dag >= self.periode.van.isoformat(),
            KC.c.dag <= self.periode.tot.isoformat(),
        )


def _gegroepeerd(stmt: Select[Any], groep: Any) -> Select[Any]:
    return stmt.group_by(groep) if groep is not None else stmt


def _sleutel(rij: Sequence[Any], groep: Any) -> str | None:
    return rij[0] if groep is not None else _ALLES


def _kolommen(groep: Any, *kolommen: Any) -> list[Any]:
    return ([groep.label("groep")] if groep is not None else []) + list(kolommen)


def _waarden(rij: Sequence[Any], groep: Any) -> Sequence[Any]:
    return rij[1:] if groep is not None else rij


def _tel_klantcontacten(
    session: Session, v: _Vraag, groep: Any, standen: dict[str | None, _Stand]
) -> None:
    afhandelingen = list(Afhandeling)
    stmt = select(
        *_kolommen(
            groep,
            func.count(),
            *(_telt(KC.c.afhandeling == a.value) for a in afhandelingen),
        )
    ).where(v.in_periode())
    for rij in session.execute(_gegroepeerd(stmt, groep)):
        stand = standen.setdefault(_sleutel(rij, groep), _Stand())
        aantal, *per = _waarden(rij, groep)
        stand.klantcontacten = int(aantal)
        stand.per_afhandeling = {a.value: int(n) for a, n in zip(afhandelingen, per, strict=True)}


def _tel_contactverzoeken(
    session: Session, v: _Vraag, groep: Any, standen: dict[str | None, _Stand]
) -> None:
    bron = CV.join(KC, CV.c.klantcontact_id == KC.c.id)
    stmt = (
        select(
            *_kolommen(
                groep,
                func.count(),
                _telt(CV.c.status == Status.TE_VERWERKEN.value),
                _telt(_over_termijn(v.nu)),
                _telt(CV.c.status == Status.VERWERKT.value),
                _telt(CV.c.binnen_termijn.is_(True)),
            )
        )
        .select_from(bron)
        .where(v.in_periode())
    )
    for rij in session.execute(_gegroepeerd(stmt, groep)):
        stand = standen.setdefault(_sleutel(rij, groep), _Stand())
        aantal, open_, over, af, binnen = (int(x) for x in _waarden(rij, groep))
        stand.verzoeken, stand.open, stand.over_termijn = aantal, open_, over
        stand.afgehandeld, stand.binnen_termijn = af, binnen
    pogingen = (
        select(*_kolommen(groep, func.count()))
        .select_from(
            POGING.join(CV, POGING.c.contactverzoek_id == CV.c.id).join(
                KC, CV.c.klantcontact_id == KC.c.id
            )
        )
        .where(v.in_periode())
    )
    for rij in session.execute(_gegroepeerd(pogingen, groep)):
        standen.setdefault(_sleutel(rij, groep), _Stand()).pogingen = int(_waarden(rij, groep)[0])


def _percentielen(
    session: Session, v: _Vraag, groep: Any, standen: dict[str | None, _Stand]
) -> None:
    """Median and p90 (nearest rank) of both lead times per group, in one window query."""
    bron = CV.join(KC, CV.c.klantcontact_id == KC.c.id)
    partitie = [groep] if groep is not None else None
    kalender, werk = CV.c.doorlooptijd_seconden, CV.c.doorlooptijd_werkseconden
    gerangschikt = (
        select(
            *_kolommen(
                groep,
                kalender.label("s"),
                werk.label("w"),
                func.row_number().over(partition_by=partitie, order_by=kalender).label("rs"),
                func.row_number().over(partition_by=partitie, order_by=werk).label("rw"),
                func.count().over(partition_by=partitie).label("n"),
            )
        )
        .select_from(bron)
        # Both durations are fixed together (doorlooptijd.leg_vast): one test selects both.
        .where(v.in_periode(), kalender.is_not(None), werk.is_not(None))
        .subquery()
    )
    r = gerangschikt.c

    def rang(rn: Any, waarde: Any, procent: int) -> Any:
        # Nearest rank: the first value whose rank reaches procent% of n, i.e. rn >= n*p/100.
        return func.min(case((rn * 100 >= r.n * procent, waarde)))

    groepkolom = r.groep if groep is not None else None
    stmt = select(
        *_kolommen(
            groepkolom,
            rang(r.rs, r.s, 50),
            rang(r.rs, r.s, 90),
            rang(r.rw, r.w, 50),
            rang(r.rw, r.w, 90),
        )
    )
    for rij in session.execute(_gegroepeerd(stmt, groepkolom)):
        m_s, p_s, m_w, p_w = (None if x is None else int(x) for x in _waarden(rij, groepkolom))
        stand = standen.setdefault(_sleutel(rij, groepkolom), _Stand())
        stand.kalender, stand.werk = (m_s, p_s), (m_w, p_w)


def _meet(session: Session, v: _Vraag, groep: Any) -> dict[str | None, _Stand]:
    standen: dict[str | None, _Stand] = {}
    _tel_klantcontacten(session, v, groep, standen)
    _tel_contactverzoeken(session, v, groep, standen)
    _percentielen(session, v, groep, standen)
    return standen


def _totaal(session: Session, v: _Vraag, per_groep: dict[str | None, _Stand]) -> _Stand:
    """Counts add up over the groups; only the percentiles need their own query."""
    totaal = _Stand()
    for g in per_groep.values():
        totaal.klantcontacten += g.klantcontacten
        for soort, n in g.per_afhandeling.items():
            totaal.per_afhandeling[soort] = totaal.per_afhandeling.get(soort, 0) + n
        totaal.verzoeken += g.verzoeken
        totaal.open += g.open
        totaal.over_termijn += g.over_termijn
        totaal.afgehandeld += g.afgehandeld
        totaal.binnen_termijn += g.binnen_termijn
        totaal.pogingen += g.pogingen
    _percentielen(session, v, None, {_ALLES: totaal})
    return totaal


def _aandeel(deel: int, geheel: int) -> float | None:
    return round(deel / geheel, 4) if geheel else None


def _uren(seconden: int | None) -> float | None:
    return round(seconden / 3600, 2) if seconden is not None else None


def _cijfers(stand: _Stand, norm: int) -> dict[str, Any]:
    n = stand.klantcontacten
    direct = stand.per_afhandeling.get(Afhandeling.DIRECT.value, 0)
    return {
        "klantcontacten": n,
        **{
            a.value: Aantal(
                aantal=stand.per_afhandeling.get(a.value, 0),
                aandeel=_aandeel(stand.per_afhandeling.get(a.value, 0), n),
            )
            for a in Afhandeling
        },
        # In integers: 80% of 5 contacts is met by 4 direct ones, not missed by rounding.
        "haalt_norm": direct * 100 >= norm * n if n else None,
        "contactverzoeken": Contactverzoekcijfers(
            aantal=stand.verzoeken,
            open=stand.open,
            over_termijn=stand.over_termijn,
            afgehandeld=stand.afgehandeld,
            binnen_termijn=stand.binnen_termijn,
            aandeel_binnen_termijn=_aandeel(stand.binnen_termijn, stand.afgehandeld),
            doorlooptijd=Doorlooptijd(
                mediaan_uren=_uren(stand.kalender[0]),
                p90_uren=_uren(stand.kalender[1]),
                mediaan_werkuren=_uren(stand.werk[0]),
                p90_werkuren=_uren(stand.werk[1]),
            ),
            pogingen_per_verzoek=(
                round(stand.pogingen / stand.verzoeken, 2) if stand.verzoeken else None
            ),
        ),
    }


def _afdelingen(session: Session, v: _Vraag) -> list[AfdelingMetContactverzoeken]:
    stmt = (
        select(
            KC.c.afdeling,
            func.count(),
            _telt(KC.c.afhandeling == Afhandeling.CONTACTVERZOEK.value),
        )
        .where(
            v.in_periode(),
            KC.c.afdeling.is_not(None),
            KC.c.afhandeling.in_(
                [Afhandeling.DOORVERBONDEN.value, Afhandeling.CONTACTVERZOEK.value]
            ),
        )
        .group_by(KC.c.afdeling)
    )
    rijen = [(str(a), int(n), int(c)) for a, n, c in session.execute(stmt)]
    # Highest share first (exact fractions, no float ties), then most contactverzoeken, name.
    rijen.sort(key=lambda r: (-Fraction(r[2], r[1]), -r[2], r[0]))
    return [
        AfdelingMetContactverzoeken(
            rang=i,
            afdeling=afdeling,
            vragen=vragen,
            contactverzoeken=verzoeken,
            aandeel_contactverzoek=round(verzoeken / vragen, 4),
        )
        for i, (afdeling, vragen, verzoeken) in enumerate(rijen[:TOP_AFDELINGEN], start=1)
    ]


def open_per_afdeling(session: Session, gemeente: str, nu: datetime) -> list[OpenPerAfdeling]:
    """Every contactverzoek open now, per afdeling (its own, else its medewerker's)."""
    afdeling = func.coalesce(CV.c.afdeling, CV.c.medewerker_afdeling)
    stmt = (
        select(afdeling, func.count(), _telt(_over_termijn(nu)))
        .where(CV.c.gemeente == gemeente, CV.c.status == Status.TE_VERWERKEN.value)
        .group_by(afdeling)
    )
    rijen = [(a, int(n), int(o)) for a, n, o in session.execute(stmt)]
    rijen.sort(key=lambda r: (-r[2], -r[1], r[0] is None, r[0] or ""))
    return [OpenPerAfdeling(afdeling=a, open=n, over_termijn=o) for a, n, o in rijen]


def _volgorde(sleutels: Iterable[str | None]) -> list[str | None]:
    return sorted(sleutels, key=lambda k: (k is None, k or ""))


def rapportage(
    store: Store,
    gemeente: str,
    periode: Periode,
    groepering: Groepering,
    *,
    norm_direct_procent: int,
    nu: datetime,
) -> Rapportage:
    """The figures of ``periode``, in total and per ``groepering``; no person data."""
    v = _Vraag(gemeente, periode, nu)
    groep = _GROEPKOLOM[groepering]
    with store.session() as session:
        per_groep = _meet(session, v, groep)
        totaal = _totaal(session, v, per_groep)
        afdelingen = _afdelingen(session, v)
        open_ = open_per_afdeling(session, gemeente, nu)
    return Rapportage(
        gemeente=gemeente,
        van=periode.van,
        tot=periode.tot,
        groepering=groepering,
        norm=Norm(direct_procent=norm_direct_procent),
        totaal=Cijfers(**_cijfers(totaal, norm_direct_procent)),
        groepen=[
            Groepcijfers(groep=k, **_cijfers(per_groep[k], norm_direct_procent))
            for k in _volgorde(per_groep)
        ],
        afdelingen_met_contactverzoeken=afdelingen,
        open_per_afdeling=open_,
        gemeten_op=nu,
    )
