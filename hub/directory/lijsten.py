"""Listing the directory page by page: medewerkers, afdelingen and groepen, filtered and ordered.

For readers that walk the whole directory (a search index such as KISS's, through the
Objects API facade): one page is one bounded query, so memory stays the same whatever
the page number. Filters are exact (case-sensitive, as stored), ``icontains`` (case- and
accent-insensitive where the directory keeps a folded copy) or ``in`` (one of several
exact values). Afdelingen are the distinct departments of the medewerkers; their
identificatie is the folded name with hyphens ("sociaal-domein").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from hub.directory.groep_tables import GroepLidRow, GroepRow
from hub.directory.identiteit import GroepNaam
from hub.directory.normalize import normalized
from hub.directory.search import to_medewerker
from hub.directory.tables import MedewerkerRow
from hub.domain.groepen import Groep
from hub.domain.medewerkers import Medewerker

Operator = Literal["exact", "icontains", "in"]
MAX_PAGE = 500
T = TypeVar("T")


@dataclass(frozen=True)
class Filter:
    veld: str
    op: Operator
    waarde: str


@dataclass(frozen=True)
class Volgorde:
    veld: str
    aflopend: bool = False


@dataclass(frozen=True)
class Afdeling:
    identificatie: str
    naam: str


@dataclass(frozen=True)
class Pagina(Generic[T]):
    items: list[T]
    totaal: int


# field -> (stored column, folded column or None)
_M = MedewerkerRow
MEDEWERKER_VELDEN: Mapping[str, tuple[Any, Any]] = {
    "id": (_M.id, None),
    "account_naam": (_M.account_naam, None),
    "voornaam": (_M.voornaam, None),
    "achternaam": (_M.achternaam, _M.achternaam_norm),
    "weergavenaam": (_M.weergavenaam, _M.weergavenaam_norm),
    "functie": (_M.functie, _M.functie_norm),
    "afdeling": (_M.afdeling, _M.afdeling_norm),
    "email": (_M.email, None),
}
GROEP_VELDEN: Mapping[str, tuple[Any, Any]] = {
    "id": (GroepRow.id, None),
    "naam": (GroepRow.naam, GroepRow.naam_norm),
    "identificatie": (GroepRow.identificatie, None),
    "email": (GroepRow.email, None),
}


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _condition(stored: Any, folded: Any, f: Filter) -> ColumnElement[bool]:
    if f.op == "exact":
        return stored == f.waarde  # type: ignore[no-any-return]
    if f.op == "in":
        return stored.in_([v for v in f.waarde.split("|")])  # type: ignore[no-any-return]
    wanted = normalized(f.waarde)
    if folded is not None and wanted:
        return folded.like(_like(wanted), escape="\\")  # type: ignore[no-any-return]
    return func.lower(stored).like(_like(f.waarde.lower()), escape="\\")


def _order(column: Any, aflopend: bool) -> Any:
    # Empty values sort as "" on both databases (SQLite and PostgreSQL place NULL differently);
    # a column that is never NULL is ordered as it is, so its index can serve the order.
    nullable = getattr(getattr(column, "expression", None), "nullable", True)
    value = func.coalesce(column, "") if nullable else column
    return value.desc() if aflopend else value.asc()


def _count(session: Session, query: Select[*tuple[Any, ...]]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def medewerkers_pagina(
    session: Session,
    gemeente: str,
    filters: Sequence[Filter],
    volgorde: Sequence[Volgorde],
    limit: int,
    offset: int,
) -> Pagina[tuple[Medewerker, datetime]]:
    """One page of medewerkers with the moment they were synced, and the total."""
    where = [_M.gemeente == gemeente]
    for f in filters:
        stored, folded = MEDEWERKER_VELDEN[f.veld]
        where.append(_condition(stored, folded, f))
    query = select(_M).where(*where)
    order = [
        _order(MEDEWERKER_VELDEN[v.veld][1] or MEDEWERKER_VELDEN[v.veld][0], v.aflopend)
        for v in volgorde
    ]
    rows = session.scalars(
        query.order_by(*order, _M.id).limit(min(limit, MAX_PAGE)).offset(offset)
    ).all()
    return Pagina([(to_medewerker(r), r.synced_at) for r in rows], _count(session, query))


def _afdelingen_query(gemeente: str, filters: Sequence[Filter]) -> Select[str, str | None]:
    where = [_M.gemeente == gemeente, _M.afdeling.is_not(None), _M.afdeling_norm != ""]
    for f in filters:
        if f.veld == "naam":
            where.append(_condition(_M.afdeling, _M.afdeling_norm, f))
        elif f.veld == "identificatie":
            folded = [v.replace("-", " ") for v in f.waarde.split("|")]
            if f.op == "icontains":
                where.append(_M.afdeling_norm.like(_like(normalized(f.waarde)), escape="\\"))
            else:
                where.append(_M.afdeling_norm.in_(folded))
    return (
        select(_M.afdeling_norm.label("norm"), func.min(_M.afdeling).label("naam"))
        .where(*where)
        .group_by(_M.afdeling_norm)
    )


def afdeling_identificatie(norm: str) -> str:
    return norm.replace(" ", "-")


def afdelingen_pagina(
    session: Session,
    gemeente: str,
    filters: Sequence[Filter],
    aflopend: bool,
    limit: int,
    offset: int,
) -> Pagina[Afdeling]:
    """One page of the distinct afdelingen, ordered by name."""
    query = _afdelingen_query(gemeente, filters)
    sub = query.subquery()
    rows = session.execute(
        select(sub.c.norm, sub.c.naam)
        .order_by(sub.c.norm.desc() if aflopend else sub.c.norm.asc())
        .limit(min(limit, MAX_PAGE))
        .offset(offset)
    ).all()
    items = [Afdeling(afdeling_identificatie(r.norm), r.naam) for r in rows]
    return Pagina(items, _count(session, query))


def afdelingen_per_naam(session: Session, gemeente: str) -> Iterator[Afdeling]:
    """Every afdeling, streamed (for a lookup by a key derived from the name)."""
    query = _afdelingen_query(gemeente, []).order_by(_M.afdeling_norm)
    for row in session.execute(query.execution_options(yield_per=500)):
        yield Afdeling(afdeling_identificatie(row.norm), row.naam)


def groepen_pagina(
    session: Session,
    gemeente: str,
    filters: Sequence[Filter],
    volgorde: Sequence[Volgorde],
    limit: int,
    offset: int,
) -> Pagina[Groep]:
    where = [GroepRow.gemeente == gemeente]
    for f in filters:
        stored, folded = GROEP_VELDEN[f.veld]
        where.append(_condition(stored, folded, f))
    query = select(GroepRow).where(*where)
    order = [
        _order(GROEP_VELDEN[v.veld][1] or GROEP_VELDEN[v.veld][0], v.aflopend) for v in volgorde
    ]
    rows = session.scalars(
        query.order_by(*order, GroepRow.id).limit(min(limit, MAX_PAGE)).offset(offset)
    ).all()
    return Pagina([_groep(r) for r in rows], _count(session, query))


def _groep(row: GroepRow) -> Groep:
    return Groep(
        id=row.id,
        naam=row.naam,
        identificatie=row.identificatie,
        email=row.email,
        omschrijving=row.omschrijving,
    )


def groep(session: Session, gemeente: str, groep_id: str) -> Groep | None:
    row = session.get(GroepRow, (gemeente, groep_id))
    return _groep(row) if row is not None else None


def directe_groepen(
    session: Session, gemeente: str, lid_ids: Sequence[str]
) -> dict[str, list[GroepNaam]]:
    """The synced groups each of these members is directly in (one query per page)."""
    found: dict[str, list[GroepNaam]] = {i: [] for i in lid_ids}
    if not lid_ids:
        return found
    rows = session.execute(
        select(GroepLidRow.lid_id, GroepRow.id, GroepRow.naam, GroepRow.identificatie)
        .join(
            GroepRow,
            (GroepRow.gemeente == GroepLidRow.gemeente) & (GroepRow.id == GroepLidRow.groep_id),
        )
        .where(GroepLidRow.gemeente == gemeente, GroepLidRow.lid_id.in_(list(lid_ids)))
        .order_by(GroepRow.naam_norm, GroepRow.id)
    )
    for lid_id, groep_id, naam, identificatie in rows:
        found[lid_id].append(GroepNaam(groep_id, naam, identificatie))
    return found
