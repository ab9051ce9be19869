"""A person query in the shape of Haal Centraal BRP Personen v2: validation of the body.

``parse_query`` checks the ``type``, its required and optional parameters (the query
models and patterns of :mod:`hub.domain.personen`) and the optional ``fields``; it never
echoes a value, and a key that is not name-like is reported as ``(onbekend)``.
``bsns_in`` finds the valid BSNs a body carries, so even a refused or malformed
request can be logged against the persons it was about.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from hub.bsn import is_valid_bsn
from hub.domain import personen
from hub.errors import InvalidRequest

MAX_BSNS = personen.MAX_BSNS

_NAAM = re.compile(personen.NAAM_PATTERN)
_VOORVOEGSEL = re.compile(personen.VOORVOEGSEL_PATTERN)
_GESLACHT = re.compile(personen.GESLACHT_PATTERN)
_GEMEENTE = re.compile(personen.GEMEENTE_PATTERN)
_POSTCODE = re.compile(personen.POSTCODE_PATTERN)
_HUISLETTER = re.compile(personen.HUISLETTER_PATTERN)
_TOEVOEGING = re.compile(personen.HUISNUMMERTOEVOEGING_PATTERN)
_ADRESSEERBAAR_OBJECT = re.compile(personen.ADRESSEERBAAR_OBJECT_PATTERN)
_FIELD = re.compile(personen.FIELD_PATTERN)
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
            f"{name} moet één burgerservicenummer zijn of een lijst van 1 tot {MAX_BSNS}",
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
    "adresseerbaarObjectIdentificatie": _check_pattern(_ADRESSEERBAAR_OBJECT),
}

# type -> (required parameters, optional parameters), from the query models.
QUERY_TYPES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    query_type: personen.parameters(query_type) for query_type in personen.QUERY_TYPES
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
            value = body[key]
            if key == "burgerservicenummer" and isinstance(value, str):
                # One BSN as a string is unambiguous: the same query as a list of one.
                value = [value]
            _CHECKS[key](key, value)
            query[key] = value
    asked = body.get("fields")
    if asked is not None and (
        not isinstance(asked, list)
        or not 1 <= len(asked) <= personen.MAX_FIELDS
        or not all(isinstance(f, str) and _FIELD.match(f) for f in asked)
    ):
        raise InvalidRequest(
            "fields moet een lijst van 1 tot 130 veldpaden zijn", field="fields", code="array"
        )
    return query_type, query, asked


def bsns_in(body: Any) -> list[str]:
    """The valid BSNs in a body's ``burgerservicenummer`` (a list or one string), in order."""
    if not isinstance(body, Mapping):
        return []
    value = body.get("burgerservicenummer")
    items: list[Any] = value if isinstance(value, list) else [value]
    return [str(item) for item in items[:MAX_BSNS] if is_valid_bsn(item)]
