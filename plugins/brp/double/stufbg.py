"""A loopback StUF-BG 0204 responder (``beantwoordSynchroneVraag``) for the zeep client.

It answers from the same synthetic persons as the Haal Centraal double, turned
into StUF-BG 0204 ``PRS`` entities. Every question is validated against the
official XSD (``specs/stuf/bg0204/bg0204.xsd``) and so is every answer; an
off-spec question gets a SOAP fault with a StUF ``foutBericht`` (``plek`` =
client), an off-spec answer is recorded in ``double.spec_violations``.

The question follows StUF 0204: the body holds the entity three or four times —
selection (vanaf), tot-en-met, and the scope: the elements present (nil) in the
scope are the ones answered. Faults are set on ``double.faults``.
"""

from __future__ import annotations

import base64
import itertools
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree
from werkzeug.wrappers import Request, Response

from devkit.doubles import LoopbackWsgiDouble
from plugins.brp.dates import stuf_indicator, to_gba
from plugins.brp.double import persons

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
BG = "http://www.egem.nl/StUF/sector/bg/0204"
STUF = "http://www.egem.nl/StUF/StUF0204"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD_PATH = Path(__file__).resolve().parents[3] / "specs" / "stuf" / "bg0204" / "bg0204.xsd"
SOAP_ACTION = "http://www.egem.nl/StUF/sector/bg/0204/beantwoordSynchroneVraag"
PATH = "/StUFBGSynchroon"

PRS_ORDER = (
    "a-nummer", "bsn-nummer", "voornamen", "voorletters", "voorvoegselGeslachtsnaam",
    "geslachtsnaam", "geboortedatum", "geboorteplaats", "codeGeboorteland",
    "geslachtsaanduiding", "datumOverlijden", "plaatsOverlijden", "codeLandOverlijden",
    "indicatieGeheim", "academischeTitel", "adellijkeTitelPredikaat",
    "codeGemeenteVanInschrijving", "datumInschrijvingGemeente", "datumOpschortingBijhouding",
    "omschrijvingRedenOpschortingBijhouding", "codeLandEmigratie", "datumVertrekUitNederland",
    "codeLandImmigratie", "datumVestigingInNederland", "indicatieGezagMinderjarige",
    "indicatieCuratelestelling", "verblijfstitel", "datumVerkrijgingVerblijfstitel",
    "datumVerliesVerblijfstitel", "aanduidingBijzonderNederlanderschap", "burgerlijkeStaat",
    "aanduidingNaamgebruik", "bankgiroRekeningnummer", "subjectnrAKR", "e-mailAdres",
    "telefoonnummer", "faxnummer", "tijdvakGeldigheid", "extraElementen", "PRS", "PRSADRCOR",
    "PRSADRINS", "PRSADRVBL", "PRSIDB", "PRSNAT", "PRSPRSHUW", "PRSPRSKND", "PRSPRSOUD",
)  # fmt: skip
ADR_ORDER = (
    "adresBuitenland1", "adresBuitenland2", "adresBuitenland3", "landcode", "postcode",
    "woonplaatsnaam", "postbusnummer", "antwoordnummer", "straatnaam", "huisnummer", "huisletter",
    "huisnummertoevoeging", "aanduidingBijHuisnummer", "locatieomschrijving",
)  # fmt: skip
HUW_ORDER = (
    "datumSluiting",
    "plaatsSluiting",
    "landSluiting",
    "soortVerbintenis",
    "datumOntbinding",
)
DATES = {
    "geboortedatum", "datumOverlijden", "datumInschrijvingGemeente", "datumOpschortingBijhouding",
    "datumSluiting", "datumOntbinding", "ingangsdatum", "begindatumRelatie",
    "datumVerkrijgingVerblijfstitel", "datumVerliesVerblijfstitel", "datumVestigingInNederland",
}  # fmt: skip
NATIONALITEIT_CODES = {
    "Staatloos": ("0499", "Staatloos"),
    "NationaliteitOnbekend": ("0000", "Onbekend"),
}

Scope = dict[str, "Scope"]


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


@cache
def schema() -> etree.XMLSchema:
    """The StUF-BG 0204 XSD (with StUF 0204), compiled once."""
    return etree.XMLSchema(etree.parse(str(XSD_PATH)))


@dataclass
class Faults:
    """What the responder does wrong; tests change it at any moment."""

    latency: float = 0.0
    hang_seconds: float = 0.0
    # Answer the next ``fail_next`` questions with an HTTP 500 SOAP fault (server side).
    fail_next: int = 0
    # Answer with a StUF foutBericht whose plek is this ("client" or "server").
    stuf_fout: str | None = None
    # Answer with an element StUF-BG 0204 does not know (to prove the client checks answers).
    off_spec_answer: bool = False

    def reset(self) -> None:
        self.latency = self.hang_seconds = 0.0
        self.fail_next = 0
        self.stuf_fout = None
        self.off_spec_answer = False


@dataclass
class Question:
    """One question as the responder saw it."""

    zender: dict[str, str]
    criteria: dict[str, str]
    scope: Scope
    headers: dict[str, str] = field(default_factory=dict)


class StufBgDouble(LoopbackWsgiDouble):
    thread_name = "brp-stufbg-double"
    """The makelaar's StUFBGSynchroon service on one loopback port."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.faults = Faults()
        self.questions: list[Question] = []
        self.spec_violations: list[str] = []
        self.personen: list[dict[str, Any]] = persons.all_personen()
        self.username, self.password = username, password
        self._lock = threading.Lock()
        self._refs = itertools.count(1)
        self._listen(host, port, ssl_context)
        scheme = "https" if ssl_context else "http"
        self.endpoint = f"{scheme}://{host}:{self.port}{PATH}"
        schema()

    # -- WSGI -------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        return self._handle(request)(environ, start_response)

    def _handle(self, request: Request) -> Response:
        if request.path != PATH or request.method != "POST":
            return Response("niet gevonden", status=404)
        if self.username is not None and not self._authorised(request):
            return Response("niet geautoriseerd", status=401, headers={"WWW-Authenticate": "Basic"})
        with self._lock:
            fail = self.faults.fail_next > 0
            if fail:
                self.faults.fail_next -= 1
            latency, hang, stuf_fout = (
                self.faults.latency,
                self.faults.hang_seconds,
                self.faults.stuf_fout,
            )
        if latency:
            time.sleep(latency)
        if hang:
            time.sleep(hang)
        if request.headers.get("SOAPAction", "").strip('"') != SOAP_ACTION:
            return self._fout("client", "DBL0004", "Onbekende SOAPAction", status=500)
        try:
            envelope = etree.fromstring(
                request.get_data(), parser=etree.XMLParser(resolve_entities=False, no_network=True)
            )
        except etree.XMLSyntaxError:
            return self._fout("client", "DBL0001", "Geen geldige XML", status=500)
        vraag = envelope.find(f"{{{SOAP}}}Body/{{{BG}}}vraagBericht")
        if vraag is None:
            return self._fout("client", "DBL0001", "Geen vraagBericht", status=500)
        errors = _validate(vraag)
        if errors:
            return self._fout(
                "client", "DBL0001", "Vraag voldoet niet aan het schema: " + errors[:150]
            )
        if fail:
            return self._fout("server", "DBL0002", "Gesimuleerde storing", status=500)
        if stuf_fout:
            return self._fout(stuf_fout, "DBL0003", "Gesimuleerde StUF-fout")
        question = _question(vraag, request)
        with self._lock:
            self.questions.append(question)
        answer = self._answer(vraag, question)
        if self.faults.off_spec_answer:
            for prs in answer.iter(_q(BG, "PRS")):
                etree.SubElement(prs, _q(BG, "favorieteKleur")).text = "blauw"
            return _soap(answer)
        errors = _validate(answer)
        if errors:
            with self._lock:
                self.spec_violations.append(errors)
            return Response("antwoord van de double wijkt af van het schema: " + errors, status=500)
        return _soap(answer)

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return (user, password) == (self.username, self.password)

    # -- answers ----------------------------------------------------------------------------
    def _stuurgegevens(self, parent: etree._Element, vraag: etree._Element, soort: str) -> None:
        asked = vraag.find(f"{{{STUF}}}stuurgegevens")
        stuur = etree.SubElement(parent, _q(STUF, "stuurgegevens"))
        for name, value in (
            ("berichtsoort", soort),
            ("entiteittype", "PRS"),
            ("sectormodel", "BG"),
            ("versieStUF", "0204"),
            ("versieSectormodel", "0204"),
        ):
            etree.SubElement(stuur, _q(STUF, name)).text = value
        for mine, theirs in (("zender", "ontvanger"), ("ontvanger", "zender")):
            original = asked.find(f"{{{STUF}}}{theirs}") if asked is not None else None
            systeem = etree.SubElement(stuur, _q(STUF, mine))
            if original is not None:
                for child in original:
                    etree.SubElement(systeem, child.tag).text = child.text
            else:
                etree.SubElement(systeem, _q(STUF, "applicatie")).text = "BRP"
        with self._lock:
            ref = next(self._refs)
        etree.SubElement(stuur, _q(STUF, "referentienummer")).text = f"BRP{ref:09d}"
        etree.SubElement(stuur, _q(STUF, "tijdstipBericht")).text = datetime.now().strftime(
            "%Y%m%d%H%M%S%f"
        )[:16]
        kind = "antwoord" if soort == "La01" else "fout"
        block = etree.SubElement(stuur, _q(STUF, kind))
        cross = asked.findtext(f"{{{STUF}}}referentienummer") if asked is not None else None
        etree.SubElement(block, _q(STUF, "crossRefNummer")).text = cross or "onbekend"

    def _answer(self, vraag: etree._Element, question: Question) -> etree._Element:
        answer = etree.Element(_q(BG, "synchroonAntwoordBericht"), nsmap={"BG": BG, "StUF": STUF})
        self._stuurgegevens(answer, vraag, "La01")
        body = etree.SubElement(answer, _q(BG, "body"))
        with self._lock:
            population = list(self.personen)
        maximum = vraag.findtext(f"{{{STUF}}}stuurgegevens/{{{STUF}}}vraag/{{{STUF}}}maximumAantal")
        limit = int(maximum) if maximum and maximum.isdigit() else 15  # the XSD default
        matching = [p for p in population if _matches(question.criteria, p)]
        for persoon in matching[:limit]:
            body.append(_prs(persoon, question.scope, _q(BG, "PRS")))
        return answer

    def _fout(self, plek: str, code: str, omschrijving: str, *, status: int = 500) -> Response:
        fout = etree.Element(_q(STUF, "foutBericht"), nsmap={"StUF": STUF})
        self._stuurgegevens(fout, etree.Element("leeg"), "Fo01")
        body = etree.SubElement(fout, _q(STUF, "body"))
        etree.SubElement(body, _q(STUF, "code")).text = code
        etree.SubElement(body, _q(STUF, "plek")).text = plek
        etree.SubElement(body, _q(STUF, "omschrijving")).text = omschrijving[:200]
        envelope = etree.Element(_q(SOAP, "Envelope"), nsmap={"soapenv": SOAP})
        soap_fault = etree.SubElement(
            etree.SubElement(envelope, _q(SOAP, "Body")), _q(SOAP, "Fault")
        )
        etree.SubElement(soap_fault, "faultcode").text = (
            "soapenv:Client" if plek == "client" else "soapenv:Server"
        )
        etree.SubElement(soap_fault, "faultstring").text = omschrijving[:200]
        etree.SubElement(etree.SubElement(soap_fault, "detail"), fout.tag).extend(list(fout))
        return Response(
            etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"),
            status=status,
            content_type="text/xml; charset=utf-8",
        )


def _validate(element: etree._Element) -> str:
    document = etree.ElementTree(etree.fromstring(etree.tostring(element)))
    if schema().validate(document):
        return ""
    return "; ".join(f"{e.line}: {e.message}" for e in schema().error_log)[:2000]


def _soap(message: etree._Element) -> Response:
    envelope = etree.Element(_q(SOAP, "Envelope"), nsmap={"soapenv": SOAP})
    etree.SubElement(envelope, _q(SOAP, "Body")).append(message)
    return Response(
        etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"),
        status=200,
        content_type="text/xml; charset=utf-8",
    )


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _scope_of(element: etree._Element) -> Scope:
    return {_local(c): _scope_of(c) for c in element if isinstance(c.tag, str)}


def _values_of(element: etree._Element, prefix: str = "") -> dict[str, str]:
    values: dict[str, str] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = prefix + _local(child)
        if len(child):
            values.update(_values_of(child, name + "/"))
        elif child.text and child.text.strip():
            values[name] = child.text.strip()
    return values


def _question(vraag: etree._Element, request: Request) -> Question:
    body = vraag.find(f"{{{BG}}}body")
    assert body is not None
    entities = body.findall(f"{{{BG}}}PRS")
    zender = vraag.find(f"{{{STUF}}}stuurgegevens/{{{STUF}}}zender")
    return Question(
        zender={_local(c): c.text or "" for c in zender} if zender is not None else {},
        criteria=_values_of(entities[0]),
        scope=_scope_of(entities[2]),
        headers={k.lower(): v for k, v in request.headers.items()},
    )


def _matches(criteria: dict[str, str], persoon: dict[str, Any]) -> bool:
    if not criteria:
        return False
    naam = persoon.get("naam", {})
    plaats = persoon.get("verblijfplaats") or {}
    adres = plaats.get("verblijfadres", {}) if plaats.get("type") == "Adres" else {}
    actual = {
        "bsn-nummer": persoon.get("burgerservicenummer"),
        "geslachtsnaam": naam.get("geslachtsnaam"),
        "voornamen": naam.get("voornamen"),
        "voorvoegselGeslachtsnaam": naam.get("voorvoegsel"),
        "geboortedatum": to_gba(persoon["geboorte"]["datum"]) if "geboorte" in persoon else None,
        "codeGemeenteVanInschrijving": persoon.get("gemeenteVanInschrijving", {}).get("code"),
        "PRSADRVBL/ADR/postcode": adres.get("postcode"),
        "PRSADRVBL/ADR/huisnummer": adres.get("huisnummer"),
        "PRSADRVBL/ADR/huisletter": adres.get("huisletter"),
        "PRSADRVBL/ADR/huisnummertoevoeging": adres.get("huisnummertoevoeging"),
    }
    for name, wanted in criteria.items():
        value = actual.get(name)
        if value is None:
            return False
        if name in ("bsn-nummer", "codeGemeenteVanInschrijving", "PRSADRVBL/ADR/huisnummer"):
            if int(wanted) != int(value):
                return False
        elif str(value).casefold().replace(" ", "") != wanted.casefold().replace(" ", ""):
            return False
    return True


# -- Haal Centraal person → StUF-BG 0204 PRS --------------------------------------------------
def _plaats_text(plaats: dict[str, Any] | None) -> str | None:
    if not plaats:
        return None
    return str(plaats.get("omschrijving") or plaats.get("code"))


def _identity_values(p: dict[str, Any]) -> dict[str, Any]:
    naam = p.get("naam", {})
    geboorte = p.get("geboorte", {})
    return {
        "bsn-nummer": p.get("burgerservicenummer"),
        "voornamen": naam.get("voornamen"),
        "voorletters": naam.get("voorletters"),
        "voorvoegselGeslachtsnaam": naam.get("voorvoegsel"),
        "geslachtsnaam": naam.get("geslachtsnaam"),
        "geboortedatum": geboorte.get("datum"),
        "geboorteplaats": _plaats_text(geboorte.get("plaats")),
        "codeGeboorteland": (geboorte.get("land") or {}).get("code"),
        "geslachtsaanduiding": (p.get("geslacht") or {}).get("code"),
    }


def _values(p: dict[str, Any]) -> dict[str, Any]:
    values = _identity_values(p)
    overlijden = p.get("overlijden", {})
    opschorting = p.get("opschortingBijhouding", {})
    bijzonder = {n.get("type") for n in p.get("nationaliteiten", [])}
    values.update(
        {
            "a-nummer": p.get("aNummer"),
            "datumOverlijden": overlijden.get("datum"),
            "plaatsOverlijden": _plaats_text(overlijden.get("plaats")),
            "codeLandOverlijden": (overlijden.get("land") or {}).get("code"),
            "indicatieGeheim": "7" if p.get("geheimhoudingPersoonsgegevens") else "0",
            "adellijkeTitelPredikaat": (p.get("naam", {}).get("adellijkeTitelPredicaat") or {}).get(
                "code"
            ),
            "codeGemeenteVanInschrijving": (p.get("gemeenteVanInschrijving") or {}).get("code"),
            "datumInschrijvingGemeente": p.get("datumInschrijvingInGemeente"),
            "datumOpschortingBijhouding": opschorting.get("datum"),
            "omschrijvingRedenOpschortingBijhouding": (opschorting.get("reden") or {}).get("code"),
            "indicatieCuratelestelling": "1" if p.get("indicatieCurateleRegister") else None,
            "verblijfstitel": ((p.get("verblijfstitel") or {}).get("aanduiding") or {}).get("code"),
            "datumVerkrijgingVerblijfstitel": (p.get("verblijfstitel") or {}).get("datumIngang"),
            "datumVerliesVerblijfstitel": (p.get("verblijfstitel") or {}).get("datumEinde"),
            "codeLandImmigratie": (
                (p.get("immigratie") or {}).get("landVanwaarIngeschreven") or {}
            ).get("code"),
            "datumVestigingInNederland": (p.get("immigratie") or {}).get(
                "datumVestigingInNederland"
            ),
            "aanduidingBijzonderNederlanderschap": "B"
            if "BehandeldAlsNederlander" in bijzonder
            else "V"
            if "VastgesteldNietNederlander" in bijzonder
            else None,
        }
    )
    return values


def _leaf(parent: etree._Element, name: str, value: Any) -> None:
    element = etree.SubElement(parent, _q(BG, name))
    if value is None:
        element.set(_q(XSI, "nil"), "true")
        element.set(_q(STUF, "noValue"), "geenWaarde")
        return
    if name in DATES:
        element.text = to_gba(value)
        indicator = stuf_indicator(value)
        if indicator == "J":  # 0204 has no J: an unknown year is 0000 with month/day unknown
            indicator = "M"
        if indicator != "V":
            element.set(_q(STUF, "indOnvolledigeDatum"), indicator)
    else:
        element.text = str(value)


def _emit(
    parent: etree._Element, order: tuple[str, ...], values: dict[str, Any], scope: Scope
) -> None:
    for name in order:
        if name in scope and name in values:
            value = values[name]
            if name != "indicatieGeheim" and value is None:
                continue
            _leaf(parent, name, value)


def _related(tag: str, p: dict[str, Any], scope: Scope) -> etree._Element:
    element = etree.Element(tag)
    element.set("soortEntiteit", "F")
    _emit(element, PRS_ORDER, _identity_values(p), scope)
    return element


def _tijdvak(parent: etree._Element, begin: dict[str, Any] | None) -> None:
    tijdvak = etree.SubElement(parent, _q(BG, "tijdvakRelatie"))
    for name, value in (("begindatumRelatie", begin), ("einddatumRelatie", None)):
        element = etree.SubElement(tijdvak, _q(STUF, name))
        if value is None:
            element.set(_q(XSI, "nil"), "true")
        else:
            element.text = to_gba(value)
            if stuf_indicator(value) not in ("V", "J"):
                element.set(_q(STUF, "indOnvolledigeDatum"), stuf_indicator(value))


def _adres(plaats: dict[str, Any]) -> dict[str, Any]:
    adres = plaats.get("verblijfadres", {})
    kind = plaats.get("type")
    if kind == "Adres":
        return {
            "straatnaam": adres.get("korteStraatnaam"),
            "huisnummer": adres.get("huisnummer"),
            "huisletter": adres.get("huisletter"),
            "huisnummertoevoeging": adres.get("huisnummertoevoeging"),
            "postcode": adres.get("postcode"),
            "woonplaatsnaam": adres.get("woonplaats"),
        }
    if kind == "VerblijfplaatsBuitenland":
        return {
            "adresBuitenland1": adres.get("regel1"),
            "adresBuitenland2": adres.get("regel2"),
            "adresBuitenland3": adres.get("regel3"),
            "landcode": (adres.get("land") or {}).get("code"),
        }
    if kind == "Locatie":
        return {"locatieomschrijving": adres.get("locatiebeschrijving")}
    return {}


def _prs(p: dict[str, Any], scope: Scope, tag: str) -> etree._Element:
    element = etree.Element(tag)
    element.set("soortEntiteit", "F")
    _emit(element, PRS_ORDER[: PRS_ORDER.index("PRS")], _values(p), scope)
    plaats = p.get("verblijfplaats") or {}
    adres = _adres(plaats)
    if "PRSADRVBL" in scope and adres:
        relatie = etree.SubElement(element, _q(BG, "PRSADRVBL"), soortEntiteit="R")
        if "tijdvakRelatie" in scope["PRSADRVBL"]:
            _tijdvak(relatie, plaats.get("datumVan"))
        adr = etree.SubElement(relatie, _q(BG, "ADR"), soortEntiteit="F")
        _emit(adr, ADR_ORDER, adres, scope["PRSADRVBL"].get("ADR", {}))
    if "PRSNAT" in scope:
        for nationaliteit in p.get("nationaliteiten", []):
            kind = nationaliteit.get("type")
            if kind == "Nationaliteit":
                code = nationaliteit["nationaliteit"]
                pair = (code.get("code"), code.get("omschrijving"))
            elif kind in NATIONALITEIT_CODES:
                pair = NATIONALITEIT_CODES[kind]
            else:
                continue
            relatie = etree.SubElement(element, _q(BG, "PRSNAT"), soortEntiteit="R")
            nat = etree.SubElement(relatie, _q(BG, "NAT"), soortEntiteit="T")
            _emit(
                nat,
                ("code", "omschrijving"),
                dict(zip(("code", "omschrijving"), pair, strict=True)),
                scope["PRSNAT"].get("NAT", {}),
            )
    for name, key in (
        ("PRSPRSHUW", "partners"),
        ("PRSPRSKND", "kinderen"),
        ("PRSPRSOUD", "ouders"),
    ):
        if name not in scope:
            continue
        for relative in p.get(key, []):
            relatie = etree.SubElement(element, _q(BG, name), soortEntiteit="R")
            if name == "PRSPRSHUW":
                aangaan = relative.get("aangaanHuwelijkPartnerschap", {})
                values = {
                    "datumSluiting": aangaan.get("datum"),
                    "plaatsSluiting": _plaats_text(aangaan.get("plaats")),
                    "landSluiting": (aangaan.get("land") or {}).get("code"),
                    "soortVerbintenis": (relative.get("soortVerbintenis") or {}).get("code"),
                    "datumOntbinding": (relative.get("ontbindingHuwelijkPartnerschap") or {}).get(
                        "datum"
                    ),
                }
                _emit(relatie, HUW_ORDER, values, scope[name])
            elif name == "PRSPRSOUD":
                _emit(
                    relatie,
                    ("ingangsdatum",),
                    {"ingangsdatum": relative.get("datumIngangFamilierechtelijkeBetrekking")},
                    scope[name],
                )
            relatie.append(_related(_q(BG, "PRS"), relative, scope[name].get("PRS", {})))
    return element


@contextmanager
def run_stufbg_double(**kwargs: Any) -> Iterator[StufBgDouble]:
    """Start a StUF-BG responder on a free loopback port for the duration of the block."""
    double = StufBgDouble(**kwargs).start()
    try:
        yield double
    finally:
        double.stop()
