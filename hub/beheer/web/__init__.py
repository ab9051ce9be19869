"""``/beheer/``: server-rendered pages for the privacy officer, the beheerder and the teamleider.

A FastAPI sub-application mounted by :func:`hub.api.app.create_app`. Pages only translate HTTP:
the work is done by the feature packages (``hub.privacy``, ``hub.beheer``, ``hub.jobs``,
``hub.meldingen``). Every asset comes from this package (no CDN), a Content-Security-Policy of
``'self'`` keeps it that way, and no page is cached, so a BSN on the inzage result page does not
linger in a browser or proxy cache.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub.beheer.sessie import Sessiesleutels
from hub.beheer.web import auth_routes, beheer_routes, privacy_routes
from hub.beheer.web.context import NietIngelogd, PaginaFout, huidige_sessie, render
from hub.runtime import Runtime

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def _fout(request: Request, status: int, titel: str, tekst: str) -> HTMLResponse:
    sessie = huidige_sessie(request)
    return render(
        request,
        "fout.html",
        status,
        sessie=sessie if sessie is not None and sessie.ingelogd else None,
        titel=titel,
        tekst=tekst,
    )


def create_beheer_app(runtime: Runtime, *, loopback_http: bool = False) -> FastAPI:
    """The pages; ``loopback_http`` drops the cookies' ``Secure`` flag for http on loopback
    only (the demo), since a browser does not send a Secure cookie over plain http."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.state.runtime = runtime
    app.state.sleutels = Sessiesleutels.uit_instellingen(runtime.tenants.hub.beheer)
    app.state.loopback_http = loopback_http
    app.mount("/static", StaticFiles(packages=[("hub.beheer.web", "static")]), name="static")
    app.include_router(auth_routes.router)
    app.include_router(privacy_routes.router)
    app.include_router(beheer_routes.router)

    @app.middleware("http")
    async def headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if not request.url.path.startswith("/beheer/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(NietIngelogd)
    async def _login(request: Request, exc: NietIngelogd) -> Response:
        return RedirectResponse(request.url_for("inloggen"), status_code=303)

    @app.exception_handler(PaginaFout)
    async def _pagina(request: Request, exc: PaginaFout) -> Response:
        return _fout(request, exc.status, exc.titel, exc.tekst)

    @app.exception_handler(RequestValidationError)
    async def _ongeldig(request: Request, exc: RequestValidationError) -> Response:
        # Only a page address can be wrong here (forms have defaults): treat it as not found.
        return _fout(request, 404, "Niet gevonden", "Deze pagina bestaat niet.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            return _fout(
                request, 405, "Niet toegestaan", "Deze pagina kan zo niet worden gebruikt."
            )
        return _fout(request, exc.status_code, "Niet gevonden", "Deze pagina bestaat niet.")

    return app
