"""The field catalogue of a Haal Centraal BRP Personen v2 ``Persoon`` and the ``fields`` parameter.

The catalogue is the tree of field paths of the ``Persoon`` schema in
``specs/brp/personen-openapi.yaml`` (API 2.7.0), with polymorphic types
(verblijfplaats, nationaliteiten, gezag) merged and value types (dates,
Waardetabel) as leaves. ``tests/privacy/test_fields.py`` checks it against the
vendored spec, so a new spec version cannot silently add fields nobody masked.

Masking policies name paths from this catalogue; :func:`upstream_fields`
turns what a role may see into the ``fields`` request parameter, so the BRP is
only asked for what will be shown (data minimisation upstream, not only
masking afterwards).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Union

from hub.domain import personen
from hub.domain.personen import AUTOMATIC_FIELDS

Tree = dict[str, Union["Tree", None]]

PERSOON: Tree = {
    "aNummer": None,
    "adressering": {
        "aanhef": None,
        "aanschrijfwijze": {
            "aanspreekvorm": None,
            "naam": None,
        },
        "adresregel1": None,
        "adresregel2": None,
        "adresregel3": None,
        "gebruikInLopendeTekst": None,
        "indicatieVastgesteldVerblijftNietOpAdres": None,
        "land": None,
    },
    "burgerservicenummer": None,
    "datumEersteInschrijvingGBA": None,
    "datumInschrijvingInGemeente": None,
    "europeesKiesrecht": {
        "aanduiding": None,
        "einddatumUitsluiting": None,
    },
    "geboorte": {
        "datum": None,
        "land": None,
        "plaats": None,
    },
    "geheimhoudingPersoonsgegevens": None,
    "gemeenteVanInschrijving": None,
    "geslacht": None,
    "gezag": {
        "derde": {
            "burgerservicenummer": None,
            "naam": None,
            "type": None,
        },
        "derden": {
            "burgerservicenummer": None,
            "naam": None,
            "type": None,
        },
        "minderjarige": {
            "burgerservicenummer": None,
            "leeftijd": None,
            "naam": None,
        },
        "ouder": {
            "burgerservicenummer": None,
            "naam": None,
        },
        "ouders": {
            "burgerservicenummer": None,
            "naam": None,
        },
        "toelichting": None,
        "type": None,
    },
    "immigratie": {
        "datumVestigingInNederland": None,
        "indicatieVestigingVanuitBuitenland": None,
        "landVanwaarIngeschreven": None,
        "vanuitVerblijfplaatsOnbekend": None,
    },
    "indicatieCurateleRegister": None,
    "indicatieGezagMinderjarige": None,
    "kinderen": {
        "burgerservicenummer": None,
        "geboorte": {
            "datum": None,
            "land": None,
            "plaats": None,
        },
        "naam": {
            "adellijkeTitelPredicaat": None,
            "geslachtsnaam": None,
            "voorletters": None,
            "voornamen": None,
            "voorvoegsel": None,
        },
    },
    "leeftijd": None,
    "naam": {
        "aanduidingNaamgebruik": None,
        "adellijkeTitelPredicaat": None,
        "geslachtsnaam": None,
        "volledigeNaam": None,
        "voorletters": None,
        "voornamen": None,
        "voorvoegsel": None,
    },
    "nationaliteiten": {
        "datumIngangGeldigheid": None,
        "nationaliteit": None,
        "redenOpname": None,
        "type": None,
    },
    "opschortingBijhouding": {
        "datum": None,
        "reden": None,
    },
    "ouders": {
        "burgerservicenummer": None,
        "datumIngangFamilierechtelijkeBetrekking": None,
        "geboorte": {
            "datum": None,
            "land": None,
            "plaats": None,
        },
        "geslacht": None,
        "naam": {
            "adellijkeTitelPredicaat": None,
            "geslachtsnaam": None,
            "voorletters": None,
            "voornamen": None,
            "voorvoegsel": None,
        },
        "ouderAanduiding": None,
    },
    "overlijden": {
        "datum": None,
        "land": None,
        "plaats": None,
    },
    "partners": {
        "aangaanHuwelijkPartnerschap": {
            "datum": None,
            "land": None,
            "plaats": None,
        },
        "burgerservicenummer": None,
        "geboorte": {
            "datum": None,
            "land": None,
            "plaats": None,
        },
        "geslacht": None,
        "naam": {
            "adellijkeTitelPredicaat": None,
            "geslachtsnaam": None,
            "voorletters": None,
            "voornamen": None,
            "voorvoegsel": None,
        },
        "ontbindingHuwelijkPartnerschap": {
            "datum": None,
        },
        "soortVerbintenis": None,
    },
    "rni": {
        "categorie": None,
        "deelnemer": None,
        "omschrijvingVerdrag": None,
    },
    "uitsluitingKiesrecht": {
        "einddatum": None,
        "uitgeslotenVanKiesrecht": None,
    },
    "verblijfplaats": {
        "adresseerbaarObjectIdentificatie": None,
        "datumIngangGeldigheid": None,
        "datumVan": None,
        "functieAdres": None,
        "indicatieVastgesteldVerblijftNietOpAdres": None,
        "nummeraanduidingIdentificatie": None,
        "type": None,
        "verblijfadres": {
            "aanduidingBijHuisnummer": None,
            "huisletter": None,
            "huisnummer": None,
            "huisnummertoevoeging": None,
            "korteStraatnaam": None,
            "land": None,
            "locatiebeschrijving": None,
            "officieleStraatnaam": None,
            "postcode": None,
            "regel1": None,
            "regel2": None,
            "regel3": None,
            "woonplaats": None,
        },
    },
    "verblijfstitel": {
        "aanduiding": None,
        "datumEinde": None,
        "datumIngang": None,
    },
    "verificatie": {
        "datum": None,
        "omschrijving": None,
    },
}


_PERSOON_BEPERKT: Tree = {
    "adressering": {
        "adresregel1": None,
        "adresregel2": None,
        "adresregel3": None,
        "indicatieVastgesteldVerblijftNietOpAdres": None,
        "land": None,
    },
    "burgerservicenummer": None,
    "geboorte": {
        "datum": None,
    },
    "geheimhoudingPersoonsgegevens": None,
    "geslacht": None,
    "leeftijd": None,
    "naam": {
        "adellijkeTitelPredicaat": None,
        "geslachtsnaam": None,
        "volledigeNaam": None,
        "voorletters": None,
        "voornamen": None,
        "voorvoegsel": None,
    },
    "opschortingBijhouding": {
        "datum": None,
        "reden": None,
    },
    "rni": {
        "categorie": None,
        "deelnemer": None,
        "omschrijvingVerdrag": None,
    },
    "verificatie": {
        "datum": None,
        "omschrijving": None,
    },
}


# ``inOnderzoek`` exists at every level and is delivered automatically; the
# catalogue names the person-level flags so a policy can show or hide them.
PERSOON["inOnderzoek"] = None
_PERSOON_BEPERKT["inOnderzoek"] = None

# The searches answer a ``PersoonBeperkt``; the address search by adresseerbaar
# object adds ``gezag``.
_GEZAG_PERSOON_BEPERKT: Tree = {**_PERSOON_BEPERKT, "gezag": PERSOON["gezag"]}

# Discriminators come with their object; they are never asked for on their own.
_NOT_REQUESTABLE_LEAVES = frozenset({"type", "inOnderzoek"})

_TREES: dict[personen.Antwoordsoort, Tree] = {
    "Persoon": PERSOON,
    "PersoonBeperkt": _PERSOON_BEPERKT,
    "GezagPersoonBeperkt": _GEZAG_PERSOON_BEPERKT,
}

_DATE_LEAF = re.compile(r"^(datum|einddatum)|Datum$")


def catalogue_for(query_type: str) -> Tree:
    """The tree of fields the upstream answers for this query type (searches: PersoonBeperkt)."""
    return _TREES[personen.antwoordsoort(query_type)]


def node(tree: Tree, path: str) -> tuple[bool, Tree | None]:
    """``(exists, subtree)`` of a dot path in ``tree``; a leaf has subtree ``None``."""
    current: Tree | None = tree
    for part in path.split("."):
        if current is None or part not in current:
            return False, None
        current = current[part]
    return True, current


def is_date_leaf(path: str) -> bool:
    """Dates are polymorphic objects (Datum, JaarMaandDatum, JaarDatum, DatumOnbekend)."""
    return bool(_DATE_LEAF.search(path.rsplit(".", 1)[-1]))


def requestable(path: str) -> bool:
    """Whether ``path`` may appear in ``fields`` (automatic fields may not)."""
    parts = path.split(".")
    if parts[0] in AUTOMATIC_FIELDS:
        return False
    return parts[-1] not in _NOT_REQUESTABLE_LEAVES


def restrict_to(paths: Iterable[str], tree: Tree) -> list[str]:
    """Keep the paths that exist in ``tree`` (the search answers know fewer fields)."""
    return [p for p in paths if node(tree, p)[0]]


def intersect(allowed: Iterable[str], asked: Iterable[str]) -> list[str]:
    """The part of ``asked`` within ``allowed``: the more specific path of each overlap."""
    result: set[str] = set()
    asked_list = list(asked)
    for a in allowed:
        for r in asked_list:
            if r == a or r.startswith(a + "."):
                result.add(r)
            elif a.startswith(r + "."):
                result.add(a)
    return sorted(result)


def collapse(paths: Iterable[str]) -> list[str]:
    """Drop paths already covered by a parent path in the same list, sorted."""
    unique = sorted(set(paths))
    kept: list[str] = []
    for path in unique:
        if not any(path.startswith(parent + ".") for parent in kept):
            kept.append(path)
    return kept
