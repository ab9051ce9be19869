"""Searching the stored directory: accent-insensitive, tussenvoegsel-aware, prefix, ranked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select, union_all
from sqlalchemy.orm import Session

from hub.directory.normalize import TUSSENVOEGSELS, normalized, tokens
from hub.directory.ranking import EXACT_FLOOR, INITIAL_WEIGHT, SHADOWED_WEIGHT, WEIGHTS, Veld
from hub.directory.tables import MedewerkerRow, MedewerkerToken
from hub.domain.medewerkers import Medewerker
from hub.errors import InvalidRequest

MAX_QUERY_LENGTH = 200
MAX_QUERY_TOKENS = 8
MAX_LIMIT = 100
MAX_OFFSET = 10_000
# Above every character a token can hold: "t <= token < t + _TOP" is "token starts with t".
_TOP = "\U0010ffff"

Treffer = tuple[Medewerker, datetime]


def _check_text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidRequest(f"{field} mag hoogstens {MAX_QUERY_LENGTH} tekens zijn", field=field)
    return text


def _prefix(column: Any, value: str) -> ColumnElement[bool]:
    return and_(column >= value, column < value + _TOP)


def _is_initial(token: str) -> ColumnElement[bool] | None:
    """A one-letter query word matching the start of a given name (an initial)."""
    if len(token) != 1:
        return None
    return MedewerkerToken.veld == int(Veld.VOORNAAM)


def _score(token: str, others: Sequence[str]) -> ColumnElement[int]:
    """What one stored token (a prefix match of ``token``) earns for it (see ranking.py)."""
    exact = case(
        {int(veld): weights[0] for veld, weights in WEIGHTS.items()},
        value=MedewerkerToken.veld,
        else_=0,
    )
    partial = case(
        {int(veld): weights[1] for veld, weights in WEIGHTS.items()},
        value=MedewerkerToken.veld,
        else_=0,
    )
    whens: list[tuple[ColumnElement[bool], Any]] = []
    if others:
        whens.append((MedewerkerToken.token.in_(list(others)), SHADOWED_WEIGHT))
    whens.append((MedewerkerToken.token == token, exact))
    initial = _is_initial(token)
    if initial is not None:
        whens.append((initial, INITIAL_WEIGHT))
    return case(*whens, else_=partial)


def to_medewerker(row: MedewerkerRow) -> Medewerker:
    return Medewerker(
        id=row.id,
        account_naam=row.account_naam,
        weergavenaam=row.weergavenaam,
        voornaam=row.voornaam,
        achternaam=row.achternaam,
        afdeling=row.afdeling,
        functie=row.functie,
        telefoonnummer=row.telefoonnummer,
        mobiel=row.mobiel,
        email=row.email,
        kamer=row.kamer,
        manager_id=row.manager_id,
        groepen=list(row.groepen or []),
        expertise=list(row.expertise or []),
    )


def search(
    session: Session,
    gemeente: str,
    zoek: str | None = None,
    *,
    afdeling: str | None = None,
    functie: str | None = None,
    limit: int = 20,
    offset: int = 0,
    where: Sequence[ColumnElement[bool]] = (),
) -> tuple[list[Treffer], int]:
    """Medewerkers of one gemeente matching ``zoek`` (all words, as prefixes), best first.

    ``afdeling`` and ``functie`` filter on a case- and accent-insensitive prefix; ``where``
    adds conditions on :class:`MedewerkerRow` from other areas (e.g. free now).
    Returns one page of (medewerker, synced_at) and the total number of matches.
    Raises :class:`InvalidRequest` (field ``zoek``) for input that cannot be searched.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest(f"paginagrootte moet 1 tot {MAX_LIMIT} zijn", field="paginaGrootte")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidRequest("pagina ligt buiten het bereik", field="pagina")
    text = _check_text(zoek, "zoek")
    query_tokens = tokens(text)
    if text and not query_tokens:
        raise InvalidRequest("zoekterm bevat geen letters of cijfers", field="zoek")
    if len(query_tokens) > MAX_QUERY_TOKENS:
        raise InvalidRequest(
            f"zoekterm mag hoogstens {MAX_QUERY_TOKENS} woorden hebben", field="zoek"
        )

    row = MedewerkerRow
    filters: list[ColumnElement[bool]] = [row.gemeente == gemeente, *where]
    for value, column, name in (
        (afdeling, row.afdeling_norm, "afdeling"),
        (functie, row.functie_norm, "functie"),
    ):
        wanted = normalized(_check_text(value, name))
        if wanted:
            filters.append(_prefix(column, wanted))
        elif value and value.strip():
            raise InvalidRequest(f"{name} bevat geen letters of cijfers", field=name)

    if not query_tokens:
        listing = select(row, func.count().over().label("total")).where(*filters)
        ordered = listing.order_by(row.achternaam_norm, row.weergavenaam_norm, row.id)
        rows = session.execute(ordered.limit(limit).offset(offset)).all()
        return _page(session, rows, select(row).where(*filters))

    # Tussenvoegsels are optional ("van der berg" finds a "Berg" without them) unless they
    # are all there is to search for.
    required = [t for t in query_tokens if t not in TUSSENVOEGSELS] or query_tokens
    optional = [t for t in query_tokens if t not in required]
    tok = MedewerkerToken

    # Candidates: medewerkers matching every required token; each part has one row per
    # medewerker, so "matched all" is a plain count.
    def others(token: str) -> list[str]:
        return [t for t in query_tokens if t != token]

    parts = [
        select(
            tok.medewerker_id.label("mid"),
            func.max(_score(token, others(token))).label("score"),
        )
        .where(tok.gemeente == gemeente, _prefix(tok.token, token))
        .group_by(tok.medewerker_id)
        for token in required
    ]
    matches = union_all(*parts).subquery("matches")
    candidates = (
        select(
            matches.c.mid,
            func.sum(matches.c.score).label("score"),
            # How many query words matched exactly: the first ranking key (ranking.py).
            func.sum(case((matches.c.score >= EXACT_FLOOR, 1), else_=0)).label("exact"),
        )
        .group_by(matches.c.mid)
        .having(func.count() == len(required))
        .cte("candidates")
        # Computed once, not once per reference (SQLite >= 3.35 and PostgreSQL >= 12).
        .prefix_with("MATERIALIZED")
    )
    score: ColumnElement[Any] = candidates.c.score
    for token in optional:
        # Optional tokens only rank the candidates: a primary-key probe per candidate
        # instead of scanning every "van" in the gemeente.
        probe = (
            select(func.max(_score(token, others(token))))
            .where(
                tok.gemeente == gemeente,
                tok.medewerker_id == candidates.c.mid,
                _prefix(tok.token, token),
            )
            .scalar_subquery()
        )
        score = score + func.coalesce(probe, 0)
    ranked = select(
        candidates.c.mid, candidates.c.exact.label("exact"), score.label("score")
    ).subquery("ranked")
    joined = and_(row.gemeente == gemeente, row.id == ranked.c.mid)
    listing = select(row, func.count().over().label("total")).join(ranked, joined).where(*filters)
    ordered = listing.order_by(
        ranked.c.exact.desc(),
        ranked.c.score.desc(),
        row.achternaam_norm,
        row.weergavenaam_norm,
        row.id,
    )
    rows = session.execute(ordered.limit(limit).offset(offset)).all()
    return _page(session, rows, select(row).join(ranked, joined).where(*filters))


def _page(session: Session, rows: Sequence[Any], counted: Select[Any]) -> tuple[list[Treffer], int]:
    """One page with the total (from the window count; counted again past the last page)."""
    if rows:
        total = int(rows[0].total)
    else:
        total = int(session.scalar(select(func.count()).select_from(counted.subquery())) or 0)
    return [(to_medewerker(r[0]), r[0].synced_at) for r in rows], total


def get(session: Session, gemeente: str, medewerker_id: str) -> Treffer | None:
    """One stored medewerker of this gemeente, or None."""
    if not medewerker_id or len(medewerker_id) > 64 or "\x00" in medewerker_id:
        return None
    row = session.get(MedewerkerRow, (gemeente, medewerker_id))
    if row is None:
        return None
    return to_medewerker(row), row.synced_at
