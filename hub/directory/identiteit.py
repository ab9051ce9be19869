"""Who a user named by a front end is in the directory: their medewerker, groups and roles.

A front end that forwards only a user's name (KISS sends an e-mail address or account
name in a header) is trusted for the name, never for roles: the roles come from the
groups the directory puts the medewerker in, through the gemeente's mapping of group
to hub role. Nested groups count (a member of a member of a group is in it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hub.directory.groep_tables import GroepLidRow, GroepRow, UitgeschakeldAccountRow
from hub.directory.search import to_medewerker
from hub.directory.tables import MedewerkerRow
from hub.domain.medewerkers import Medewerker

# Deeper nesting than this is a directory loop or a mistake; stop following it.
MAX_NESTING = 10
MAX_NAAM = 512


class Herkenning(StrEnum):
    """How a user name matched the directory."""

    GEVONDEN = "gevonden"
    ONBEKEND = "onbekend"
    UITGESCHAKELD = "uitgeschakeld"
    DUBBELZINNIG = "dubbelzinnig"


@dataclass(frozen=True)
class GroepNaam:
    id: str
    naam: str
    identificatie: str | None


@dataclass(frozen=True)
class Gebruiker:
    """The outcome of :func:`herken_gebruiker`; ``medewerker`` only when ``GEVONDEN``."""

    herkenning: Herkenning
    medewerker: Medewerker | None = None
    groepen: tuple[GroepNaam, ...] = field(default=())


def _key(waarde: str) -> str:
    key = waarde.strip().lower()
    # A Windows logon name (GEMEENTE\jjanssen) names the account after the backslash.
    return key.rsplit("\\", 1)[-1]


def herken_gebruiker(session: Session, gemeente: str, waarde: str) -> Gebruiker:
    """Match an e-mail address or account name (case-insensitive) to one medewerker.

    Two medewerkers matching the same name is ambiguous and never guessed at; a name
    that only a switched-off account carries is reported as such.
    """
    key = _key(waarde)
    if not key or len(key) > MAX_NAAM:
        return Gebruiker(Herkenning.ONBEKEND)
    rows = list(
        session.scalars(
            select(MedewerkerRow)
            .where(
                MedewerkerRow.gemeente == gemeente,
                or_(
                    func.lower(MedewerkerRow.email) == key,
                    func.lower(MedewerkerRow.account_naam) == key,
                ),
            )
            .limit(2)
        )
    )
    if len(rows) > 1:
        return Gebruiker(Herkenning.DUBBELZINNIG)
    if rows:
        row = rows[0]
        return Gebruiker(
            Herkenning.GEVONDEN, to_medewerker(row), tuple(groepen_van(session, gemeente, row.id))
        )
    disabled = session.scalar(
        select(UitgeschakeldAccountRow.id)
        .where(
            UitgeschakeldAccountRow.gemeente == gemeente,
            or_(UitgeschakeldAccountRow.account_naam == key, UitgeschakeldAccountRow.email == key),
        )
        .limit(1)
    )
    return Gebruiker(Herkenning.UITGESCHAKELD if disabled else Herkenning.ONBEKEND)


def groepen_van(session: Session, gemeente: str, lid_id: str) -> list[GroepNaam]:
    """Every synced group ``lid_id`` is in, directly or through nested groups, by name."""
    seen: set[str] = set()
    frontier = {lid_id}
    for _ in range(MAX_NESTING):
        parents = (
            set(
                session.scalars(
                    select(GroepLidRow.groep_id).where(
                        GroepLidRow.gemeente == gemeente, GroepLidRow.lid_id.in_(sorted(frontier))
                    )
                )
            )
            - seen
        )
        if not parents:
            break
        seen |= parents
        frontier = parents
    if not seen:
        return []
    rows = session.scalars(
        select(GroepRow)
        .where(GroepRow.gemeente == gemeente, GroepRow.id.in_(sorted(seen)))
        .order_by(GroepRow.naam_norm, GroepRow.id)
    )
    return [GroepNaam(r.id, r.naam, r.identificatie) for r in rows]


def rollen_uit_groepen(groepen: Iterable[GroepNaam], mapping: Mapping[str, str]) -> frozenset[str]:
    """The hub roles these groups map to; a mapping key is a group's name or short name,
    compared case-insensitively."""
    by_name = {name.strip().lower(): rol for name, rol in mapping.items()}
    rollen: set[str] = set()
    for groep in groepen:
        for name in (groep.naam, groep.identificatie):
            if name and name.strip().lower() in by_name:
                rollen.add(by_name[name.strip().lower()])
    return frozenset(rollen)
