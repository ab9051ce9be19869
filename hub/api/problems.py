"""Errors as ``application/problem+json`` (RFC 9457), with the offending fields for validation.

No stack trace, secret or person data ever reaches a client: messages are
built from error types and field names, never from the input values.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub.errors import InvalidRequest, KccError, safe_name
from hub.scrub import carries_person_data, redact

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

_TITLES = {
    400: "Ongeldig verzoek",
    401: "Niet geauthenticeerd",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    406: "Niet aanvaardbaar",
    409: "Conflict",
    413: "Verzoek te groot",
    415: "Mediatype niet ondersteund",
    422: "Verzoek niet verwerkbaar",
    429: "Te veel verzoeken",
    431: "Headers te groot",
    500: "Interne fout",
    501: "Niet beschikbaar",
    502: "Bronsysteem weigert het verzoek",
    503: "Dienst tijdelijk niet beschikbaar",
    504: "Bronsysteem reageert niet op tijd",
}


class InvalidParam(BaseModel):
    name: str = Field(description="Naam van het veld of de parameter met de fout.")
    code: str = Field(description="Foutcode, bijvoorbeeld required of pattern.")
    reason: str = Field(description="Leesbare uitleg van de fout.")


class Problem(BaseModel):
    """RFC 9457 problem details, as the NL API Design Rules require."""

    type: str = Field(default="about:blank", description="URI die het soort fout aanduidt.")
    title: str
    status: int
    detail: str
    instance: str | None = None
    traceId: str | None = Field(default=None, description="Trace id van dit verzoek.")  # noqa: N815
    invalidParams: list[InvalidParam] | None = None  # noqa: N815
    bron: str | None = Field(default=None, description="Het bronsysteem (plugin) dat faalde.")


def problem_instance(path: str) -> str:
    """The request path as ``instance``, with every segment that carries person data (a BSN,
    an e-mail address, a telephone number) or a control character replaced."""
    return "/".join(
        "[verborgen]" if carries_person_data(part) or not part.isprintable() else part
        for part in path.split("/")
    )


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    title: str | None = None,
    invalid: list[InvalidParam] | None = None,
    source: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        title=title or _TITLES.get(status, "Fout"),
        status=status,
        # Messages are built without input values; scrubbing is the last line of defence.
        detail=redact(detail),
        instance=problem_instance(request.url.path),
        traceId=getattr(request.state, "trace_id", None),
        invalidParams=invalid,
        bron=source,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return safe_name(".".join(parts)) or "body"


def _validation_reason(err: dict[str, Any]) -> tuple[str, str]:
    kind = str(err.get("type", "invalid"))
    if kind == "missing":
        return "required", "Dit veld is verplicht."
    if kind == "json_invalid":
        return "json", "De body is geen geldige JSON."
    if kind == "extra_forbidden":
        return "unknownParam", "Dit veld is onbekend."
    # pydantic's message describes the constraint, never the value given.
    return kind, str(err.get("msg", "Ongeldige waarde.")).removeprefix("Value error, ")


def _allowed_methods(request: Request) -> list[str]:
    """Every method the OpenAPI document offers on this path: Starlette names only the
    first matching route's (``/plugins/{naam}/synchronisaties`` has a GET and a POST route)."""
    document = request.app.openapi()
    prefix = (document.get("servers") or [{"url": ""}])[0]["url"].rstrip("/")
    path = request.url.path
    methods: set[str] = set()
    for template, operations in document.get("paths", {}).items():
        pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(prefix + template))
        if re.fullmatch(pattern, path):
            methods |= {m.upper() for m in operations}
    return sorted(methods)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        invalid = []
        for err in exc.errors():
            code, reason = _validation_reason(err)
            invalid.append(
                InvalidParam(name=_field_name(tuple(err["loc"])), code=code, reason=reason)
            )
        return problem_response(
            request, 400, "Een of meer velden of parameters zijn ongeldig.", invalid=invalid
        )

    @app.exception_handler(InvalidRequest)
    async def _invalid(request: Request, exc: InvalidRequest) -> JSONResponse:
        invalid = (
            [InvalidParam(name=exc.field, code=exc.code, reason=exc.detail)] if exc.field else None
        )
        return problem_response(request, 400, exc.detail, invalid=invalid)

    @app.exception_handler(KccError)
    async def _kcc(request: Request, exc: KccError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        retry_after = getattr(exc, "retry_after", None)
        if isinstance(retry_after, int):
            headers = {"Retry-After": str(retry_after)}
        if exc.status >= 500:
            log.warning(
                "request failed: %s from %s (%s)",
                type(exc).__name__,
                exc.source or "hub",
                exc.detail,
            )
        return problem_response(
            request, exc.status, exc.detail, title=exc.title, source=exc.source, headers=headers
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Fout")
        if exc.status_code == 404 and detail == "Not Found":
            detail = "Deze resource bestaat niet."
        headers = exc.headers
        if exc.status_code == 405:
            detail = "Deze methode is hier niet toegestaan."
            headers = {**(exc.headers or {}), "Allow": ", ".join(_allowed_methods(request))}
        return problem_response(request, exc.status_code, detail, headers=headers)


_PROBLEM_SCHEMA_REF = {"$ref": "#/components/schemas/Problem"}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting problem+json for these statuses."""
    return {
        status: {
            "description": _TITLES.get(status, "Fout"),
            "content": {PROBLEM_JSON: {"schema": _PROBLEM_SCHEMA_REF}},
        }
        for status in statuses
    }
