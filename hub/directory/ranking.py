"""Which fields a medewerker's search tokens come from, and what a match in each is worth.

An exact surname match outranks a partial one, a surname outranks a first name,
names outrank afdeling/functie/expertise, and a matched tussenvoegsel only
breaks ties. The scores of the query's tokens are summed.
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


# (exact, prefix) score per field.
WEIGHTS: dict[Veld, tuple[int, int]] = {
    Veld.ACHTERNAAM: (100, 60),
    Veld.VOORNAAM: (50, 35),
    Veld.NAAM: (30, 20),
    Veld.AFDELING: (25, 15),
    Veld.FUNCTIE: (25, 15),
    Veld.EXPERTISE: (25, 15),
    Veld.TUSSENVOEGSEL: (10, 5),
    Veld.OVERIG: (10, 5),
}


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
