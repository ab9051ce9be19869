"""What KISS sends, exactly: its three BRP request bodies and its headers (KISS-frontend,
``src/services/brp/service.ts`` and the BFF's ``HaalCentraalCustomProxy``, July 2026).

Note what is not Haal Centraal: ``huisnummer`` is a string (KISS keeps form input as
text), and an empty ``huisletter`` or ``huisnummertoevoeging`` is sent as ``""``.
"""

from __future__ import annotations

from typing import Any

MINIMAL_FIELDS = [
    "burgerservicenummer",
    "geboorte.datum",
    "adressering.adresregel1",
    "adressering.adresregel2",
    "adressering.adresregel3",
    "adressering.land.omschrijving",
    "naam.voornamen",
    "naam.voorvoegsel",
    "naam.geslachtsnaam",
]


def raadpleeg_bsn(bsn: str) -> dict[str, Any]:
    return {
        "burgerservicenummer": [bsn],
        "type": "RaadpleegMetBurgerservicenummer",
        "fields": [*MINIMAL_FIELDS, "geboorte.land", "geboorte.plaats"],
    }


def zoek_geslachtsnaam_geboortedatum(geslachtsnaam: str, geboortedatum: str) -> dict[str, Any]:
    return {
        "geboortedatum": geboortedatum,
        "geslachtsnaam": geslachtsnaam if geslachtsnaam.endswith("*") else geslachtsnaam + "*",
        "type": "ZoekMetGeslachtsnaamEnGeboortedatum",
        "fields": [*MINIMAL_FIELDS],
    }


def zoek_postcode_huisnummer(
    postcode: str, huisnummer: str, *, huisletter: str = "", toevoeging: str = ""
) -> dict[str, Any]:
    # JSON.stringify drops the undefined geslachtsnaam when no surname was typed.
    return {
        "postcode": postcode,
        "huisnummer": huisnummer,
        "huisnummertoevoeging": toevoeging,
        "huisletter": huisletter,
        "type": "ZoekMetPostcodeEnHuisnummer",
        "fields": [*MINIMAL_FIELDS],
    }


def headers(api_key: str, gebruiker: str | None, doel: str | None) -> dict[str, str]:
    """KISS's request headers with HAAL_CENTRAAL_USER_HEADER_NAME=x-gebruiker and a
    HAAL_CENTRAAL_CUSTOM_HEADERS__x-doelbinding__<type> per query type."""
    found = {"Content-Type": "application/json; charset=utf-8", "X-API-KEY": api_key}
    if gebruiker is not None:
        found["x-gebruiker"] = gebruiker
    if doel is not None:
        found["x-doelbinding"] = doel
    return found
