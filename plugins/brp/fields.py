"""Haal Centraal ``fields``: what to ask upstream and what to hand back.

The core passes the field paths the caller's role may see. The plugin asks the
upstream for those only (data minimisation at the source) and, whatever the
upstream delivers, hands back no more than those plus the fields the BRP always
delivers (``geheimhoudingPersoonsgegevens``, ``inOnderzoek``,
``opschortingBijhouding``, ``rni``, ``verificatie``) — the privacy layer needs
those to decide what to show.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from hub.plugin_sdk import AUTOMATIC_FIELDS, antwoordsoort

# In a fixed order, so a selected person's keys come out the same every time.
AUTO_DELIVERED = tuple(sorted(AUTOMATIC_FIELDS))

# What a KCC-medewerker needs to verify a caller, and what both backends deliver alike.
DEFAULT_FIELDS: tuple[str, ...] = (
    "burgerservicenummer",
    "naam.voornamen",
    "naam.voorletters",
    "naam.voorvoegsel",
    "naam.geslachtsnaam",
    "naam.adellijkeTitelPredicaat",
    "geslacht",
    "geboorte.datum",
    "overlijden.datum",
    "gemeenteVanInschrijving",
    "verblijfplaats.verblijfadres.korteStraatnaam",
    "verblijfplaats.verblijfadres.huisnummer",
    "verblijfplaats.verblijfadres.huisletter",
    "verblijfplaats.verblijfadres.huisnummertoevoeging",
    "verblijfplaats.verblijfadres.postcode",
    "verblijfplaats.verblijfadres.woonplaats",
    "verblijfplaats.verblijfadres.locatiebeschrijving",
    "verblijfplaats.verblijfadres.regel1",
    "verblijfplaats.verblijfadres.regel2",
    "verblijfplaats.verblijfadres.regel3",
    "verblijfplaats.verblijfadres.land",
)

# Searches answer with PersoonBeperkt, which knows only these (BRP Personen 2.x); which
# query type answers with what is hub.domain.personen's business.
PERSOON_BEPERKT_FIELDS = frozenset(
    {
        "burgerservicenummer",
        "leeftijd",
        "geboorte",
        "geboorte.datum",
        "geslacht",
        "geslacht.code",
        "geslacht.omschrijving",
        "naam",
        "naam.voornamen",
        "naam.voorletters",
        "naam.voorvoegsel",
        "naam.geslachtsnaam",
        "naam.volledigeNaam",
        "naam.adellijkeTitelPredicaat",
        "naam.adellijkeTitelPredicaat.code",
        "naam.adellijkeTitelPredicaat.omschrijving",
        "naam.adellijkeTitelPredicaat.soort",
        "adressering",
        "adressering.adresregel1",
        "adressering.adresregel2",
        "adressering.adresregel3",
        "adressering.land",
        "adressering.land.code",
        "adressering.land.omschrijving",
        "adressering.indicatieVastgesteldVerblijftNietOpAdres",
    }
)


def loggable_type(query_type: str) -> str:
    """The query type for a log line: only a plain name passes, never caller-supplied data."""
    return (
        query_type
        if query_type.isascii() and query_type.isalpha() and len(query_type) <= 60
        else "?"
    )


def is_auto_delivered(path: str) -> bool:
    """True for paths the BRP delivers unasked (and rejects in ``fields``)."""
    return path.split(".", maxsplit=1)[0] in AUTO_DELIVERED or "inOnderzoek" in path.split(".")


def upstream_fields(query_type: str, fields: Iterable[str]) -> list[str]:
    """The ``fields`` to send: deduplicated, without auto-delivered paths, fit for the query.

    Searches answer with ``PersoonBeperkt``; asking one for a ``Persoon``-only path
    is a 400 upstream, so such paths are left out (the role may see them, the
    search simply cannot deliver them).
    """
    soort = antwoordsoort(query_type)
    wanted: list[str] = []
    for path in fields:
        if is_auto_delivered(path) or path in wanted:
            continue
        beperkt = path in PERSOON_BEPERKT_FIELDS or (
            soort == "GezagPersoonBeperkt" and path.split(".")[0] == "gezag"
        )
        if soort != "Persoon" and not beperkt:
            continue
        wanted.append(path)
    return wanted


def _project(value: Any, paths: list[list[str]]) -> Any:
    if any(not p for p in paths):
        return value
    if isinstance(value, list):
        items = [_project(item, paths) for item in value]
        kept = [i for i in items if i not in (None, {})]
        return kept or None
    if not isinstance(value, dict):
        return None
    grouped: dict[str, list[list[str]]] = {}
    for path in paths:
        grouped.setdefault(path[0], []).append(path[1:])
    result: dict[str, Any] = {}
    for key, rest in grouped.items():
        if key in value:
            projected = _project(value[key], rest)
            if projected not in (None, {}, []):
                result[key] = projected
    if result:
        for companion in ("type", "inOnderzoek"):
            if companion in value:
                result[companion] = value[companion]
    return result


def select_fields(persoon: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """The person reduced to ``fields`` plus whatever auto-delivered fields it has."""
    selected = _project(persoon, [f.split(".") for f in fields if f]) or {}
    for name in AUTO_DELIVERED:
        if name in persoon:
            selected[name] = persoon[name]
    return dict(selected)
