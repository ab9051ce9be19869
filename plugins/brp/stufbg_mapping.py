"""StUF-BG answers (0204 ``PRS`` and 0310 ``NPS``) as Haal Centraal BRP Personen v2 persons.

Both versions map onto the same Haal Centraal ``Persoon`` so the rest of the hub
never knows which backend answered. Elements are matched by local name, so the
namespace prefixes a makelaar chooses do not matter. StUF marks absent values
with ``xsi:nil`` and ``StUF:noValue`` (``geenWaarde``, ``waardeOnbekend``,
``nietGeautoriseerd``…); all of them mean "not delivered" here.

What StUF-BG 0204 cannot express is not invented: it has no ``inOnderzoek``,
``rni`` or ``verificatie``, and it delivers codes where Haal Centraal delivers
code plus omschrijving (see ``waardetabellen``).
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from hub.plugin_sdk import UpstreamRejected, UpstreamUnavailable
from plugins.brp.dates import from_stuf
from plugins.brp.waardetabellen import (
    ADELLIJKE_TITELS,
    GEMEENTEN,
    GESLACHT,
    LANDEN,
    NATIONALITEITEN,
    SOORT_VERBINTENIS,
    adellijke_titel,
    gemeente_by_name,
    waarde,
)

SOURCE = "brp-stufbg"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
STAATLOOS = "0499"
ONBEKEND = "0000"

# Reden opschorting bijhouding (GBA 67.20): StUF-BG 0204 delivers the code only.
REDEN_OPSCHORTING = {
    "O": "overlijden",
    "E": "emigratie",
    "M": "ministerieel besluit",
    "R": "pl is aangelegd in de rni",
    "F": "fout",
    ".": "onbekend",
}

# Faults that mean "no such person" rather than an error (seen at makelaars in the wild).
NOT_FOUND_FAULTS = ("object niet gevonden", "geen gegevens gevonden")
# Gateway policy faults: our request or credentials were refused (never retried).
REJECTED_FAULTS = ("policy falsified", "niet geautoriseerd", "not authorized")


def _parser() -> etree.XMLParser:
    # No DTDs, entities or network: answers come from outside the hub.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def local(element: etree._Element) -> str:
    """The local name of an element."""
    return etree.QName(element).localname


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str) and local(c) == name]


def _child(element: etree._Element, *names: str) -> etree._Element | None:
    for name in names:
        found = _children(element, name)
        if found:
            return found[0]
    return None


def _has_value(element: etree._Element | None) -> bool:
    if element is None or element.get(XSI_NIL) in ("true", "1"):
        return False
    if any(str(k).endswith("}noValue") or str(k) == "noValue" for k in element.attrib):
        return False
    return bool((element.text or "").strip()) or any(isinstance(c.tag, str) for c in element)


def _text(element: etree._Element, *names: str) -> str | None:
    found = _child(element, *names)
    if not _has_value(found):
        return None
    assert found is not None
    return (found.text or "").strip() or None


def _datum(element: etree._Element, *names: str) -> dict[str, Any] | None:
    found = _child(element, *names)
    if not _has_value(found):
        return None
    assert found is not None
    indicator = next(
        (str(v) for k, v in found.attrib.items() if str(k).endswith("indOnvolledigeDatum")), None
    )
    try:
        return from_stuf((found.text or "").strip(), indicator)
    except ValueError:
        return None


def _plaats(value: str | None) -> dict[str, Any] | None:
    """A birth/death place: a gemeentecode, a known gemeente name, or a foreign place name."""
    if value is None:
        return None
    if value.isdigit():
        return waarde(value.zfill(4), GEMEENTEN)
    code = gemeente_by_name(value)
    return waarde(code, GEMEENTEN) if code else {"omschrijving": value}


def _land(value: str | None) -> dict[str, Any] | None:
    return waarde(value.zfill(4), LANDEN) if value else None


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, {}, []):
        target[key] = value


def _naam(element: etree._Element) -> dict[str, Any]:
    naam: dict[str, Any] = {}
    _put(naam, "voornamen", _text(element, "voornamen"))
    _put(naam, "voorletters", _text(element, "voorletters"))
    _put(naam, "voorvoegsel", _text(element, "voorvoegselGeslachtsnaam"))
    _put(naam, "geslachtsnaam", _text(element, "geslachtsnaam"))
    titel = _text(element, "adellijkeTitelPredikaat", "adellijkeTitelPredicaat")
    if titel and titel.upper() in ADELLIJKE_TITELS:
        naam["adellijkeTitelPredicaat"] = adellijke_titel(titel)
    elif titel:
        naam["adellijkeTitelPredicaat"] = {"code": titel.upper()}
    return naam


def _geboorte(element: etree._Element) -> dict[str, Any]:
    geboorte: dict[str, Any] = {}
    _put(geboorte, "datum", _datum(element, "geboortedatum"))
    _put(geboorte, "plaats", _plaats(_text(element, "geboorteplaats", "inp.geboorteplaats")))
    _put(geboorte, "land", _land(_text(element, "codeGeboorteland", "inp.geboorteLand")))
    return geboorte


def _identiteit(element: etree._Element) -> dict[str, Any]:
    """What StUF says about any person, the one asked about or a relative."""
    persoon: dict[str, Any] = {}
    bsn = _text(element, "bsn-nummer", "inp.bsn")
    _put(persoon, "burgerservicenummer", bsn.zfill(9) if bsn else None)
    _put(persoon, "naam", _naam(element))
    geslacht = _text(element, "geslachtsaanduiding")
    _put(persoon, "geslacht", waarde(geslacht.upper(), GESLACHT) if geslacht else None)
    _put(persoon, "geboorte", _geboorte(element))
    return persoon


def _verblijfplaats_0204(adres: etree._Element, relatie: etree._Element) -> dict[str, Any] | None:
    datum_van = None
    tijdvak = _child(relatie, "tijdvakRelatie")
    if tijdvak is not None:
        datum_van = _datum(tijdvak, "begindatumRelatie")
    return _verblijfplaats(
        straat=_text(adres, "straatnaam"),
        officieel=None,
        huisnummer=_text(adres, "huisnummer"),
        huisletter=_text(adres, "huisletter"),
        toevoeging=_text(adres, "huisnummertoevoeging"),
        postcode=_text(adres, "postcode"),
        woonplaats=_text(adres, "woonplaatsnaam"),
        locatie=_text(adres, "locatieomschrijving"),
        buitenland=[_text(adres, f"adresBuitenland{i}") for i in (1, 2, 3)],
        land=_text(adres, "landcode"),
        datum_van=datum_van,
    )


def _verblijfplaats_0310(persoon: etree._Element) -> dict[str, Any] | None:
    adres = _child(persoon, "verblijfsadres")
    if _has_value(adres):
        assert adres is not None
        return _verblijfplaats(
            straat=_text(adres, "gor.straatnaam"),
            officieel=_text(adres, "gor.openbareRuimteNaam"),
            huisnummer=_text(adres, "aoa.huisnummer"),
            huisletter=_text(adres, "aoa.huisletter"),
            toevoeging=_text(adres, "aoa.huisnummertoevoeging"),
            postcode=_text(adres, "aoa.postcode"),
            woonplaats=_text(adres, "wpl.woonplaatsNaam"),
            locatie=_text(adres, "inp.locatiebeschrijving"),
            buitenland=[None, None, None],
            land=None,
            datum_van=_datum(adres, "begindatumVerblijf"),
        )
    buitenland = _child(persoon, "sub.verblijfBuitenland")
    if _has_value(buitenland):
        assert buitenland is not None
        return _verblijfplaats(
            straat=None,
            officieel=None,
            huisnummer=None,
            huisletter=None,
            toevoeging=None,
            postcode=None,
            woonplaats=None,
            locatie=None,
            buitenland=[_text(buitenland, f"sub.adresBuitenland{i}") for i in (1, 2, 3)],
            land=_text(buitenland, "lnd.landcode"),
            datum_van=None,
        )
    return None


def _verblijfplaats(
    *,
    straat: str | None,
    officieel: str | None,
    huisnummer: str | None,
    huisletter: str | None,
    toevoeging: str | None,
    postcode: str | None,
    woonplaats: str | None,
    locatie: str | None,
    buitenland: list[str | None],
    land: str | None,
    datum_van: dict[str, Any] | None,
) -> dict[str, Any] | None:
    plaats: dict[str, Any]
    adres: dict[str, Any] = {}
    if any(buitenland):
        for i, regel in enumerate(buitenland, start=1):
            _put(adres, f"regel{i}", regel)
        _put(adres, "land", _land(land))
        plaats = {"type": "VerblijfplaatsBuitenland", "verblijfadres": adres}
    elif straat or officieel or postcode or huisnummer:
        _put(adres, "officieleStraatnaam", officieel)
        _put(adres, "korteStraatnaam", straat)
        if huisnummer and huisnummer.isdigit():
            adres["huisnummer"] = int(huisnummer)
        _put(adres, "huisletter", huisletter)
        _put(adres, "huisnummertoevoeging", toevoeging)
        _put(adres, "postcode", postcode.replace(" ", "").upper() if postcode else None)
        _put(adres, "woonplaats", woonplaats)
        plaats = {"type": "Adres", "verblijfadres": adres}
    elif locatie:
        plaats = {"type": "Locatie", "verblijfadres": {"locatiebeschrijving": locatie}}
    else:
        return None
    _put(plaats, "datumVan", datum_van)
    return plaats


def _relatives(element: etree._Element, names: tuple[str, ...]) -> list[etree._Element]:
    found: list[etree._Element] = []
    for name in names:
        found.extend(r for r in _children(element, name) if _has_value(r))
    return found


def _related_person(relatie: etree._Element) -> etree._Element | None:
    person = _child(relatie, "PRS", "gerelateerde")
    return person if _has_value(person) else None


def _partners(element: etree._Element) -> list[dict[str, Any]]:
    partners: list[dict[str, Any]] = []
    for relatie in _relatives(element, ("PRSPRSHUW", "inp.heeftAlsEchtgenootPartner")):
        person = _related_person(relatie)
        partner = _identiteit(person) if person is not None else {}
        soort = _text(relatie, "soortVerbintenis")
        _put(partner, "soortVerbintenis", waarde(soort, SOORT_VERBINTENIS) if soort else None)
        aangaan: dict[str, Any] = {}
        _put(aangaan, "datum", _datum(relatie, "datumSluiting"))
        _put(aangaan, "plaats", _plaats(_text(relatie, "plaatsSluiting")))
        _put(aangaan, "land", _land(_text(relatie, "landSluiting")))
        _put(partner, "aangaanHuwelijkPartnerschap", aangaan)
        ontbinding = _datum(relatie, "datumOntbinding")
        _put(
            partner, "ontbindingHuwelijkPartnerschap", {"datum": ontbinding} if ontbinding else None
        )
        if partner:
            partners.append(partner)
    return partners


def _kinderen(element: etree._Element) -> list[dict[str, Any]]:
    kinderen = []
    for relatie in _relatives(element, ("PRSPRSKND", "inp.heeftAlsKinderen")):
        person = _related_person(relatie)
        if person is not None:
            kind = _identiteit(person)
            kind.pop("geslacht", None)  # Kind has no geslacht in Haal Centraal
            if kind:
                kinderen.append(kind)
    return kinderen


def _ouders(element: etree._Element) -> list[dict[str, Any]]:
    ouders = []
    for relatie in _relatives(element, ("PRSPRSOUD", "inp.heeftAlsOuders")):
        person = _related_person(relatie)
        ouder = _identiteit(person) if person is not None else {}
        _put(ouder, "datumIngangFamilierechtelijkeBetrekking", _datum(relatie, "ingangsdatum"))
        if ouder:
            ouders.append(ouder)
    return ouders


def _nationaliteiten(element: etree._Element) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for relatie in _relatives(element, ("PRSNAT", "inp.heeftAlsNationaliteit")):
        tabel = _child(relatie, "NAT", "gerelateerde")
        code = _text(tabel, "code") if tabel is not None else None
        if code is None:
            continue
        code = code.zfill(4)
        if code == STAATLOOS:
            result.append({"type": "Staatloos"})
        elif code == ONBEKEND:
            result.append({"type": "NationaliteitOnbekend"})
        else:
            result.append({"type": "Nationaliteit", "nationaliteit": waarde(code, NATIONALITEITEN)})
    bijzonder = _text(element, "aanduidingBijzonderNederlanderschap")
    if bijzonder == "B":
        result.append({"type": "BehandeldAlsNederlander"})
    elif bijzonder == "V":
        result.append({"type": "VastgesteldNietNederlander"})
    return result


def persoon(element: etree._Element) -> dict[str, Any]:
    """One StUF-BG person (0204 ``PRS`` or 0310 ``NPS`` object) as a Haal Centraal ``Persoon``."""
    result = _identiteit(element)
    a_nummer = _text(element, "a-nummer", "inp.a-nummer")
    _put(result, "aNummer", a_nummer.zfill(10) if a_nummer else None)
    geheim = _text(element, "indicatieGeheim", "inp.indicatieGeheim")
    if geheim and geheim.isdigit() and int(geheim) > 0:
        result["geheimhoudingPersoonsgegevens"] = True
    overlijden: dict[str, Any] = {}
    _put(overlijden, "datum", _datum(element, "datumOverlijden", "overlijdensdatum"))
    _put(overlijden, "plaats", _plaats(_text(element, "plaatsOverlijden", "inp.overlijdenplaats")))
    _put(overlijden, "land", _land(_text(element, "codeLandOverlijden", "inp.overlijdenLand")))
    _put(result, "overlijden", overlijden)
    gemeente = _text(element, "codeGemeenteVanInschrijving", "inp.gemeenteVanInschrijving")
    _put(
        result,
        "gemeenteVanInschrijving",
        waarde(gemeente.zfill(4), GEMEENTEN) if gemeente else None,
    )
    _put(
        result,
        "datumInschrijvingInGemeente",
        _datum(element, "datumInschrijvingGemeente", "inp.datumInschrijving"),
    )
    opschorting: dict[str, Any] = {}
    reden = _text(
        element, "omschrijvingRedenOpschortingBijhouding", "inp.redenOpschortingBijhouding"
    )
    if reden:
        opschorting["reden"] = waarde(reden.upper(), REDEN_OPSCHORTING)
    _put(
        opschorting,
        "datum",
        _datum(element, "datumOpschortingBijhouding", "inp.datumOpschortingBijhouding"),
    )
    _put(result, "opschortingBijhouding", opschorting)
    if _text(element, "indicatieCuratelestelling", "inp.indicatieCuratele") in ("1", "J"):
        result["indicatieCurateleRegister"] = True
    verblijfstitel: dict[str, Any] = {}
    titel = _text(element, "verblijfstitel", "vbt.aanduidingVerblijfstitel")
    _put(verblijfstitel, "aanduiding", {"code": titel.zfill(2)} if titel else None)
    _put(
        verblijfstitel,
        "datumIngang",
        _datum(element, "datumVerkrijgingVerblijfstitel", "ing.datumVerkrijgingVerblijfstitel"),
    )
    _put(
        verblijfstitel,
        "datumEinde",
        _datum(element, "datumVerliesVerblijfstitel", "ing.datumVerliesVerblijfstitel"),
    )
    _put(result, "verblijfstitel", verblijfstitel)
    immigratie: dict[str, Any] = {}
    _put(
        immigratie,
        "landVanwaarIngeschreven",
        _land(_text(element, "codeLandImmigratie", "inp.immigratieLand")),
    )
    _put(
        immigratie,
        "datumVestigingInNederland",
        _datum(element, "datumVestigingInNederland", "inp.datumVestigingInNederland"),
    )
    _put(result, "immigratie", immigratie)
    relatie = next(iter(_relatives(element, ("PRSADRVBL",))), None)
    adres = _child(relatie, "ADR") if relatie is not None else None
    if relatie is not None and _has_value(adres):
        assert adres is not None
        _put(result, "verblijfplaats", _verblijfplaats_0204(adres, relatie))
    else:
        _put(result, "verblijfplaats", _verblijfplaats_0310(element))
    _put(result, "nationaliteiten", _nationaliteiten(element))
    _put(result, "partners", _partners(element))
    _put(result, "kinderen", _kinderen(element))
    _put(result, "ouders", _ouders(element))
    return result


# -- whole answers ---------------------------------------------------------------------------
def _raise_fault(fault: etree._Element) -> None:
    """Turn a SOAP fault into a typed error; return quietly when it means "not found"."""
    code = (_text(fault, "faultcode") or "").split(":")[-1].casefold()
    text = (_text(fault, "faultstring") or "").casefold()
    fout = next(
        (e for e in fault.iter() if isinstance(e.tag, str) and local(e) == "foutBericht"), None
    )
    if any(marker in text for marker in NOT_FOUND_FAULTS):
        return
    if fout is not None:
        body = _child(fout, "body")
        plek = (_text(body, "plek") or "") if body is not None else ""
        foutcode = (_text(body, "code") or "onbekend") if body is not None else "onbekend"
        if plek == "client":
            raise UpstreamRejected(
                f"StUF-BG weigert de vraag (foutcode {foutcode[:10]})", source=SOURCE
            )
        raise UpstreamUnavailable(
            f"StUF-BG kan de vraag niet beantwoorden (foutcode {foutcode[:10]})", source=SOURCE
        )
    if code == "client" or any(marker in text for marker in REJECTED_FAULTS):
        raise UpstreamRejected("StUF-BG weigert de vraag (SOAP-fout)", source=SOURCE)
    raise UpstreamUnavailable("StUF-BG gaf een SOAP-fout", source=SOURCE)


def _is_person(element: etree._Element) -> bool:
    """An answer object with at least one delivered value (an empty ``object`` means none)."""
    return any(isinstance(c.tag, str) and _has_value(c) for c in element)


def persons_in(xml: bytes) -> list[etree._Element]:
    """The person elements of a StUF-BG answer envelope (0204 or 0310); faults raise."""
    try:
        root = etree.fromstring(xml, parser=_parser())
    except etree.XMLSyntaxError:
        # Cause dropped on purpose: the parser's message may quote answer content.
        raise UpstreamUnavailable("StUF-BG gaf een onleesbaar antwoord", source=SOURCE) from None
    body = _child(root, "Body") if local(root) == "Envelope" else None
    if body is None:
        raise UpstreamUnavailable("StUF-BG gaf geen SOAP-antwoord", source=SOURCE)
    fault = _child(body, "Fault")
    if fault is not None:
        _raise_fault(fault)
        return []
    message = next((c for c in body if isinstance(c.tag, str)), None)
    if message is None:
        raise UpstreamUnavailable("StUF-BG gaf een leeg antwoord", source=SOURCE)
    name = local(message)
    if name == "synchroonAntwoordBericht":
        inhoud = _child(message, "body")
        found = _children(inhoud, "PRS") if inhoud is not None else []
    elif name == "npsLa01":
        antwoord = _child(message, "antwoord")
        found = _children(antwoord, "object") if antwoord is not None else []
    elif name == "foutBericht" or name.endswith("Fo01") or name.endswith("Fo02"):
        _raise_fault(_wrap(message))
        return []
    else:
        raise UpstreamUnavailable("StUF-BG gaf een onverwacht bericht", source=SOURCE)
    return [p for p in found if _has_value(p) and _is_person(p)]


def _wrap(fout: etree._Element) -> etree._Element:
    wrapper = etree.Element("Fault")
    wrapper.append(fout)
    return wrapper


def personen(xml: bytes) -> list[dict[str, Any]]:
    """Every person in a StUF-BG answer envelope, in Haal Centraal shape."""
    return [persoon(p) for p in persons_in(xml)]
