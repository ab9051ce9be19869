"""Start page, login (OIDC and dev), callback and logout."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hub.beheer import login
from hub.beheer.sessie import BEHEER_ROLES, LOGIN_COOKIE
from hub.beheer.web.context import (
    PaginaFout,
    controleer_csrf,
    huidige_sessie,
    render,
    runtime,
    sessie_of_nieuw,
    sleutels,
    wis_sessie,
    zet_login,
    zet_sessie,
)
from hub.tenants import KNOWN_ROLES

router = APIRouter()


@router.get("/", response_class=HTMLResponse, name="start")
def start(request: Request) -> Response:
    sessie = huidige_sessie(request)
    if sessie is None or not sessie.ingelogd:
        return RedirectResponse(request.url_for("inloggen"), status_code=303)
    if not sessie.heeft(*BEHEER_ROLES):
        rollen = ", ".join(sorted(sessie.rollen)) or "geen"
        raise PaginaFout(
            403,
            "Geen toegang",
            f"Deze pagina's zijn voor privacy officers, beheerders en teamleiders. "
            f"Uw rol ({rollen}) geeft geen toegang.",
        )
    rt = runtime(request)
    gemeenten = [g for code in sessie.gemeenten if (g := rt.tenants.get(code)) is not None]
    return render(request, "start.html", sessie=sessie, gemeenten=gemeenten)


@router.get("/inloggen", response_class=HTMLResponse, name="inloggen")
def inloggen(request: Request) -> Response:
    sessie, nieuw = sessie_of_nieuw(request)
    rt = runtime(request)
    response = render(
        request,
        "inloggen.html",
        csrf=sessie.csrf,
        oidc_gemeenten=login.oidc_gemeenten(rt.tenants),
        dev_gemeenten=login.dev_gemeenten(rt.tenants),
        rollen=KNOWN_ROLES,
        ingelogd_als=sessie if sessie.ingelogd else None,
    )
    if nieuw:
        zet_sessie(request, response, sessie)
    return response


def _redirect_uri(request: Request, gemeente: str) -> str:
    config = runtime(request).tenants.get(gemeente)
    oidc = config.auth.oidc if config else None
    if oidc is not None and oidc.redirect_url:
        return oidc.redirect_url
    return str(request.url_for("oidc_callback"))


@router.post("/inloggen/oidc")
def inloggen_oidc(
    request: Request,
    csrf: Annotated[str, Form()] = "",
    gemeente: Annotated[str, Form()] = "",
) -> Response:
    controleer_csrf(huidige_sessie(request), csrf)
    config = runtime(request).tenants.get(gemeente)
    if config is None:
        raise PaginaFout(400, "Onbekende gemeente", "Kies een gemeente uit de lijst.")
    try:
        url, poging = login.begin(config, _redirect_uri(request, gemeente))
    except login.LoginMislukt as exc:
        raise PaginaFout(502, "Inloggen mislukt", str(exc).capitalize() + ".") from None
    response = RedirectResponse(url, status_code=303)
    zet_login(request, response, sleutels(request).schrijf_login(poging))
    return response


@router.get("/oidc/callback", response_class=HTMLResponse, name="oidc_callback")
def oidc_callback(
    request: Request, code: str | None = None, state: str | None = None, error: str | None = None
) -> Response:
    poging = sleutels(request).lees_login(request.cookies.get(LOGIN_COOKIE))
    if error is not None or not code or not state or poging is None:
        reden = (
            "de inlogdienst heeft het inloggen afgebroken"
            if error is not None
            else "de inlogpoging is verlopen of onbekend"
        )
        raise PaginaFout(400, "Inloggen mislukt", reden.capitalize() + ". Probeer het opnieuw.")
    try:
        sessie = login.voltooi(
            runtime(request).tenants,
            poging,
            code=code,
            state=state,
            redirect_uri=_redirect_uri(request, poging.gemeente),
        )
    except login.LoginMislukt as exc:
        raise PaginaFout(401, "Inloggen mislukt", str(exc).capitalize() + ".") from None
    # A page, not a redirect: the browser sends the SameSite=Strict session cookie only on a
    # navigation that starts on this site, and this request started at the identity provider.
    response = render(request, "ingelogd.html", sessie=sessie, menu=[])
    zet_sessie(request, response, sessie)
    zet_login(request, response, None)
    return response


@router.post("/inloggen/dev")
def inloggen_dev(
    request: Request,
    csrf: Annotated[str, Form()] = "",
    gemeente: Annotated[str, Form()] = "",
    rol: Annotated[str, Form()] = "",
    naam: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    controleer_csrf(huidige_sessie(request), csrf)
    try:
        sessie = login.dev_login(runtime(request).tenants, gemeente=gemeente, rol=rol, naam=naam)
    except login.LoginMislukt as exc:
        raise PaginaFout(403, "Inloggen mislukt", str(exc).capitalize() + ".") from None
    response = RedirectResponse(request.url_for("start"), status_code=303)
    zet_sessie(request, response, sessie)
    return response


@router.post("/uitloggen")
def uitloggen(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    controleer_csrf(huidige_sessie(request), csrf)
    response = render(request, "uitgelogd.html")
    wis_sessie(request, response)
    return response
