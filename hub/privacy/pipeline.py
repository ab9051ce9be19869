"""The privacy pipeline every person-data response passes through.

``lookup_personen`` is what ``POST /api/v1/gemeenten/{code}/personen`` calls:

1. validate the Haal Centraal-style body (type, parameters, BSNs pass the 11-proof) and the
   ``doel`` (doelbinding: unknown → 400, not for this role → 403);
2. derive the ``fields`` the role may see and ask the BRP plugin for those only;
3. mask the answer with the role's policy; geheimhouding is surfaced with a warning;
4. append a logboek record and **commit it**; only then return the data. If the record
   cannot be written the caller gets :class:`~hub.errors.ServiceUnavailable` and no data.

A logboek record is written for every request that reaches this function (an
authenticated caller): answers, empty answers, 400s, 403s and upstream errors.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol

from sqlalchemy.orm import Session

from hub.bsn import is_valid_bsn
from hub.caller import Caller
from hub.errors import (
    CapabilityMissing,
    Forbidden,
    InvalidRequest,
    KccError,
    ServiceUnavailable,
    UpstreamRejected,
)
from hub.privacy import fields as catalogue
from hub.privacy.doelbinding import Doel
from hub.privacy.logboek import STATUS_ERROR, STATUS_OK, LogboekInvoer, append
from hub.privacy.masking import Gemaskeerd, RolBeleid, mask_persoon, upstream_fields
from hub.privacy.settings import GemeenteLike, GemeentePrivacy, privacy_for
from hub.store.base import utcnow
from hub.store.db import Store

log = logging.getLogger(__name__)

ACTIVITEIT = "personen-bevragen"
MAX_BSNS = 20

_TRACE_ID = re.compile(r"^[0-9a-f]{32}$")
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")

# Parameter patterns from specs/brp/personen-openapi.yaml.
_NAAM = re.compile(r"^[a-zA-Z0-9À-ž \.\-\']{1,200}$|^[a-zA-Z0-9À-ž \.\-\']{3,199}\*$")
_VOORNAMEN_OPTIONEEL = re.compile(r"^[a-zA-Z0-9À-ž \.\-\']{1,199}\*?$")
_VOORVOEGSEL = re.compile(r"^[a-zA-Z \']{1,10}$")
_GESLACHT = re.compile(r"^[MmVvOo]$")
_GEMEENTE = re.compile(r"^[0-9]{4}$")
_POSTCODE = re.compile(r"^[1-9][0-9]{3} ?[A-Za-z]{2}$")
_HUISLETTER = re.compile(r"^[a-zA-Z]$")
_TOEVOEGING = re.compile(r"^[a-zA-Z0-9 \-]{1,4}$")
_FIELD = re.compile(r"^[a-zA-Z0-9\._]{1,200}$")
_KEY_NAME = re.compile(r"^[A-Za-z]{1,64}$")


def _check_pattern(pattern: re.Pattern[str]) -> Any:
    def check(name: str, value: Any) -> None:
        if not isinstance(value, str) or not pattern.match(value):
            raise InvalidRequest(f"{name} heeft niet de juiste vorm", field=name, code="pattern")

    return check


def _check_date(name: str, value: Any) -> None:
    if isinstance(value, str) and len(value) == 10:
        try:
            date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return
    raise InvalidRequest(f"{name} moet een datum zijn (JJJJ-MM-DD)", field=name, code="date")


def _check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise InvalidRequest(f"{name} moet true of false zijn", field=name, code="boolean")


def _check_huisnummer(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 99999:
        raise InvalidRequest(
            f"{name} moet een getal van 1 tot en met 99999 zijn", field=name, code="integer"
        )


def _check_bsns(name: str, value: Any) -> None:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_BSNS:
        raise InvalidRequest(
            f"{name} moet een lijst van 1 tot {MAX_BSNS} burgerservicenummers zijn",
            field=name,
            code="array",
        )
    for item in value:
        if not is_valid_bsn(item):
            # Never echo the value: it may be (a typo of) someone's BSN.
            raise InvalidRequest(
                "een burgerservicenummer is ongeldig (9 cijfers en de elfproef)",
                field=name,
                code="bsn",
            )


_CHECKS: dict[str, Any] = {
    "burgerservicenummer": _check_bsns,
    "geslachtsnaam": _check_pattern(_NAAM),
    "voornamen": _check_pattern(_NAAM),
    "voorvoegsel": _check_pattern(_VOORVOEGSEL),
    "geslacht": _check_pattern(_GESLACHT),
    "geboortedatum": _check_date,
    "gemeenteVanInschrijving": _check_pattern(_GEMEENTE),
    "inclusiefOverledenPersonen": _check_bool,
    "postcode": _check_pattern(_POSTCODE),
    "huisnummer": _check_huisnummer,
    "huisletter": _check_pattern(_HUISLETTER),
    "huisnummertoevoeging": _check_pattern(_TOEVOEGING),
}

# type -> (required parameters, optional parameters)
QUERY_TYPES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "RaadpleegMetBurgerservicenummer": (
        frozenset({"burgerservicenummer"}),
        frozenset({"gemeenteVanInschrijving"}),
    ),
    "ZoekMetGeslachtsnaamEnGeboortedatum": (
        frozenset({"geslachtsnaam", "geboortedatum"}),
        frozenset(
            {
                "geslacht",
                "voorvoegsel",
                "voornamen",
                "inclusiefOverledenPersonen",
                "gemeenteVanInschrijving",
            }
        ),
    ),
    "ZoekMetNaamEnGemeenteVanInschrijving": (
        frozenset({"geslachtsnaam", "voornamen", "gemeenteVanInschrijving"}),
        frozenset({"geslacht", "voorvoegsel", "inclusiefOverledenPersonen"}),
    ),
    "ZoekMetPostcodeEnHuisnummer": (
        frozenset({"postcode", "huisnummer"}),
        frozenset(
            {
                "huisletter",
                "huisnummertoevoeging",
                "geboortedatum",
                "geslachtsnaam",
                "inclusiefOverledenPersonen",
                "gemeenteVanInschrijving",
            }
        ),
    ),
}
_OWN_KEYS = frozenset({"type", "doel", "fields"})


def parse_query(body: Any) -> tuple[str, dict[str, Any], list[str] | None]:
    """Validate the body; return (type, Haal Centraal query without doel/fields, asked fields)."""
    if not isinstance(body, Mapping):
        raise InvalidRequest("de body moet een JSON-object zijn", field="body", code="object")
    query_type = body.get("type")
    if not isinstance(query_type, str) or query_type not in QUERY_TYPES:
        known = ", ".join(QUERY_TYPES)
        raise InvalidRequest(
            f"type ontbreekt of wordt niet ondersteund (ondersteund: {known})",
            field="type",
            code="enum",
        )
    required, optional = QUERY_TYPES[query_type]
    for key in body:
        if key not in _OWN_KEYS and key not in required and key not in optional:
            # Echo only a name-like key: anything else might carry person data.
            name = key if isinstance(key, str) and _KEY_NAME.match(key) else "(onbekend)"
            raise InvalidRequest(
                f"{name} is geen parameter van {query_type}", field=name, code="unknown"
            )
    for key in sorted(required):
        if key not in body:
            raise InvalidRequest(f"{key} is verplicht bij {query_type}", field=key, code="required")
    query: dict[str, Any] = {"type": query_type}
    for key in sorted(required | optional):
        if key in body:
            _CHECKS[key](key, body[key])
            query[key] = body[key]
    asked = body.get("fields")
    if asked is not None and (
        not isinstance(asked, list)
        or not 1 <= len(asked) <= 130
        or not all(isinstance(f, str) and _FIELD.match(f) for f in asked)
    ):
        raise InvalidRequest(
            "fields moet een lijst van 1 tot 130 veldpaden zijn", field="fields", code="array"
        )
    return query_type, query, asked


class PluginCaller(Protocol):
    """The part of :class:`hub.pluginmanager.PluginHost` the pipeline uses."""

    def first(self, gemeente: str, hook: str, **kwargs: Any) -> Any: ...


def _span_id() -> str:
    return secrets.token_hex(8)


def _logboek_trace_id(trace_id: str) -> str:
    """Logboek Dataverwerkingen wants 16 bytes hex; other trace id formats are hashed to that."""
    if _TRACE_ID.match(trace_id):
        return trace_id
    return hashlib.sha256(trace_id.encode()).hexdigest()[:32]


def _status_of(exc: Exception) -> tuple[str, int]:
    if isinstance(exc, InvalidRequest):
        return "ongeldig_verzoek", 400
    if isinstance(exc, Forbidden):
        return "geen_toegang", 403
    if isinstance(exc, CapabilityMissing):
        return "niet_beschikbaar", exc.status
    if isinstance(exc, KccError):
        return "bronfout", exc.status
    return "fout", 500


def _has_onderzoek(value: Any) -> bool:
    if isinstance(value, Mapping):
        return "inOnderzoek" in value or any(_has_onderzoek(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_onderzoek(v) for v in value)
    return False


def _waarschuwingen(index: int, gemaskeerd: Gemaskeerd, beleid: RolBeleid) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if gemaskeerd.geheim:
        melding = (
            "Geheimhouding persoonsgegevens: verstrek geen gegevens van deze persoon aan derden."
        )
        if beleid.bij_geheimhouding is not None:
            melding += " Daarom wordt alleen een beperkt deel getoond."
        found.append(
            {"code": "geheimhoudingPersoonsgegevens", "persoon": index, "melding": melding}
        )
    if _has_onderzoek(gemaskeerd.persoon):
        found.append(
            {
                "code": "inOnderzoek",
                "persoon": index,
                "melding": "Gegevens van deze persoon zijn in onderzoek en mogelijk niet juist.",
            }
        )
    if "opschortingBijhouding" in gemaskeerd.persoon:
        found.append(
            {
                "code": "opschortingBijhouding",
                "persoon": index,
                "melding": "De bijhouding van deze persoonslijst is opgeschort "
                "(bijvoorbeeld door overlijden of emigratie).",
            }
        )
    return found


def lookup_personen(
    store: Store,
    plugins: PluginCaller,
    gemeente_config: GemeenteLike,
    caller: Caller,
    trace_id: str,
    body: Any,
    *,
    traceparent: str | None = None,
    session: Session | None = None,
    privacy: GemeentePrivacy | None = None,
) -> dict[str, Any]:
    """Answer a person query for ``caller``: doelbinding, minimised upstream call, masking, logboek.

    Raises :class:`InvalidRequest` (400), :class:`Forbidden` (403), upstream errors
    as the plugin raised them, or :class:`ServiceUnavailable` (503) when the
    logboek cannot be written; in every case a logboek record was committed
    first, except for the 503 itself.

    With ``session`` the record is added to that transaction (for a request that
    stores more, such as a klantbeeld) and the caller must commit before the
    data leaves the hub; without it the record is committed here.
    """
    privacy = privacy or privacy_for(gemeente_config)
    invoer = new_logboek_invoer(privacy, caller, trace_id, ACTIVITEIT, traceparent=traceparent)
    try:
        response = _answer(
            plugins=plugins,
            privacy=privacy,
            caller=caller,
            rol=invoer.rol,
            trace_id=trace_id,
            body=body,
            invoer=invoer,
        )
    except Exception as exc:
        record_failure(invoer, exc)
        write_logboek(store, session, privacy, invoer)
        raise
    write_logboek(store, session, privacy, invoer)
    return response


def new_logboek_invoer(
    privacy: GemeentePrivacy,
    caller: Caller,
    trace_id: str,
    activiteit: str,
    *,
    traceparent: str | None = None,
) -> LogboekInvoer:
    """A logboek record for one person-data operation, started now and ``ok`` until told otherwise.

    Every route that hands out person data (``/personen``, zaken by BSN, …) starts one,
    fills in doel, betrokkenen and delivered fields, and writes it with :func:`write_logboek`
    before answering.
    """
    started = utcnow()
    parent_span_id: str | None = None
    foreign_operation: str | None = None
    if traceparent:
        match = _TRACEPARENT.match(traceparent.strip().lower())
        if match:
            parent_span_id = match.group(2)
            foreign_operation = traceparent.strip().lower()
    return LogboekInvoer(
        gemeente=privacy.gemeente,
        trace_id=_logboek_trace_id(trace_id),
        span_id=_span_id(),
        parent_span_id=parent_span_id,
        foreign_operation=foreign_operation,
        name=activiteit,
        start_time=started,
        end_time=started,
        status_code=STATUS_OK,
        status="ok",
        http_status=200,
        medewerker=caller.subject,
        rol=caller.primary_role,
        client_id=caller.client_id,
    )


def record_failure(invoer: LogboekInvoer, exc: Exception) -> None:
    """Mark the record as failed with the status the client will see."""
    invoer.status, invoer.http_status = _status_of(exc)
    invoer.status_code = STATUS_ERROR


def _answer(
    *,
    plugins: PluginCaller,
    privacy: GemeentePrivacy,
    caller: Caller,
    rol: str,
    trace_id: str,
    body: Any,
    invoer: LogboekInvoer,
) -> dict[str, Any]:
    doel_code = body.get("doel") if isinstance(body, Mapping) else None
    query_type, query, asked = parse_query(body)
    # Valid BSNs asked for are betrokkenen even when the request is refused later on:
    # the privacy officer must be able to find attempts by the person's BSN.
    invoer.betrokkenen.extend(query.get("burgerservicenummer", []))
    # A doel the gemeente knows is recorded even when this role may not use it.
    named = privacy.doelen.by_code.get(doel_code) if isinstance(doel_code, str) else None
    if named is not None:
        invoer.doel, invoer.processing_activity_id = named.code, named.verwerkingsactiviteit
    doel: Doel = privacy.doelen.resolve(doel_code, rol)
    invoer.doel = doel.code
    invoer.processing_activity_id = doel.verwerkingsactiviteit
    beleid = privacy.beleid.voor_rol(rol)
    if beleid is None:
        raise Forbidden(f"de rol {rol or 'onbekend'} mag geen persoonsgegevens inzien")
    wanted = upstream_fields(beleid, query_type)
    if asked is not None:
        wanted = catalogue.intersect(wanted, asked)
        if not wanted:
            raise InvalidRequest(
                "geen van de gevraagde fields mag deze rol inzien",
                field="fields",
                code="unauthorizedField",
            )
    if not wanted:
        raise Forbidden(f"de rol {rol} mag bij deze zoekvraag geen persoonsgegevens inzien")
    answer = plugins.first(
        privacy.gemeente,
        "kcc_get_personen",
        caller=caller,
        trace_id=trace_id,
        doel=doel.code,
        verwerkingsactiviteit=doel.verwerkingsactiviteit,
        query=query,
        fields=wanted,
    )
    if answer is None:
        raise CapabilityMissing("geen plugin van deze gemeente beantwoordt personen-vragen")
    personen_raw = answer.get("personen", []) if isinstance(answer, Mapping) else None
    if not isinstance(personen_raw, list):
        raise UpstreamRejected("het bronsysteem gaf een antwoord zonder personen-lijst")
    personen: list[dict[str, Any]] = []
    waarschuwingen: list[dict[str, Any]] = []
    for raw in personen_raw:
        if not isinstance(raw, Mapping):
            continue
        gemaskeerd = mask_persoon(raw, beleid)
        waarschuwingen.extend(_waarschuwingen(len(personen), gemaskeerd, beleid))
        personen.append(gemaskeerd.persoon)
        invoer.velden.extend(gemaskeerd.velden)
        invoer.betrokkenen.extend(gemaskeerd.betrokkenen)
    invoer.aantal_personen = len(personen)
    if not personen:
        invoer.status = "geen_resultaat"
    return {
        "type": query_type,
        "personen": personen,
        "waarschuwingen": waarschuwingen,
        "doel": doel.code,
        "traceId": trace_id,
    }


def write_logboek(
    store: Store,
    session: Session | None,
    privacy: GemeentePrivacy,
    invoer: LogboekInvoer,
    *,
    wat: str = "persoonsgegevens",
) -> None:
    """Commit the record (or add it to ``session``); fail closed with 503 when that is impossible.

    ``wat`` names what is withheld in the 503's message ("zaken", …).
    """
    invoer.end_time = utcnow()
    try:
        if session is not None:
            append(session, privacy.sleutels, invoer)
        else:
            with store.session() as own:
                append(own, privacy.sleutels, invoer)
    except Exception as exc:
        # No person data in the log line: the gemeente, the trace id and the error type only.
        log.error(
            "logboek not written for gemeente %s trace %s: %s; no %s returned",
            privacy.gemeente,
            invoer.trace_id,
            type(exc).__name__,
            wat,
        )
        raise ServiceUnavailable(
            f"het logboek kon niet worden bijgewerkt; daarom zijn er geen {wat} verstrekt"
        ) from exc
