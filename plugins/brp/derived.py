"""Fields Haal Centraal derives from recorded data, derived the same way for StUF-BG.

The BRP API composes ``naam.volledigeNaam``, ``adressering`` (address lines for a
letter) and ``leeftijd`` itself; StUF-BG delivers only the parts. Deriving them
here lets a StUF-BG gemeente answer the same ``fields`` as a Haal Centraal one.
The rules are the common cases of the BRP API's derivation (no naamgebruik of a
partner, no aanduiding bij huisnummer); the Haal Centraal backend always uses
what the BRP itself delivers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from plugins.brp.dates import leeftijd as leeftijd_op


def volledige_naam(naam: dict[str, Any]) -> str | None:
    """Predicaat, voornamen, adellijke titel, voorvoegsel and geslachtsnaam, as the BRP joins them."""
    if not naam.get("geslachtsnaam"):
        return None
    titel = naam.get("adellijkeTitelPredicaat") or {}
    parts: list[str] = []
    if titel.get("soort") == "predicaat" and titel.get("omschrijving"):
        parts.append(str(titel["omschrijving"]))
    if naam.get("voornamen"):
        parts.append(str(naam["voornamen"]))
    if titel.get("soort") == "titel" and titel.get("omschrijving"):
        parts.append(str(titel["omschrijving"]))
    if naam.get("voorvoegsel"):
        parts.append(str(naam["voorvoegsel"]))
    parts.append(str(naam["geslachtsnaam"]))
    return " ".join(parts)


def adressering(verblijfplaats: dict[str, Any] | None) -> dict[str, Any] | None:
    """Address lines for a letter: ``Dorpsstraat 12`` / ``9999 AA  VOORBEELDSTAD``."""
    if not verblijfplaats:
        return None
    kind = verblijfplaats.get("type")
    adres = verblijfplaats.get("verblijfadres") or {}
    if kind == "Adres":
        straat = adres.get("korteStraatnaam") or adres.get("officieleStraatnaam")
        if not straat or "huisnummer" not in adres:
            return None
        nummer = f"{adres['huisnummer']}{adres.get('huisletter', '')}"
        if adres.get("huisnummertoevoeging"):
            nummer += f"-{adres['huisnummertoevoeging']}"
        result: dict[str, Any] = {"adresregel1": f"{straat} {nummer}"}
        postcode = str(adres.get("postcode", "")).replace(" ", "")
        woonplaats = str(adres.get("woonplaats", "")).upper()
        if postcode and woonplaats:
            result["adresregel2"] = f"{postcode[:4]} {postcode[4:]}  {woonplaats}"
        elif woonplaats:
            result["adresregel2"] = woonplaats
        return result
    if kind == "VerblijfplaatsBuitenland":
        result = {f"adresregel{i}": adres[f"regel{i}"] for i in (1, 2, 3) if adres.get(f"regel{i}")}
        if adres.get("land"):
            result["land"] = adres["land"]
        return result or None
    if kind == "Locatie" and adres.get("locatiebeschrijving"):
        return {"adresregel1": adres["locatiebeschrijving"]}
    return None


def leeftijd(persoon: dict[str, Any], peildatum: date) -> int | None:
    """Age on ``peildatum``; None for the deceased and for incomplete birth dates (as the BRP)."""
    if "overlijden" in persoon:
        return None
    datum = (persoon.get("geboorte") or {}).get("datum")
    return leeftijd_op(datum, peildatum) if datum else None


def add_derived(persoon: dict[str, Any], fields: list[str], peildatum: date) -> None:
    """Add the derived fields that ``fields`` asks for (in place)."""

    def asked(name: str) -> bool:
        return any(
            f == name or f.startswith(name + ".") or name.startswith(f + ".") for f in fields
        )

    naam = persoon.get("naam")
    if asked("naam.volledigeNaam") and isinstance(naam, dict):
        volledig = volledige_naam(naam)
        if volledig:
            naam["volledigeNaam"] = volledig
    if asked("adressering"):
        lines = adressering(persoon.get("verblijfplaats"))
        if lines:
            persoon["adressering"] = lines
    if asked("leeftijd"):
        jaren = leeftijd(persoon, peildatum)
        if jaren is not None:
            persoon["leeftijd"] = jaren
