"""Excerpts of the BRP's landelijke tabellen, for upstreams that deliver codes only.

Haal Centraal delivers ``{"code", "omschrijving"}`` pairs; StUF-BG delivers the
code alone. These excerpts turn StUF codes into the same pairs. They hold the
codes the hub meets in its demo and tests plus the stable ones every gemeente
sees; a code not listed is delivered as ``{"code": ...}`` without omschrijving,
which the Haal Centraal schema allows. A production deployment that wants every
omschrijving loads the full RvIG tables (tabel 32, 33, 34, 38) into
``extra_gemeenten`` / ``extra_landen`` of the settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

GESLACHT: Mapping[str, str] = {"M": "man", "V": "vrouw", "O": "onbekend"}

# Tabel 33 Gemeenten (excerpt). 1999 is the RNI, 9999 the hub's fictitious demo gemeente.
GEMEENTEN: Mapping[str, str] = {
    "0344": "Utrecht",
    "0363": "Amsterdam",
    "0518": "'s-Gravenhage",
    "0599": "Rotterdam",
    "1999": "Registratie Niet Ingezetenen (RNI)",
    "9999": "Voorbeeldstad",
}

# Tabel 34 Landen (excerpt).
LANDEN: Mapping[str, str] = {"0000": "Onbekend", "5010": "België", "6030": "Nederland"}

# Tabel 32 Nationaliteiten (excerpt).
NATIONALITEITEN: Mapping[str, str] = {"0000": "Onbekend", "0001": "Nederlandse"}

# Tabel 38 Adellijke titels en predicaten: code → (omschrijving, soort).
ADELLIJKE_TITELS: Mapping[str, tuple[str, str]] = {
    "B": ("baron", "titel"),
    "BS": ("barones", "titel"),
    "G": ("graaf", "titel"),
    "GI": ("gravin", "titel"),
    "H": ("hertog", "titel"),
    "HI": ("hertogin", "titel"),
    "M": ("markies", "titel"),
    "MI": ("markiezin", "titel"),
    "P": ("prins", "titel"),
    "PS": ("prinses", "titel"),
    "R": ("ridder", "titel"),
    "JH": ("jonkheer", "predicaat"),
    "JV": ("jonkvrouw", "predicaat"),
}

SOORT_VERBINTENIS: Mapping[str, str] = {"H": "huwelijk", "P": "geregistreerd partnerschap"}


def waarde(code: str, tabel: Mapping[str, str]) -> dict[str, Any]:
    """``{"code", "omschrijving"}`` from a table, or ``{"code"}`` for a code it does not list."""
    omschrijving = tabel.get(code)
    return {"code": code} if omschrijving is None else {"code": code, "omschrijving": omschrijving}


def adellijke_titel(code: str) -> dict[str, Any]:
    """The Haal Centraal ``adellijkeTitelPredicaat`` for a tabel-38 code."""
    entry = ADELLIJKE_TITELS.get(code.upper())
    if entry is None:
        return {"code": code.upper()}
    return {"code": code.upper(), "omschrijving": entry[0], "soort": entry[1]}


def gemeente_by_name(naam: str) -> str | None:
    """The code of a gemeente named ``naam`` (case-insensitive), if the excerpt lists it."""
    wanted = naam.strip().casefold()
    for code, omschrijving in GEMEENTEN.items():
        if omschrijving.casefold() == wanted:
            return code
    return None
