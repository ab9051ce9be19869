"""CORS for browser front ends: the origins in ``[cors]`` of ``hub.toml``, none by default.

Starlette's middleware answers the preflight (``OPTIONS``) itself; a refused preflight
is turned into problem+json like every other error of the API. Credentials (cookies)
are never allowed: callers authenticate with a bearer token in ``Authorization``.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from hub.tenants import CORS_EXPOSED_HEADERS, CORS_REQUEST_HEADERS, CorsSettings

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class ProblemCorsMiddleware(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered as problem+json."""

    def __init__(self, app: ASGIApp, settings: CorsSettings) -> None:
        super().__init__(
            app,
            allow_origins=settings.allowed_origins,
            allow_methods=METHODS,
            allow_headers=[*CORS_REQUEST_HEADERS, *settings.extra_request_headers],
            expose_headers=CORS_EXPOSED_HEADERS,
            allow_credentials=False,
            max_age=settings.max_age_seconds,
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        return JSONResponse(
            {
                "type": "about:blank",
                "title": "Ongeldig verzoek",
                "status": response.status_code,
                "detail": "CORS: deze origin, methode of header is niet toegestaan "
                "(zie [cors] in hub.toml).",
            },
            status_code=response.status_code,
            media_type="application/problem+json",
            headers={"Vary": "Origin"},
        )


def install_cors(app: FastAPI, settings: CorsSettings) -> None:
    """Answer CORS for the configured origins; without any, install nothing (no CORS)."""
    if settings.allowed_origins:
        app.add_middleware(ProblemCorsMiddleware, settings=settings)
