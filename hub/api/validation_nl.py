"""Validation messages in Dutch, like the rest of the API.

FastAPI and pydantic describe a wrong field in English ("Field required", "String
should have at least 9 characters"). These translations cover the error types the
hub's models produce; the values quoted come from the model (limits, patterns,
allowed values), never from the input, which may be person data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

_DATE = "Moet een datum zijn (JJJJ-MM-DD)."
_MOMENT = "Moet een tijdstip zijn (ISO 8601 met tijdzone, bijvoorbeeld 2026-01-31T09:00:00+01:00)."
_INTEGER = "Moet een geheel getal zijn."
_NUMBER = "Moet een getal zijn."
_BOOLEAN = "Moet true of false zijn."
_OBJECT = "Moet een JSON-object zijn."


def _one_of(ctx: Mapping[str, Any]) -> str:
    # pydantic lists the choices as "'a', 'b' or 'c'".
    expected = str(ctx.get("expected", "")).replace(" or ", " of ")
    return f"Moet een van deze waarden zijn: {expected}." if expected else "Ongeldige keuze."


_MESSAGES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda _c: "Dit veld is verplicht.",
    "extra_forbidden": lambda _c: "Dit veld is onbekend.",
    "string_type": lambda _c: "Moet een tekst zijn.",
    "string_too_short": lambda c: f"Moet minstens {c.get('min_length')} teken(s) lang zijn.",
    "string_too_long": lambda c: f"Mag hoogstens {c.get('max_length')} tekens lang zijn.",
    "string_pattern_mismatch": lambda c: f"Voldoet niet aan het patroon {c.get('pattern')}.",
    "int_type": lambda _c: _INTEGER,
    "int_parsing": lambda _c: _INTEGER,
    "int_from_float": lambda _c: _INTEGER,
    "int_parsing_size": lambda _c: "Dit getal is te groot.",
    "float_type": lambda _c: _NUMBER,
    "float_parsing": lambda _c: _NUMBER,
    "finite_number": lambda _c: "Moet een eindig getal zijn.",
    "bool_type": lambda _c: _BOOLEAN,
    "bool_parsing": lambda _c: _BOOLEAN,
    "greater_than": lambda c: f"Moet groter zijn dan {c.get('gt')}.",
    "greater_than_equal": lambda c: f"Moet minstens {c.get('ge')} zijn.",
    "less_than": lambda c: f"Moet kleiner zijn dan {c.get('lt')}.",
    "less_than_equal": lambda c: f"Mag hoogstens {c.get('le')} zijn.",
    "literal_error": _one_of,
    "enum": _one_of,
    "list_type": lambda _c: "Moet een lijst zijn.",
    "tuple_type": lambda _c: "Moet een lijst zijn.",
    "set_type": lambda _c: "Moet een lijst zijn.",
    "too_short": lambda c: f"Moet minstens {c.get('min_length')} element(en) bevatten.",
    "too_long": lambda c: f"Mag hoogstens {c.get('max_length')} element(en) bevatten.",
    "dict_type": lambda _c: _OBJECT,
    "model_type": lambda _c: _OBJECT,
    "model_attributes_type": lambda _c: _OBJECT,
    "date_type": lambda _c: _DATE,
    "date_parsing": lambda _c: _DATE,
    "date_from_datetime_parsing": lambda _c: _DATE,
    "date_from_datetime_inexact": lambda _c: _DATE,
    "datetime_type": lambda _c: _MOMENT,
    "datetime_parsing": lambda _c: _MOMENT,
    "datetime_from_date_parsing": lambda _c: _MOMENT,
    "datetime_object_invalid": lambda _c: _MOMENT,
    "timezone_aware": lambda _c: "Moet een tijdzone hebben (bijvoorbeeld +01:00).",
    "timezone_naive": lambda _c: "Mag geen tijdzone hebben.",
    "uuid_type": lambda _c: "Moet een UUID zijn.",
    "uuid_parsing": lambda _c: "Moet een UUID zijn.",
    "url_type": lambda _c: "Moet een URL zijn.",
    "url_parsing": lambda _c: "Moet een URL zijn.",
    "url_scheme": lambda _c: "Deze URL-soort is niet toegestaan.",
    "value_error": lambda _c: "Ongeldige waarde.",
    "assertion_error": lambda _c: "Ongeldige waarde.",
}

# Codes in ``invalidParams`` stay as they were for the common cases front ends check.
_CODES = {"missing": "required", "extra_forbidden": "unknownParam", "json_invalid": "json"}


def reason(err: Mapping[str, Any]) -> tuple[str, str]:
    """(code, Dutch reason) for one pydantic/FastAPI validation error."""
    kind = str(err.get("type", "invalid"))
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    code = _CODES.get(kind, kind)
    if kind in ("value_error", "assertion_error"):
        # Our own validators write their message; keep it (without pydantic's prefix).
        own = (
            str(err.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        )
        return code, own or _MESSAGES[kind](ctx)
    translate = _MESSAGES.get(kind)
    return code, translate(ctx) if translate else "Ongeldige waarde."


def json_position(document: Any, position: Any) -> str:
    """'regel L, kolom K' for a character offset in the body that failed to parse."""
    if isinstance(document, bytes):
        document = document.decode("utf-8", errors="replace")
    if not isinstance(document, str) or not isinstance(position, int):
        return "onbekende plek"
    position = max(0, min(position, len(document)))
    line = document.count("\n", 0, position) + 1
    column = position - (document.rfind("\n", 0, position) + 1) + 1
    return f"regel {line}, kolom {column}"


# Framework texts in English that reach a client as a problem's ``detail``.
HTTP_DETAILS = {
    "Not Found": "Deze resource bestaat niet.",
    "Method Not Allowed": "Deze methode is hier niet toegestaan.",
    "There was an error parsing the body": "De body kon niet worden gelezen.",
    "Not authenticated": "Niet geauthenticeerd.",
    "Unsupported Media Type": "Dit mediatype wordt niet ondersteund.",
    "Request Entity Too Large": "Het verzoek is te groot.",
    "Content Too Large": "Het verzoek is te groot.",
}
