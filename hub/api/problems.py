"""Errors as ``application/problem+json`` (RFC 9457), with the offending fields for validation.

No stack trace, secret or person data ever reaches a client: messages are
built from error types and field names, never from the input values.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub.api import validation_nl
from hub.errors import InvalidRequest, KccError

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
        detail=detail,
        instance=request.url.path,
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
    return ".".join(parts) or "body"


def _invalid_param(err: dict[str, Any], body: Any) -> InvalidParam:
    if err.get("type") == "json_invalid":
        # FastAPI names the character offset ("42"); name the body and where it broke.
        where = validation_nl.json_position(body, tuple(err["loc"])[-1])
        return InvalidParam(
            name="body", code="json", reason=f"De body is geen geldige JSON ({where})."
        )
    # The Dutch message describes the constraint, never the value given.
    code, reason = validation_nl.reason(err)
    return InvalidParam(name=_field_name(tuple(err["loc"])), code=code, reason=reason)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        invalid = [_invalid_param(err, exc.body) for err in exc.errors()]
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
        detail = validation_nl.HTTP_DETAILS.get(detail, detail)
        if exc.status_code == 405:
            detail = "Deze methode is hier niet toegestaan."
        return problem_response(request, exc.status_code, detail, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The trace id links the client's report to this log line; the client never sees the trace.
        log.exception("unexpected error", exc_info=exc)
        return problem_response(
            request, 500, "Er ging iets mis in de hub. Meld het trace id aan de beheerder."
        )


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
