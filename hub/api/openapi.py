"""The OpenAPI 3.1 document, shaped to the NL API Design Rules (checked by Spectral in the tests).

FastAPI's generated document is rewritten: paths relative to the ``/api/v1``
server, an ``API-Version`` header on every 2xx/3xx response, problem+json on
every 4xx/5xx (FastAPI's automatic 422 becomes the 400 we actually send).
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from hub.api.middleware import API_VERSION
from hub.api.problems import PROBLEM_JSON, Problem

PREFIX = "/api/v1"

_VERSION_HEADER = {
    "description": "Volledige versie van de API (semver).",
    "schema": {"type": "string", "example": API_VERSION},
}

_STANDARD_ERRORS = {
    "400": "Ongeldig verzoek",
    "401": "Niet geauthenticeerd",
    "403": "Geen toegang",
    "404": "Niet gevonden",
    "500": "Interne fout",
    "503": "Dienst tijdelijk niet beschikbaar",
}


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def build_openapi(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(
        title="KCC Hub",
        version=API_VERSION,
        openapi_version="3.1.0",
        summary="Eén API voor het klantcontactcentrum van de gemeente.",
        description=(
            "KCC Hub ontsluit medewerkers en hun beschikbaarheid, personen (BRP, met doelbinding "
            "en logboek), zaken, meldingen en klantcontacten voor KCC-applicaties. Elke resource "
            "hangt onder `/gemeenten/{gemeentecode}`. Fouten volgen RFC 9457 "
            "(`application/problem+json`)."
        ),
        routes=app.routes,
        contact={
            "name": "KCC Hub",
            "email": "kcc-hub@example.org",
            "url": "https://github.com/kcc-hub/kcc-hub",
        },
        license_info={"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
    )
    doc["servers"] = [{"url": PREFIX, "description": "Deze hub"}]
    paths: dict[str, Any] = {}
    for path, item in doc.get("paths", {}).items():
        if not path.startswith(PREFIX):
            continue
        paths[path.removeprefix(PREFIX) or "/"] = item
        for method, operation in item.items():
            if method in ("parameters", "summary", "description"):
                continue
            _shape_operation(method, operation)
    doc["paths"] = paths
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    problem_schema = deepcopy(
        Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    for name, sub in problem_schema.pop("$defs", {}).items():
        schemas[name] = sub
    problem_schema["required"] = ["title", "status", "detail"]
    schemas["Problem"] = problem_schema
    doc.setdefault("components", {}).setdefault("headers", {})["API-Version"] = _VERSION_HEADER
    return doc


def _shape_operation(method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.pop("422", None)
    has_params = bool(operation.get("parameters")) or "requestBody" in operation
    wanted = dict(_STANDARD_ERRORS)
    if method in ("get", "delete") and not has_params:
        wanted.pop("400")
    for status, description in wanted.items():
        responses.setdefault(status, {"description": description})
    for status, response in responses.items():
        if status.startswith(("4", "5")):
            response["content"] = _problem_content()
        elif status.startswith(("2", "3")):
            response.setdefault("headers", {})["API-Version"] = {
                "$ref": "#/components/headers/API-Version"
            }


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
