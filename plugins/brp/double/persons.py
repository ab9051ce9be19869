"""Synthetic persons for the BRP test doubles, in Haal Centraal BRP Personen v2 shape.

Every person is fictitious and every BSN passes the 11-proof (the ``99999`` test
range). Both doubles answer from this one list — the Haal Centraal double as is,
the StUF-BG double after converting to StUF-BG 0204 — so a test can ask both
backends about the same person and compare.

The records are *complete* ``Persoon`` objects; the doubles apply ``fields``.
Derived values (voorletters, volledigeNaam, adressering, langFormaat) are
computed here once, the way the BRP API derives them; ``leeftijd`` is computed
per request because it depends on the day of asking.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from plugins.brp.dates import (
    datum_onbekend,
    from_gba,
    jaar_datum,
    jaar_maand_datum,
)
from plugins.brp.derived import adressering, leeftijd, volledige_naam
from plugins.brp.waardetabellen import (
    GEMEENTEN,
    LANDEN,
    NATIONALITEITEN,
    SOORT_VERBINTENIS,
    adellijke_titel,
    waarde,
)

DEMO_BSN = "999993653"

Persoon = dict[str, Any]


def _d(gba: str) -> dict[str, Any]:
    return from_gba(gba)


def _geslacht(code: str) -> dict[str, Any]:
    return waarde(code, {"M": "man", "V": "vrouw", "O": "onbekend"})


def _voorletters(voornamen: str) -> str:
    return "".join(f"{deel[0]}." for deel in voornamen.split())


def _naam(
    voornamen: str | None,
    geslachtsnaam: str,
    voorvoegsel: str | None = None,
    titel: str | None = None,
) -> dict[str, Any]:
    naam: dict[str, Any] = {"geslachtsnaam": geslachtsnaam}
    if voornamen:
        naam["voornamen"] = voornamen
        naam["voorletters"] = _voorletters(voornamen)
    if voorvoegsel:
        naam["voorvoegsel"] = voorvoegsel
    if titel:
        naam["adellijkeTitelPredicaat"] = adellijke_titel(titel)
    return naam


def _plaats(gemeentecode: str) -> dict[str, Any]:
    return waarde(gemeentecode, GEMEENTEN)


def _land(code: str) -> dict[str, Any]:
    return waarde(code, LANDEN)


def _geboorte(gba: str | dict[str, Any], gemeente: str = "9999", land: str = "6030") -> Any:
    datum = _d(gba) if isinstance(gba, str) else gba
    return {"datum": datum, "plaats": _plaats(gemeente), "land": _land(land)}


_AOI = iter(range(1, 10_000))


def _adres(
    straat: str,
    huisnummer: int,
    postcode: str,
    woonplaats: str = "Voorbeeldstad",
    *,
    huisletter: str | None = None,
    toevoeging: str | None = None,
    sinds: str = "20100101",
) -> dict[str, Any]:
    verblijfadres: dict[str, Any] = {
        "officieleStraatnaam": straat,
        "korteStraatnaam": straat[:24],
        "huisnummer": huisnummer,
        "postcode": postcode,
        "woonplaats": woonplaats,
    }
    if huisletter:
        verblijfadres["huisletter"] = huisletter
    if toevoeging:
        verblijfadres["huisnummertoevoeging"] = toevoeging
    volgnummer = next(_AOI)
    return {
        "type": "Adres",
        "verblijfadres": verblijfadres,
        "functieAdres": {"code": "W", "omschrijving": "woonadres"},
        "datumVan": _d(sinds),
        "adresseerbaarObjectIdentificatie": f"9999010000{volgnummer:06d}",
        "nummeraanduidingIdentificatie": f"9999200000{volgnummer:06d}",
    }


def _persoon(
    bsn: str,
    voornamen: str | None,
    geslachtsnaam: str,
    geboren: str | dict[str, Any],
    geslacht: str,
    verblijfplaats: dict[str, Any] | None,
    *,
    voorvoegsel: str | None = None,
    titel: str | None = None,
    gemeente: str = "9999",
    geboorteplaats: str = "9999",
    nationaliteit: str | None = "0001",
    a_nummer: str | None = None,
    **extra: Any,
) -> Persoon:
    naam = _naam(voornamen, geslachtsnaam, voorvoegsel, titel)
    persoon: Persoon = {
        "burgerservicenummer": bsn,
        "aNummer": a_nummer or f"99{bsn[-8:]}",
        "naam": naam,
        "geslacht": _geslacht(geslacht),
        "geboorte": _geboorte(geboren, geboorteplaats),
        "gemeenteVanInschrijving": _plaats(gemeente),
        "datumInschrijvingInGemeente": _d("20100101"),
        "datumEersteInschrijvingGBA": _d("19941001"),
    }
    if verblijfplaats is not None:
        persoon["verblijfplaats"] = verblijfplaats
    if nationaliteit:
        persoon["nationaliteiten"] = [
            {
                "type": "Nationaliteit",
                "nationaliteit": waarde(nationaliteit, NATIONALITEITEN),
                "datumIngangGeldigheid": persoon["geboorte"]["datum"],
            }
        ]
    persoon.update(extra)
    return persoon


_RAW: list[Persoon] = [
    # The demo person: a plain adult in Voorbeeldstad.
    _persoon(
        DEMO_BSN,
        "Suzanne Maria",
        "Jansen",
        "19850412",
        "V",
        _adres("Dorpsstraat", 12, "9999AA"),
    ),
    # Same surname and birth date elsewhere: searches must return both.
    _persoon(
        "999999102",
        "Pieter",
        "Jansen",
        "19850412",
        "M",
        _adres("Kerkweg", 3, "9999AB"),
    ),
    # Secrecy (verstrekkingsbeperking): geheimhoudingPersoonsgegevens always delivered.
    _persoon(
        "999995169",
        "Anna",
        "Geheim",
        "19700101",
        "V",
        _adres("Stille Kade", 7, "9999AC"),
        geheimhoudingPersoonsgegevens=True,
    ),
    # Deceased.
    _persoon(
        "999992752",
        "Hendrik",
        "Overleden",
        "19300214",
        "M",
        _adres("Lindelaan", 40, "9999AD"),
        overlijden={"datum": _d("20200316"), "plaats": _plaats("9999"), "land": _land("6030")},
        opschortingBijhouding={
            "reden": {"code": "O", "omschrijving": "overlijden"},
            "datum": _d("20200316"),
        },
    ),
    # Persoon and name in onderzoek.
    _persoon(
        "999999503",
        "Karel",
        "Onderzoek",
        "19750505",
        "M",
        _adres("Marktplein", 1, "9999AE"),
        inOnderzoek={
            "burgerservicenummer": True,
            "geslacht": True,
            "datumIngangOnderzoekPersoon": _d("20240101"),
        },
    ),
    # Birth date without day.
    _persoon(
        "999996125",
        "Fatima",
        "Maandonbekend",
        jaar_maand_datum(1962, 7),
        "V",
        _adres("Havenstraat", 22, "9999AF"),
    ),
    # Birth date with year only.
    _persoon(
        "999999709",
        "Jozef",
        "Jaaronbekend",
        jaar_datum(1948),
        "M",
        _adres("Havenstraat", 24, "9999AF"),
    ),
    # Birth date unknown.
    _persoon(
        "999990524",
        "Onbekend",
        "Datumloos",
        datum_onbekend(),
        "O",
        _adres("Havenstraat", 26, "9999AF"),
    ),
    # Voorvoegsel.
    _persoon(
        "999990755",
        "Johannes",
        "Berg",
        "19660830",
        "M",
        _adres("Molenweg", 5, "9999AG", huisletter="B"),
        voorvoegsel="van den",
    ),
    # Adellijke titel.
    _persoon(
        "999998043",
        "Frederik Willem",
        "Hoogland",
        "19550303",
        "M",
        _adres("Kasteellaan", 1, "9999AH"),
        voorvoegsel="van",
        titel="B",
    ),
    # Predicaat.
    _persoon(
        "999994475",
        "Charlotte",
        "Weerde",
        "19800101",
        "V",
        _adres("Kasteellaan", 3, "9999AH"),
        voorvoegsel="de",
        titel="JV",
    ),
    # A family at one address: two partners, two children (postcode search).
    _persoon(
        "999994529",
        "Mohamed",
        "Bakker",
        "19800220",
        "M",
        _adres("Schoolstraat", 8, "9999AJ", toevoeging="1"),
    ),
    _persoon(
        "999992880",
        "Lisa",
        "Smit",
        "19820611",
        "V",
        _adres("Schoolstraat", 8, "9999AJ", toevoeging="1"),
        voorvoegsel="de",
    ),
    _persoon(
        "999996903",
        "Noah",
        "Bakker",
        "20120915",
        "M",
        _adres("Schoolstraat", 8, "9999AJ", toevoeging="1"),
    ),
    _persoon(
        "999990445",
        "Emma",
        "Bakker",
        "20150402",
        "V",
        _adres("Schoolstraat", 8, "9999AJ", toevoeging="1"),
    ),
    # Ingezetene in het buitenland (RNI).
    _persoon(
        "999996137",
        "Louis",
        "Dubois",
        "19770707",
        "M",
        {
            "type": "VerblijfplaatsBuitenland",
            "verblijfadres": {
                "regel1": "Rue de la Loi 16",
                "regel2": "1000 Bruxelles",
                "land": _land("5010"),
            },
            "datumVan": _d("20190601"),
        },
        gemeente="1999",
        rni=[
            {
                "deelnemer": {"code": "0101", "omschrijving": "Belastingdienst"},
                "omschrijvingVerdrag": "Belastingverdrag Belgie",
                "categorie": "Persoon",
            }
        ],
        verificatie={"datum": _d("20230115"), "omschrijving": "Verificatie rni"},
    ),
    # Emigrated: bijhouding opgeschort.
    _persoon(
        "999997968",
        "Sanne",
        "Vertrokken",
        "19900909",
        "V",
        {"type": "VerblijfplaatsOnbekend", "datumVan": _d("20210401")},
        opschortingBijhouding={
            "reden": {"code": "E", "omschrijving": "emigratie"},
            "datum": _d("20210401"),
        },
    ),
    # Lives on a houseboat: a Locatie instead of an address.
    _persoon(
        "999997518",
        "Willem",
        "Schipper",
        "19681122",
        "M",
        {
            "type": "Locatie",
            "verblijfadres": {"locatiebeschrijving": "Woonboot bij de Sluis"},
            "datumVan": _d("20150101"),
        },
    ),
    # Two nationalities.
    _persoon(
        "999997713",
        "Sofia",
        "Dubbel",
        "19930214",
        "V",
        _adres("Stationsweg", 10, "9999AK"),
        nationaliteiten=[
            {"type": "Nationaliteit", "nationaliteit": waarde("0001", NATIONALITEITEN)},
            {"type": "BehandeldAlsNederlander"},
        ],
    ),
    # Stateless.
    _persoon(
        "999993069",
        "Ali",
        "Zonderland",
        "19880808",
        "M",
        _adres("Stationsweg", 12, "9999AK"),
        nationaliteit=None,
        nationaliteiten=[{"type": "Staatloos"}],
    ),
    # Divorced: the last dissolved partnership is delivered.
    _persoon(
        "999995716",
        "Gerard",
        "Gescheiden",
        "19600120",
        "M",
        _adres("Parklaan", 2, "9999AL"),
    ),
    _persoon(
        "999997208",
        "Ingrid",
        "Vroeger",
        "19620315",
        "V",
        _adres("Parklaan", 4, "9999AL"),
    ),
    # Address in onderzoek.
    _persoon(
        "999995996",
        "Thomas",
        "Verhuisd",
        "19951212",
        "M",
        _adres("Nieuwstraat", 99, "9999AM"),
    ),
    # In Amsterdam, for searches by gemeente van inschrijving.
    _persoon(
        "999999588",
        "Eva",
        "Jansen",
        "19910101",
        "V",
        _adres("Keizersgracht", 117, "1015CJ", "Amsterdam", huisletter="A", toevoeging="B"),
        gemeente="0363",
        geboorteplaats="0363",
    ),
    _persoon(
        "999992764",
        "Daan",
        "Visser",
        "19870505",
        "M",
        _adres("Prinsengracht", 263, "1016GV", "Amsterdam"),
        gemeente="0363",
        geboorteplaats="0363",
    ),
    # A minor without partner (age-related masking and gezag are a future concern).
    _persoon(
        "999996447",
        "Julia",
        "Kind",
        "20180101",
        "V",
        _adres("Dorpsstraat", 14, "9999AA"),
    ),
    # Very old, born abroad.
    _persoon(
        "999992302",
        "Maria",
        "Oud",
        "19240229",
        "V",
        _adres("Zorglaan", 1, "9999AN"),
        geboorte_buitenland=("Antwerpen", "5010"),
    ),
    # Same name as the demo person, other birth date.
    _persoon(
        "999996022",
        "Suzanne",
        "Jansen",
        "19991231",
        "V",
        _adres("Dorpsstraat", 16, "9999AA"),
    ),
    # Long names and a hyphenated surname.
    _persoon(
        "999991310",
        "Maximiliaan Alexander Constantijn",
        "Jansen-Hoogenboom",
        "19721010",
        "M",
        _adres("Lange Nieuwstraat van Voorbeeldstad", 101, "9999AP"),
        voorvoegsel="van der",
    ),
    # Deceased with an incomplete date of death.
    _persoon(
        "999999631",
        "Cornelis",
        "Vermist",
        "19400101",
        "M",
        None,
        overlijden={"datum": jaar_datum(2019), "land": _land("0000")},
    ),
    # Geheimhouding and in onderzoek together.
    _persoon(
        "999991255",
        "Bram",
        "Beschermd",
        "19830707",
        "M",
        _adres("Stille Kade", 9, "9999AC"),
        geheimhoudingPersoonsgegevens=True,
        inOnderzoek={
            "gemeenteVanInschrijving": True,
            "datumIngangOnderzoekGemeente": _d("20250301"),
        },
    ),
    # A plain adult with no nationality recorded.
    _persoon(
        "999995509",
        "Noor",
        "Zonder",
        "19970404",
        "V",
        _adres("Kerkweg", 5, "9999AB"),
        nationaliteit=None,
    ),
]


def _related(bsn: str) -> Persoon:
    return next(p for p in _RAW if p["burgerservicenummer"] == bsn)


def _relative(bsn: str) -> dict[str, Any]:
    other = _related(bsn)
    naam = {k: v for k, v in other["naam"].items() if k != "volledigeNaam"}
    return {
        "burgerservicenummer": bsn,
        "naam": naam,
        "geboorte": copy.deepcopy(other["geboorte"]),
    }


def _partner(bsn: str, soort: str, gesloten: str, ontbonden: str | None = None) -> dict[str, Any]:
    partner = _relative(bsn)
    partner["geslacht"] = _related(bsn)["geslacht"]
    partner["soortVerbintenis"] = waarde(soort, SOORT_VERBINTENIS)
    partner["aangaanHuwelijkPartnerschap"] = {
        "datum": _d(gesloten),
        "plaats": _plaats("9999"),
        "land": _land("6030"),
    }
    if ontbonden:
        partner["ontbindingHuwelijkPartnerschap"] = {"datum": _d(ontbonden)}
    return partner


def _ouder(bsn: str, aanduiding: str) -> dict[str, Any]:
    ouder = _relative(bsn)
    ouder["geslacht"] = _related(bsn)["geslacht"]
    ouder["ouderAanduiding"] = aanduiding
    return ouder


def _link() -> None:
    by_bsn = {p["burgerservicenummer"]: p for p in _RAW}
    by_bsn["999994529"]["partners"] = [_partner("999992880", "H", "20100612")]
    by_bsn["999992880"]["partners"] = [_partner("999994529", "H", "20100612")]
    for parent in ("999994529", "999992880"):
        by_bsn[parent]["kinderen"] = [_relative("999996903"), _relative("999990445")]
    for child in ("999996903", "999990445"):
        by_bsn[child]["ouders"] = [_ouder("999994529", "1"), _ouder("999992880", "2")]
        by_bsn[child]["ouders"][0]["datumIngangFamilierechtelijkeBetrekking"] = copy.deepcopy(
            by_bsn[child]["geboorte"]["datum"]
        )
    by_bsn["999995716"]["partners"] = [_partner("999997208", "H", "19850510", "20050101")]
    by_bsn["999997208"]["partners"] = [_partner("999995716", "H", "19850510", "20050101")]
    by_bsn["999998043"]["partners"] = [_partner("999994475", "P", "20160909")]
    by_bsn["999994475"]["partners"] = [_partner("999998043", "P", "20160909")]
    # A parent outside the data set, known by name only.
    by_bsn["999996447"]["ouders"] = [
        {
            "ouderAanduiding": "1",
            "naam": {"voornamen": "Onbekende", "geslachtsnaam": "Ouder", "voorletters": "O."},
            "geslacht": _geslacht("V"),
        }
    ]
    # Name and address in onderzoek.
    onderzoek = by_bsn["999999503"]
    onderzoek["naam"]["inOnderzoek"] = {
        "geslachtsnaam": True,
        "datumIngangOnderzoek": _d("20240101"),
    }
    verhuisd = by_bsn["999995996"]["verblijfplaats"]
    verhuisd["inOnderzoek"] = {"type": True, "datumIngangOnderzoek": _d("20250601")}
    verhuisd["verblijfadres"]["inOnderzoek"] = {
        "huisnummer": True,
        "datumIngangOnderzoek": _d("20250601"),
    }
    verhuisd["indicatieVastgesteldVerblijftNietOpAdres"] = True
    # Gezag over the minors (derived by the BRP API from the parents' data).
    for child in ("999996903", "999990445"):
        kind = by_bsn[child]
        kind["gezag"] = [
            {
                "type": "GezamenlijkOuderlijkGezag",
                "minderjarige": {"burgerservicenummer": child},
                "ouders": [
                    {
                        "burgerservicenummer": "999994529",
                        "naam": {"volledigeNaam": "Mohamed Bakker"},
                    },
                    {"burgerservicenummer": "999992880", "naam": {"volledigeNaam": "Lisa de Smit"}},
                ],
            }
        ]
    by_bsn["999996447"]["gezag"] = [
        {
            "type": "EenhoofdigOuderlijkGezag",
            "minderjarige": {"burgerservicenummer": "999996447"},
            "ouder": {"naam": {"volledigeNaam": "Onbekende Ouder"}},
        }
    ]
    # Verblijfstitel (codes are synthetic), immigratie, kiesrecht and curatele.
    by_bsn["999993069"]["verblijfstitel"] = {
        "aanduiding": {"code": "37", "omschrijving": "verblijfsvergunning regulier (synthetisch)"},
        "datumIngang": _d("20180301"),
    }
    by_bsn["999996125"]["immigratie"] = {
        "landVanwaarIngeschreven": _land("5010"),
        "datumVestigingInNederland": _d("19900501"),
    }
    by_bsn["999999503"]["uitsluitingKiesrecht"] = {
        "uitgeslotenVanKiesrecht": True,
        "einddatum": _d("20300101"),
    }
    by_bsn["999996137"]["europeesKiesrecht"] = {
        "aanduiding": {"code": "2", "omschrijving": "ontvangt oproep"}
    }
    by_bsn["999999709"]["indicatieCurateleRegister"] = True
    for persoon in _RAW:
        buitenland = persoon.pop("geboorte_buitenland", None)
        if buitenland:
            persoon["geboorte"]["plaats"] = {"omschrijving": buitenland[0]}
            persoon["geboorte"]["land"] = _land(buitenland[1])
    for persoon in _RAW:
        persoon["naam"]["volledigeNaam"] = volledige_naam(persoon["naam"])
        lines = adressering(persoon.get("verblijfplaats"))
        if lines:
            persoon["adressering"] = lines


_link()

PERSONEN: tuple[Persoon, ...] = tuple(_RAW)


def by_bsn(bsn: str) -> Persoon | None:
    """A deep copy of the person with this BSN, or None."""
    for persoon in PERSONEN:
        if persoon["burgerservicenummer"] == bsn:
            return copy.deepcopy(persoon)
    return None


def all_personen() -> list[Persoon]:
    """Deep copies of every synthetic person."""
    return copy.deepcopy(list(PERSONEN))


def is_overleden(persoon: Persoon) -> bool:
    return "overlijden" in persoon


def with_leeftijd(persoon: Persoon, peildatum: date) -> Persoon:
    """The person with ``leeftijd`` as of ``peildatum`` where the BRP would deliver it."""
    jaren = leeftijd(persoon, peildatum)
    if jaren is not None:
        persoon["leeftijd"] = jaren
    return persoon
