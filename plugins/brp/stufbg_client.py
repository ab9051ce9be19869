"""Client for StUF-BG 0204 synchronous questions (``beantwoordSynchroneVraag``).

zeep builds every question from the official WSDL (``specs/stuf/bg0204``), so a
question the XSD does not allow fails here rather than at the makelaar; zeep
also reads every 0204 answer (its SOAP fault handling and structure checks).
The persons in the answer are then mapped onto the Haal Centraal shape by
``stufbg_mapping`` (which also reads StUF-BG 0310 answers). The HTTP transport
is httpx, configured like the Haal Centraal client: mutual TLS, timeouts.

Only the elements the role may see are put in the question's scope, so the
makelaar never sends more than needed. Nothing identifying a person is logged.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from lxml import etree
from zeep import Client, Settings, xsd
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault

from hub.plugin_sdk import (
    InvalidRequest,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
    is_valid_bsn,
)
from plugins.brp import stufbg_mapping
from plugins.brp.config import StufBgSettings, StufSysteem
from plugins.brp.derived import add_derived
from plugins.brp.fields import loggable_type, select_fields
from plugins.brp.haalcentraal_client import ssl_context

log = logging.getLogger(__name__)

SOURCE = stufbg_mapping.SOURCE
BG = "http://www.egem.nl/StUF/sector/bg/0204"
SERVICE, PORT, OPERATION = "StUFBGSynchroon", "StUFBGSynchronePort", "beantwoordSynchroneVraag"
GEBRUIKER_MAX = 20

Scope = dict[str, "Scope"]

# Haal Centraal field path → the StUF-BG 0204 scope that delivers it.
_NAAM: dict[str, Scope] = {
    "naam.voornamen": {"voornamen": {}},
    "naam.voorletters": {"voorletters": {}},
    "naam.voorvoegsel": {"voorvoegselGeslachtsnaam": {}},
    "naam.geslachtsnaam": {"geslachtsnaam": {}},
    "naam.adellijkeTitelPredicaat": {"adellijkeTitelPredikaat": {}},
}
_IDENTITEIT: dict[str, Scope] = {
    "burgerservicenummer": {"bsn-nummer": {}},
    **_NAAM,
    "geslacht": {"geslachtsaanduiding": {}},
    "geboorte.datum": {"geboortedatum": {}},
    "geboorte.plaats": {"geboorteplaats": {}},
    "geboorte.land": {"codeGeboorteland": {}},
}
_ADRES: dict[str, Scope] = {
    "verblijfplaats.verblijfadres.korteStraatnaam": {"straatnaam": {}},
    "verblijfplaats.verblijfadres.officieleStraatnaam": {"straatnaam": {}},
    "verblijfplaats.verblijfadres.huisnummer": {"huisnummer": {}},
    "verblijfplaats.verblijfadres.huisletter": {"huisletter": {}},
    "verblijfplaats.verblijfadres.huisnummertoevoeging": {"huisnummertoevoeging": {}},
    "verblijfplaats.verblijfadres.postcode": {"postcode": {}},
    "verblijfplaats.verblijfadres.woonplaats": {"woonplaatsnaam": {}},
    "verblijfplaats.verblijfadres.locatiebeschrijving": {"locatieomschrijving": {}},
    "verblijfplaats.verblijfadres.regel1": {"adresBuitenland1": {}},
    "verblijfplaats.verblijfadres.regel2": {"adresBuitenland2": {}},
    "verblijfplaats.verblijfadres.regel3": {"adresBuitenland3": {}},
    "verblijfplaats.verblijfadres.land": {"landcode": {}},
}
_HUW: dict[str, Scope] = {
    "partners.soortVerbintenis": {"soortVerbintenis": {}},
    "partners.aangaanHuwelijkPartnerschap.datum": {"datumSluiting": {}},
    "partners.aangaanHuwelijkPartnerschap.plaats": {"plaatsSluiting": {}},
    "partners.aangaanHuwelijkPartnerschap.land": {"landSluiting": {}},
    "partners.ontbindingHuwelijkPartnerschap.datum": {"datumOntbinding": {}},
}
SCOPES: dict[str, Scope] = {
    **_IDENTITEIT,
    "aNummer": {"a-nummer": {}},
    "overlijden.datum": {"datumOverlijden": {}},
    "overlijden.plaats": {"plaatsOverlijden": {}},
    "overlijden.land": {"codeLandOverlijden": {}},
    "gemeenteVanInschrijving": {"codeGemeenteVanInschrijving": {}},
    "datumInschrijvingInGemeente": {"datumInschrijvingGemeente": {}},
    "nationaliteiten": {
        "PRSNAT": {"NAT": {"code": {}, "omschrijving": {}}},
        "aanduidingBijzonderNederlanderschap": {},
    },
    "verblijfplaats.datumVan": {"PRSADRVBL": {"tijdvakRelatie": {}}},
    "indicatieCurateleRegister": {"indicatieCuratelestelling": {}},
    "verblijfstitel.aanduiding": {"verblijfstitel": {}},
    "verblijfstitel.datumIngang": {"datumVerkrijgingVerblijfstitel": {}},
    "verblijfstitel.datumEinde": {"datumVerliesVerblijfstitel": {}},
    "immigratie.landVanwaarIngeschreven": {"codeLandImmigratie": {}},
    "immigratie.datumVestigingInNederland": {"datumVestigingInNederland": {}},
    **{path: {"PRSADRVBL": {"ADR": scope}} for path, scope in _ADRES.items()},
    **{path: {"PRSPRSHUW": scope} for path, scope in _HUW.items()},
    **{f"partners.{p}": {"PRSPRSHUW": {"PRS": s}} for p, s in _IDENTITEIT.items()},
    **{f"kinderen.{p}": {"PRSPRSKND": {"PRS": s}} for p, s in _IDENTITEIT.items()},
    **{f"ouders.{p}": {"PRSPRSOUD": {"PRS": s}} for p, s in _IDENTITEIT.items()},
    "ouders.datumIngangFamilierechtelijkeBetrekking": {"PRSPRSOUD": {"ingangsdatum": {}}},
}
# Derived by Haal Centraal from recorded data; derived here from these parts (see derived.py).
_ALLE_ADRES: Scope = {"PRSADRVBL": {"ADR": {k: {} for s in _ADRES.values() for k in s}}}
_ALLE_NAAM: Scope = {k: {} for s in _NAAM.values() for k in s}
SCOPES["adressering"] = _ALLE_ADRES
SCOPES["naam.volledigeNaam"] = _ALLE_NAAM
SCOPES["leeftijd"] = {"geboortedatum": {}, "datumOverlijden": {}}

# Delivered unasked by Haal Centraal, so always in scope here too.
ALWAYS: Scope = {
    "indicatieGeheim": {},
    "datumOpschortingBijhouding": {},
    "omschrijvingRedenOpschortingBijhouding": {},
}


def _merge(into: Scope, more: Scope) -> None:
    for name, sub in more.items():
        _merge(into.setdefault(name, {}), sub)


def scope_for(fields: Sequence[str]) -> Scope:
    """The StUF-BG scope that delivers ``fields`` (a prefix such as ``naam`` takes all below it)."""
    scope: Scope = {}
    _merge(scope, ALWAYS)
    for field in fields:
        for path, part in SCOPES.items():
            if path == field or path.startswith(field + ".") or field.startswith(path + "."):
                _merge(scope, part)
    return scope


@cache
def _zeep_client(wsdl: Path) -> Client:
    """The parsed WSDL (about 1.5 s), once per process; it only builds and reads messages."""
    return Client(str(wsdl), settings=Settings(strict=True, xml_huge_tree=False))  # type: ignore[no-untyped-call]


def _zeep_value(scope: Scope, entity: str) -> dict[str, Any]:
    """A scope tree as zeep input: leaves nil, entities with their soortEntiteit."""
    value: dict[str, Any] = {"soortEntiteit": entity}
    for name, sub in scope.items():
        if name == "tijdvakRelatie":
            value[name] = {"begindatumRelatie": xsd.Nil, "einddatumRelatie": xsd.Nil}
        elif not sub:
            value[name] = xsd.Nil
        elif name in ("PRSADRVBL", "PRSNAT", "PRSPRSHUW", "PRSPRSKND", "PRSPRSOUD"):
            value[name] = _zeep_value(sub, "R")
        elif name == "NAT":
            value[name] = _zeep_value(sub, "T")
        else:
            value[name] = _zeep_value(sub, "F")
    return value


class _Reply:
    """The shape of a ``requests.Response`` that zeep's ``process_reply`` reads."""

    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.content = response.content
        self.headers = response.headers
        self.encoding = response.encoding


class StufBgClient:
    """Asks one gemeente's StUF-BG makelaar. Thread-safe; keep one per gemeente."""

    def __init__(
        self,
        settings: StufBgSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._settings = settings
        self._today = today
        self._zeep = _zeep_client(settings.wsdl)
        self._service = self._zeep.bind(SERVICE, PORT)
        self._operation = self._service._binding.get(OPERATION)
        auth = (
            (settings.username, settings.password.resolve())
            if settings.username and settings.password
            else None
        )
        self._http = httpx.Client(
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            verify=ssl_context(settings.tls),
            follow_redirects=False,
            transport=transport,
            auth=auth,
        )
        self._lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    # -- public -----------------------------------------------------------------------------
    def personen(
        self, query: Mapping[str, Any], fields: Sequence[str], *, gebruiker: str | None = None
    ) -> dict[str, Any]:
        """Answer a Haal Centraal query from StUF-BG, in Haal Centraal shape, reduced to ``fields``."""
        query_type = str(query.get("type", ""))
        started = time.perf_counter()
        scope = scope_for(fields)
        skip_deceased = query_type != "RaadpleegMetBurgerservicenummer" and not query.get(
            "inclusiefOverledenPersonen"
        )
        if skip_deceased:
            # Like Haal Centraal, searches leave out the deceased: ask to be able to tell.
            _merge(scope, {"datumOverlijden": {}})
        found: list[dict[str, Any]] = []
        for criteria in _criteria(query):
            answered = self._ask(criteria, scope, gebruiker)
            if len(answered) >= self._settings.maximum_aantal:
                # StUF answers at most maximumAantal; more would need a vervolgvraag.
                log.warning(
                    "brp stufbg %s: answer hit maximum_aantal (%d); it may be incomplete",
                    loggable_type(query_type),
                    self._settings.maximum_aantal,
                )
            found.extend(answered)
        if skip_deceased:
            found = [p for p in found if "overlijden" not in p]
        peildatum = self._today()
        for persoon in found:
            add_derived(persoon, list(fields), peildatum)
        personen = [select_fields(p, fields) for p in found]
        log.info(
            "brp stufbg %s: %d fields asked, %d personen, %.0f ms",
            loggable_type(query_type),
            len(fields),
            len(personen),
            (time.perf_counter() - started) * 1000,
        )
        return {"type": query_type, "personen": personen}

    def ping(self) -> None:
        """A question no person can match (BSN 0 fails the 11-proof), proving the route works."""
        self._ask({"bsn-nummer": "0"}, {"bsn-nummer": {}}, None)

    # -- one question -----------------------------------------------------------------------
    def _stuurgegevens(self, gebruiker: str | None) -> dict[str, Any]:
        zender = _systeem(self._settings.zender)
        if self._settings.gebruiker_uit_caller and gebruiker:
            zender["gebruiker"] = gebruiker[:GEBRUIKER_MAX]
        return {
            "berichtsoort": "Lv01",
            "entiteittype": "PRS",
            "sectormodel": "BG",
            "versieStUF": "0204",
            "versieSectormodel": "0204",
            "zender": zender,
            "ontvanger": _systeem(self._settings.ontvanger),
            "referentienummer": uuid.uuid4().hex[:12],
            "tijdstipBericht": datetime.now().strftime("%Y%m%d%H%M%S%f")[:16],
            "vraag": {
                "maximumAantal": self._settings.maximum_aantal,
                "indicatorHistorisch": False,
            },
        }

    def _ask(
        self, criteria: dict[str, Any], scope: Scope, gebruiker: str | None
    ) -> list[dict[str, Any]]:
        selection = _selection(criteria)
        try:
            message = self._zeep.create_message(  # type: ignore[no-untyped-call]
                self._service,
                OPERATION,
                stuurgegevens=self._stuurgegevens(gebruiker),
                body={"PRS": [selection, selection, _zeep_value(scope, "F")]},
            )
        except (ZeepError, TypeError, ValueError) as exc:
            # Our own question does not fit the XSD: a bug or an impossible query. The
            # cause is dropped: zeep quotes the offending value, which may be a BSN.
            log.warning("brp stufbg: question does not fit the XSD (%s)", type(exc).__name__)
            raise InvalidRequest(
                "De vraag past niet in StUF-BG 0204", field="type", code="stufbg"
            ) from None
        payload = etree.tostring(message, xml_declaration=True, encoding="UTF-8")
        response = self._post(payload)
        if response.status_code in (401, 403):
            raise UpstreamRejected(
                f"StUF-BG makelaar weigert de hub (status {response.status_code})", source=SOURCE
            )
        if response.status_code == 200:
            try:
                # zeep reads the 0204 answer the way it reads every reply: structure and faults.
                self._service._binding.process_reply(self._zeep, self._operation, _Reply(response))
            except Fault:
                pass  # the mapping below turns the fault into the right error
            except ZeepError as exc:
                # Cause dropped on purpose: zeep's message quotes answer content (person data).
                log.warning("brp stufbg: answer does not fit StUF-BG 0204 (%s)", type(exc).__name__)
                raise UpstreamUnavailable(
                    "StUF-BG gaf een antwoord dat niet aan StUF-BG 0204 voldoet", source=SOURCE
                ) from None
        elif response.status_code < 500:
            raise UpstreamRejected(
                f"StUF-BG antwoordde onverwacht (status {response.status_code})", source=SOURCE
            )
        elif "xml" not in response.headers.get("content-type", ""):
            # A 5xx without a SOAP fault: a proxy or the makelaar itself is down.
            raise UpstreamUnavailable(
                f"StUF-BG geeft een fout (status {response.status_code})", source=SOURCE
            )
        return stufbg_mapping.personen(response.content)

    def _post(self, payload: bytes) -> httpx.Response:
        headers = {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{self._operation.soapaction}"',
        }
        try:
            return self._http.post(self._settings.endpoint, content=payload, headers=headers)
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout("StUF-BG antwoordde niet binnen de tijd", source=SOURCE) from exc
        except httpx.TransportError as exc:
            raise UpstreamUnavailable(
                f"StUF-BG niet bereikbaar ({type(exc).__name__})", source=SOURCE
            ) from exc


def _systeem(systeem: StufSysteem) -> dict[str, Any]:
    return {k: v for k, v in systeem.model_dump().items() if v is not None}


def _selection(criteria: dict[str, Any]) -> dict[str, Any]:
    selection: dict[str, Any] = {"soortEntiteit": "F"}
    adres = {k.removeprefix("ADR."): v for k, v in criteria.items() if k.startswith("ADR.")}
    selection.update({k: v for k, v in criteria.items() if not k.startswith("ADR.")})
    if adres:
        selection["PRSADRVBL"] = {"soortEntiteit": "R", "ADR": {"soortEntiteit": "F", **adres}}
    return selection


def _criteria(query: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One StUF selection per question to ask; a BSN failing the 11-proof is not asked."""
    kind = query.get("type")
    if kind == "RaadpleegMetBurgerservicenummer":
        return [
            {"bsn-nummer": int(b)} for b in query.get("burgerservicenummer", []) if is_valid_bsn(b)
        ]
    if kind == "ZoekMetGeslachtsnaamEnGeboortedatum":
        criteria = {
            "geslachtsnaam": query["geslachtsnaam"],
            "geboortedatum": int(str(query["geboortedatum"]).replace("-", "")),
        }
    elif kind == "ZoekMetNaamEnGemeenteVanInschrijving":
        criteria = {
            "geslachtsnaam": query["geslachtsnaam"],
            "voornamen": query["voornamen"],
            "codeGemeenteVanInschrijving": int(query["gemeenteVanInschrijving"]),
        }
    elif kind == "ZoekMetPostcodeEnHuisnummer":
        criteria = {
            "ADR.postcode": str(query["postcode"]).replace(" ", "").upper(),
            "ADR.huisnummer": int(query["huisnummer"]),
        }
        for optional in ("huisletter", "huisnummertoevoeging"):
            if query.get(optional):
                criteria[f"ADR.{optional}"] = query[optional]
        if query.get("geslachtsnaam"):
            criteria["geslachtsnaam"] = query["geslachtsnaam"]
        if query.get("geboortedatum"):
            criteria["geboortedatum"] = int(str(query["geboortedatum"]).replace("-", ""))
    else:
        raise InvalidRequest(
            "Deze zoekvraag kan de StUF-BG-koppeling niet stellen", field="type", code="unsupported"
        )
    for optional in ("voorvoegsel", "voornamen"):
        if optional in query and kind == "ZoekMetGeslachtsnaamEnGeboortedatum":
            name = "voorvoegselGeslachtsnaam" if optional == "voorvoegsel" else optional
            criteria[name] = query[optional]
    if str(criteria.get("geslachtsnaam", "")).endswith("*"):
        raise InvalidRequest(
            "Zoeken met * kan niet via StUF-BG", field="geslachtsnaam", code="wildcard"
        )
    return [criteria]
