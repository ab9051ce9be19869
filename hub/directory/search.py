"""Searching the stored directory: accent-insensitive, tussenvoegsel-aware, prefix, ranked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
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
        listing = select(row.id, func.count().over().label("total")).where(*filters)
        ordered = listing.order_by(row.achternaam_norm, row.weergavenaam_norm, row.id)
        rows = session.execute(ordered.limit(limit).offset(offset)).all()
        return _page(session, gemeente, rows, select(row.id).where(*filters))

    # Tussenvoegsels are optional ("van der berg" finds a "Berg" without them) unless they
    # are all there is to search for.
    required = [t for t in query_tokens if t not in TUSSENVOEGSELS] or query_tokens
    optional = [t for t in query_tokens if t not in required]
    tok = MedewerkerToken

    def others(token: str) -> list[str]:
        return [t for t in query_tokens if t != token]

    def best(token: str, mid: Any) -> ColumnElement[Any]:
        """What ``token`` earns for medewerker ``mid``: a primary-key probe, NULL when no
        token of theirs starts with it."""
        return (
            select(func.max(_score(token, others(token))))
            .where(tok.gemeente == gemeente, tok.medewerker_id == mid, _prefix(tok.token, token))
            .scalar_subquery()
        )

    # Candidates: the medewerkers matching the longest required word (usually the rarest) by
    # a range scan, then each other required word probed per candidate. The same matches and
    # scores as scanning every word and intersecting, without grouping thousands of rows
    # of a short word ("jan" in "jan janssen") that the long one rules out anyway.
    lead_at = max(range(len(required)), key=lambda i: len(required[i]))
    lead = (
        select(
            tok.medewerker_id.label("mid"),
            func.max(_score(required[lead_at], others(required[lead_at]))).label("s0"),
        )
        .where(tok.gemeente == gemeente, _prefix(tok.token, required[lead_at]))
        .group_by(tok.medewerker_id)
        .subquery("matches")
    )
    rest = [t for i, t in enumerate(required) if i != lead_at]
    # Computed once, not once per reference (SQLite >= 3.35 and PostgreSQL >= 12).
    probed = (
        select(
            lead.c.mid,
            lead.c.s0,
            *(best(t, lead.c.mid).label(f"s{i}") for i, t in enumerate(rest, 1)),
        )
        .cte("probed")
        .prefix_with("MATERIALIZED")
    )
    words = [probed.c[f"s{i}"] for i in range(len(required))]
    candidates = (
        select(
            probed.c.mid,
            sum(words[1:], words[0]).label("score"),
            # How many query words matched exactly: the first ranking key (ranking.py).
            sum(
                (case((w >= EXACT_FLOOR, 1), else_=0) for w in words[1:]),
                case((words[0] >= EXACT_FLOOR, 1), else_=0),
            ).label("exact"),
        )
        .where(*(w.is_not(None) for w in words[1:]))
        .cte("candidates")
        .prefix_with("MATERIALIZED")
    )
    score: ColumnElement[Any] = candidates.c.score
    for token in optional:
        # Optional tokens only rank the candidates: a primary-key probe per candidate
        # instead of scanning every "van" in the gemeente.
        score = score + func.coalesce(best(token, candidates.c.mid), 0)
    ranked = select(
        candidates.c.mid, candidates.c.exact.label("exact"), score.label("score")
    ).subquery("ranked")
    joined = and_(row.gemeente == gemeente, row.id == ranked.c.mid)
    # Ids only while ranking and counting thousands of candidates (a three-letter prefix);
    # the page's full rows are read by primary key afterwards.
    listing = (
        select(row.id, func.count().over().label("total")).join(ranked, joined).where(*filters)
    )
    ordered = listing.order_by(
        ranked.c.exact.desc(),
        ranked.c.score.desc(),
        row.achternaam_norm,
        row.weergavenaam_norm,
        row.id,
    )
    rows = session.execute(ordered.limit(limit).offset(offset)).all()
    return _page(session, gemeente, rows, select(row.id).join(ranked, joined).where(*filters))


def _page(
    session: Session, gemeente: str, rows: Sequence[Any], counted: Select[Any]
) -> tuple[list[Treffer], int]:
    """One page, in the order of ``rows`` (ids with the window count), with the total (counted
    again past the last page)."""
    if not rows:
        total = int(session.scalar(select(func.count()).select_from(counted.subquery())) or 0)
        return [], total
    ids = [r.id for r in rows]
    full = {
        m.id: m
        for m in session.scalars(
            select(MedewerkerRow).where(
                MedewerkerRow.gemeente == gemeente, MedewerkerRow.id.in_(ids)
            )
        )
    }
    return [(to_medewerker(full[i]), full[i].synced_at) for i in ids if i in full], int(
        rows[0].total
    )


def get(session: Session, gemeente: str, medewerker_id: str) -> Treffer | None:
    """One stored medewerker of this gemeente, or None."""
    if not medewerker_id or len(medewerker_id) > 64 or "\x00" in medewerker_id:
        return None
    row = session.get(MedewerkerRow, (gemeente, medewerker_id))
    if row is None:
        return None
    return to_medewerker(row), row.synced_at
