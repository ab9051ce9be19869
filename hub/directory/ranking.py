"""Which fields a medewerker's search tokens come from, and what a match in each is worth.

Ranking, most important first:

1. How many of the query's words match a word of the medewerker *exactly* (a single
   letter counts as an exact match on the first letter of the given name: "J. Janssen").
   So "Jan Janssen" (two exact words) ranks before Anna Janssen, who matches "jan" only
   as the start of "janssen", and an exact word before a word merely starting with it.
2. The summed weights: an exact surname outranks an exact given name, names outrank
   afdeling/functie/expertise, and any exact match outranks any prefix.
3. A query word is not credited for the start of a stored word that another query word
   matches in full: in "jan janssen", "jan" earns nothing from "janssen".

A matched tussenvoegsel only breaks ties ("van der berg" puts Piet van der Berg before
Anna Berg), whatever the order of the parts ("Berg, van der, Piet").
"""

from __future__ import annotations

from enum import IntEnum

from hub.directory.normalize import TUSSENVOEGSELS, tokens
from hub.domain.medewerkers import Medewerker


class Veld(IntEnum):
    ACHTERNAAM = 1
    VOORNAAM = 2
    NAAM = 3
    AFDELING = 4
    FUNCTIE = 5
    EXPERTISE = 6
    TUSSENVOEGSEL = 7
    OVERIG = 8


# (exact, prefix) score per field; every exact score of a name or subject field is above
# every prefix score.
WEIGHTS: dict[Veld, tuple[int, int]] = {
    Veld.ACHTERNAAM: (100, 30),
    Veld.VOORNAAM: (80, 25),
    Veld.NAAM: (70, 20),
    Veld.AFDELING: (50, 12),
    Veld.FUNCTIE: (50, 12),
    Veld.EXPERTISE: (50, 12),
    Veld.TUSSENVOEGSEL: (10, 5),
    Veld.OVERIG: (40, 5),
}
# A one-letter query word on the start of the given name: an initial ("J. Janssen").
INITIAL_WEIGHT = 60
# A query word's best score at or above this is an exact match (or an initial): every exact
# weight but a tussenvoegsel's reaches it, and no prefix weight does.
EXACT_FLOOR = min(w[0] for v, w in WEIGHTS.items() if v is not Veld.TUSSENVOEGSEL)
assert max(w[1] for w in WEIGHTS.values()) < EXACT_FLOOR <= INITIAL_WEIGHT
# A query word on the start of a stored word that another query word matches in full.
SHADOWED_WEIGHT = 1


def index_tokens(m: Medewerker) -> dict[str, Veld]:
    """Every search token of a medewerker with the most important field it occurs in."""
    found: dict[str, Veld] = {}

    def add(token: str, veld: Veld) -> None:
        if token and (token not in found or veld < found[token]):
            found[token] = veld

    surname = tokens(m.achternaam)
    for token in surname:
        add(token, Veld.TUSSENVOEGSEL if token in TUSSENVOEGSELS else Veld.ACHTERNAAM)
    if len(surname) > 1:
        # "vanderberg" and "elamrani": people type compound surnames without spaces.
        add("".join(surname)[:64], Veld.ACHTERNAAM)
    for token in tokens(m.voornaam):
        add(token, Veld.VOORNAAM)
    for token in tokens(m.weergavenaam):
        add(token, Veld.TUSSENVOEGSEL if token in TUSSENVOEGSELS else Veld.NAAM)
    for token in tokens(m.afdeling):
        add(token, Veld.AFDELING)
    for token in tokens(m.functie):
        add(token, Veld.FUNCTIE)
    for item in m.expertise:
        for token in tokens(item):
            add(token, Veld.EXPERTISE)
    for token in tokens(m.account_naam):
        add(token, Veld.OVERIG)
    if m.email:
        for token in tokens(m.email.split("@", 1)[0]):
            add(token, Veld.OVERIG)
    return found
