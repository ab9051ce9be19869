"""Open Klant's answers that are not resources: problem bodies (vng-api-common's shape) and
the ``invalidParams`` of a 400, derived from openapi-core's validation errors the way Django
REST framework names fields and codes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from jsonschema.exceptions import ValidationError as SchemaError
from jsonschema.exceptions import best_match
from werkzeug.wrappers import Response

from plugins.openklant.double.spec import API_VERSION


def json_response(body: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(body),
        status=status,
        content_type="application/json",
        headers={"API-version": API_VERSION},
    )


def problem(
    status: int, code: str, title: str, *, headers: Mapping[str, str] | None = None, **extra: Any
) -> Response:
    body = {
        "type": f"https://openklant.test/ref/fouten/{code}/",
        "code": code,
        "title": title,
        "status": status,
        "detail": title,
        "instance": f"urn:uuid:{uuid.uuid4()}",
        **extra,
    }
    return Response(
        json.dumps(body),
        status=status,
        content_type="application/problem+json",
        headers={"API-version": API_VERSION, **(headers or {})},
    )


def validation_error(params: list[tuple[str, str, str]]) -> Response:
    """Open Klant's 400 (vng-api-common's ValidationError problem)."""
    invalid = [{"name": n, "code": c, "reason": r} for n, c, r in params]
    return problem(400, "invalid", "Invalid input.", invalidParams=invalid)


def double_error(detail: str) -> Response:
    return Response(json.dumps({"double": detail}), status=500, content_type="application/json")


_REASONS = {
    "max_length": "Zorg ervoor dat dit veld niet meer dan {limit} karakters bevat.",
    "min_length": "Zorg ervoor dat dit veld minimaal {limit} karakters bevat.",
    "required": "Dit veld is vereist.",
    "null": "Dit veld mag niet leeg zijn.",
    "invalid_choice": "Dit is geen geldige keuze.",
    "invalid": "Ongeldige invoer.",
}
_CODES = {
    "maxLength": "max_length",
    "minLength": "min_length",
    "required": "required",
    "enum": "invalid_choice",
    "maximum": "max_value",
    "minimum": "min_value",
}


def invalid_params(error: Exception) -> list[tuple[str, str, str]]:
    """Open Klant's ``invalidParams`` for one openapi-core error: the field by its dotted
    camelCase path, DRF's code and a reason that never repeats the value."""
    cause = error.__cause__
    schema_errors = getattr(error, "schema_errors", None) or getattr(cause, "schema_errors", None)
    if schema_errors:
        return [_from_schema_error(best_match([e]) or e) for e in schema_errors]
    name = getattr(error, "name", None) or getattr(cause, "name", None)
    if name:
        return [(str(name), "invalid", _REASONS["invalid"])]
    return [("nonFieldErrors", "invalid", _REASONS["invalid"])]


def _from_schema_error(error: SchemaError) -> tuple[str, str, str]:
    path = [str(p) for p in error.absolute_path]
    code = _CODES.get(str(error.validator), "invalid")
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [p for p in error.validator_value if p not in error.instance]
        path += missing[:1]
    if error.validator == "type" and error.instance is None:
        code = "null"
    limit = error.validator_value if code in ("max_length", "min_length") else ""
    reason = _REASONS.get(code, _REASONS["invalid"]).format(limit=limit)
    return (".".join(path) or "nonFieldErrors", code, reason)


def describe(error: Exception) -> str:
    cause = error.__cause__
    text = f"{type(error).__name__}: {error}"
    if cause is not None:
        text += f" ({cause})"
    schema_errors = getattr(error, "schema_errors", None) or getattr(cause, "schema_errors", None)
    if schema_errors:
        text += " [" + "; ".join(str(getattr(e, "message", e))[:200] for e in schema_errors) + "]"
    return text[:2000]
