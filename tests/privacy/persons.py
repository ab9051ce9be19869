"""Synthetic persons in Haal Centraal BRP Personen v2 shape (fictitious; BSNs pass the 11-proof).

``volledig()`` fills every field of the catalogue, so masking tests see every
field a policy can name.
"""

from __future__ import annotations

import copy
from typing import Any

BSN = "999993653"
BSN_PARTNER = "999990019"
BSN_KIND = "999990032"
BSN_OUDER = "999990044"
BSN_GEHEIM = "999990056"
BSN_ONBEKEND = "999990068"


def _datum(iso: str) -> dict[str, Any]:
    return {"type": "Datum", "datum": iso, "langFormaat": iso}


def _waarde(code: str, omschrijving: str) -> dict[str, Any]:
    return {"code": code, "omschrijving": omschrijving}


def _naam_gerelateerde(voornamen: str, geslachtsnaam: str) -> dict[str, Any]:
    return {
        "voornamen": voornamen,
        "voorletters": "".join(f"{p[0]}." for p in voornamen.split()),
        "geslachtsnaam": geslachtsnaam,
    }


def _geboorte(iso: str) -> dict[str, Any]:
    return {
        "datum": _datum(iso),
        "land": _waarde("6030", "Nederland"),
        "plaats": _waarde("9999", "Voorbeeldstad"),
    }


def volledig(bsn: str = BSN) -> dict[str, Any]:
    """A complete Persoon: every field of the catalogue present."""
    return {
        "aNummer": "1234567890",
        "burgerservicenummer": bsn,
        "datumEersteInschrijvingGBA": _datum("1975-06-12"),
        "datumInschrijvingInGemeente": _datum("2010-01-01"),
        "geheimhoudingPersoonsgegevens": False,
        "geslacht": _waarde("V", "vrouw"),
        "inOnderzoek": {
            "burgerservicenummer": True,
            "datumIngangOnderzoekPersoon": _datum("2024-01-01"),
        },
        "uitsluitingKiesrecht": {
            "uitgeslotenVanKiesrecht": True,
            "einddatum": _datum("2030-01-01"),
        },
        "europeesKiesrecht": {
            "aanduiding": _waarde("2", "persoon ontvangt oproep"),
            "einddatumUitsluiting": _datum("2029-01-01"),
        },
        "leeftijd": 51,
        "naam": {
            "voornamen": "Anna Maria",
            "voorletters": "A.M.",
            "voorvoegsel": "van",
            "geslachtsnaam": "Dijk",
            "adellijkeTitelPredicaat": {
                "code": "JV",
                "omschrijving": "jonkvrouw",
                "soort": "predicaat",
            },
            "volledigeNaam": "Anna Maria van Dijk",
            "aanduidingNaamgebruik": _waarde("E", "eigen geslachtsnaam"),
            "inOnderzoek": {"geslachtsnaam": True, "datumIngangOnderzoek": _datum("2024-02-01")},
        },
        "nationaliteiten": [
            {
                "type": "Nationaliteit",
                "nationaliteit": _waarde("0001", "Nederlandse"),
                "redenOpname": _waarde("001", "Wet op het Nederlanderschap"),
                "datumIngangGeldigheid": _datum("1975-06-12"),
            }
        ],
        "geboorte": _geboorte("1975-06-12"),
        "opschortingBijhouding": {
            "reden": _waarde("M", "ministerieel besluit"),
            "datum": _datum("2020-01-01"),
        },
        "overlijden": {
            "datum": _datum("2025-01-01"),
            "land": _waarde("6030", "Nederland"),
            "plaats": _waarde("9999", "Voorbeeldstad"),
        },
        "verblijfplaats": {
            "type": "Adres",
            "datumIngangGeldigheid": _datum("2010-01-01"),
            "datumVan": _datum("2010-01-01"),
            "functieAdres": _waarde("W", "woonadres"),
            "adresseerbaarObjectIdentificatie": "9999010000000001",
            "nummeraanduidingIdentificatie": "9999200000000001",
            "indicatieVastgesteldVerblijftNietOpAdres": False,
            "verblijfadres": {
                "officieleStraatnaam": "Lindelaan",
                "korteStraatnaam": "Lindelaan",
                "huisnummer": 12,
                "huisletter": "a",
                "huisnummertoevoeging": "2",
                "aanduidingBijHuisnummer": _waarde("by", "bij"),
                "postcode": "1234AB",
                "woonplaats": "Voorbeeldstad",
                # Members of the other verblijfplaats types, so the catalogue is covered.
                "locatiebeschrijving": "Woonboot bij de brug",
                "regel1": "Rue 1",
                "regel2": "75001 Paris",
                "regel3": "Ile-de-France",
                "land": _waarde("5002", "Frankrijk"),
            },
        },
        "immigratie": {
            "landVanwaarIngeschreven": _waarde("5002", "Frankrijk"),
            "datumVestigingInNederland": _datum("1999-01-01"),
            "vanuitVerblijfplaatsOnbekend": False,
            "indicatieVestigingVanuitBuitenland": True,
        },
        "gemeenteVanInschrijving": _waarde("9999", "Voorbeeldstad"),
        "adressering": {
            "aanhef": "Geachte jonkvrouw Van Dijk",
            "aanschrijfwijze": {
                "naam": "A.M. van Dijk",
                "aanspreekvorm": "De hoogwelgeboren vrouwe",
            },
            "gebruikInLopendeTekst": "jonkvrouw Van Dijk",
            "adresregel1": "Lindelaan 12a-2",
            "adresregel2": "1234 AB  VOORBEELDSTAD",
            "adresregel3": "",
            "land": _waarde("6030", "Nederland"),
            "indicatieVastgesteldVerblijftNietOpAdres": False,
        },
        "indicatieCurateleRegister": False,
        "indicatieGezagMinderjarige": _waarde("1", "ouder1"),
        "gezag": [
            {
                "type": "GezamenlijkGezag",
                "minderjarige": {
                    "burgerservicenummer": BSN_KIND,
                    "naam": {"volledigeNaam": "Kees van Dijk"},
                    "leeftijd": 8,
                },
                "ouder": {
                    "burgerservicenummer": bsn,
                    "naam": {"volledigeNaam": "Anna Maria van Dijk"},
                },
                "ouders": [
                    {"burgerservicenummer": bsn, "naam": {"volledigeNaam": "Anna Maria van Dijk"}}
                ],
                "derde": {
                    "type": "BekendeDerde",
                    "burgerservicenummer": BSN_PARTNER,
                    "naam": {"volledigeNaam": "Piet Jansen"},
                },
                "derden": [
                    {
                        "type": "BekendeDerde",
                        "burgerservicenummer": BSN_PARTNER,
                        "naam": {"volledigeNaam": "Piet Jansen"},
                    }
                ],
                "toelichting": "gezamenlijk gezag",
            }
        ],
        "verblijfstitel": {
            "aanduiding": _waarde("37", "verblijfstitel"),
            "datumIngang": _datum("2000-01-01"),
            "datumEinde": _datum("2030-01-01"),
        },
        "kinderen": [
            {
                "burgerservicenummer": BSN_KIND,
                "naam": _naam_gerelateerde("Kees", "Dijk"),
                "geboorte": _geboorte("2018-03-04"),
            }
        ],
        "ouders": [
            {
                "burgerservicenummer": BSN_OUDER,
                "geslacht": _waarde("M", "man"),
                "ouderAanduiding": "1",
                "datumIngangFamilierechtelijkeBetrekking": _datum("1975-06-12"),
                "naam": _naam_gerelateerde("Jan", "Dijk"),
                "geboorte": _geboorte("1950-01-01"),
            }
        ],
        "partners": [
            {
                "burgerservicenummer": BSN_PARTNER,
                "geslacht": _waarde("M", "man"),
                "soortVerbintenis": _waarde("H", "huwelijk"),
                "naam": _naam_gerelateerde("Piet", "Jansen"),
                "geboorte": _geboorte("1974-02-02"),
                "aangaanHuwelijkPartnerschap": {
                    "datum": _datum("2005-05-05"),
                    "land": _waarde("6030", "Nederland"),
                    "plaats": _waarde("9999", "Voorbeeldstad"),
                },
                "ontbindingHuwelijkPartnerschap": {"datum": _datum("2020-05-05")},
            }
        ],
        "rni": [
            {
                "deelnemer": _waarde("101", "Belastingdienst"),
                "omschrijvingVerdrag": "verdrag",
                "categorie": "Persoon",
            }
        ],
        "verificatie": {"datum": _datum("2021-01-01"), "omschrijving": "geverifieerd"},
    }


def geheim(bsn: str = BSN_GEHEIM) -> dict[str, Any]:
    persoon = volledig(bsn)
    persoon["geheimhoudingPersoonsgegevens"] = True
    return persoon


def beperkt(bsn: str = BSN) -> dict[str, Any]:
    """A PersoonBeperkt as the searches answer."""
    full = volledig(bsn)
    keys = ("burgerservicenummer", "geslacht", "leeftijd", "naam", "adressering", "inOnderzoek")
    out = {k: copy.deepcopy(full[k]) for k in keys}
    out["geboorte"] = {"datum": full["geboorte"]["datum"]}
    return out
