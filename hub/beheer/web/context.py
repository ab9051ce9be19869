"""What every page of ``/beheer/`` shares: templates, the session cookie, access checks, errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Path, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from hub.beheer.login import bron_vertrouwd
from hub.beheer.sessie import (
    COOKIE,
    LOGIN_COOKIE,
    LOGIN_PATH,
    PATH,
    Sessie,
    Sessiesleutels,
    is_loopback,
    nieuwe_sessie,
)
from hub.runtime import Runtime
from hub.tenants import Gemeente

try:
    TZ: ZoneInfo | Any = ZoneInfo("Europe/Amsterdam")
except ZoneInfoNotFoundError:  # no tz database on the machine: show UTC, say so
    TZ = UTC

ROL_NAMEN = {
    "privacy-officer": "privacy officer",
    "beheerder": "beheerder",
    "teamleider": "teamleider",
    "kcc-medewerker": "KCC-medewerker",
    "backoffice": "backoffice",
}


@dataclass(frozen=True)
class MenuItem:
    titel: str
    pad: str
    rol: str


MENU = (
    MenuItem("Inzage", "privacy/inzage", "privacy-officer"),
    MenuItem("Logboek zoeken", "privacy/zoeken", "privacy-officer"),
    MenuItem("Verificatie", "privacy/verificatie", "privacy-officer"),
    MenuItem("Bewaartermijn", "privacy/bewaartermijn", "privacy-officer"),
    MenuItem("Plugins", "plugins", "beheerder"),
    MenuItem("Wachtrijen", "wachtrijen", "beheerder"),
    MenuItem("Configuratie", "configuratie", "beheerder"),
    MenuItem("Rapportages", "rapportages", "teamleider"),
)


def tijd(value: datetime | str | None, seconden: bool = True) -> str:
    """A moment as Dutch readers write it, in Dutch time: ``02-12-2025 14:03:05``."""
    if value is None:
        return "—"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TZ).strftime("%d-%m-%Y %H:%M:%S" if seconden else "%d-%m-%Y %H:%M")


def iso(value: datetime | None) -> str:
    if value is None:
        return ""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("hub.beheer.web", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tijd"] = tijd
    env.filters["iso"] = iso
    env.filters["rolnaam"] = lambda rol: ROL_NAMEN.get(rol, rol)
    return env


templates = Jinja2Templates(env=_env())


class PaginaFout(Exception):
    """Shown as a page with this status, title and explanation (never a stack trace)."""

    def __init__(self, status: int, titel: str, tekst: str) -> None:
        super().__init__(titel)
        self.status = status
        self.titel = titel
        self.tekst = tekst


class NietIngelogd(Exception):
    """The page needs a login: the browser is sent to the login page."""


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def sleutels(request: Request) -> Sessiesleutels:
    s: Sessiesleutels = request.app.state.sleutels
    return s


def huidige_sessie(request: Request) -> Sessie | None:
    return sleutels(request).lees(request.cookies.get(COOKIE))


def ingelogd(request: Request) -> Sessie:
    sessie = huidige_sessie(request)
    if sessie is None or not sessie.ingelogd:
        raise NietIngelogd
    return sessie


def secure(request: Request) -> bool:
    """Cookies are ``Secure``, except for the demo on plain http to a loopback address."""
    relaxed = bool(request.app.state.loopback_http)
    return not (relaxed and request.url.scheme == "http" and is_loopback(request.url.hostname))


def zet_sessie(request: Request, response: Response, sessie: Sessie) -> None:
    response.set_cookie(
        COOKIE,
        sleutels(request).schrijf(sessie),
        max_age=sleutels(request).max_seconden,
        path=PATH,
        secure=secure(request),
        httponly=True,
        samesite="strict",
    )


def wis_sessie(request: Request, response: Response) -> None:
    response.delete_cookie(
        COOKIE, path=PATH, secure=secure(request), httponly=True, samesite="strict"
    )


def zet_login(request: Request, response: Response, waarde: str | None) -> None:
    if waarde is None:
        response.delete_cookie(
            LOGIN_COOKIE, path=LOGIN_PATH, secure=secure(request), httponly=True, samesite="lax"
        )
        return
    response.set_cookie(
        LOGIN_COOKIE,
        waarde,
        max_age=600,
        path=LOGIN_PATH,
        secure=secure(request),
        httponly=True,
        samesite="lax",
    )


def sessie_of_nieuw(request: Request) -> tuple[Sessie, bool]:
    """The browser's session, or a new anonymous one (True: the cookie must be set)."""
    sessie = huidige_sessie(request)
    return (sessie, False) if sessie is not None else (nieuwe_sessie(), True)


def controleer_csrf(sessie: Sessie | None, token: str | None) -> None:
    if sessie is None or not sessie.csrf_klopt(token):
        raise PaginaFout(
            403,
            "Formulier verlopen",
            "Dit formulier is verlopen of komt niet van deze site. "
            "Laad de pagina opnieuw en probeer het nog eens.",
        )


@dataclass(frozen=True)
class Pagina:
    """A page of one gemeente for a logged-in user with the right role."""

    request: Request
    sessie: Sessie
    gemeente: Gemeente
    rt: Runtime

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return render(
            self.request, template, status, sessie=self.sessie, gemeente=self.gemeente, **context
        )


GemeentecodePad = Annotated[str, Path(pattern=r"^[0-9]{4}$")]


def pagina_voor(*rollen: str) -> Callable[..., Pagina]:
    """Admit a logged-in user whose session covers the gemeente and who has one of ``rollen``."""

    def dependency(request: Request, gemeentecode: GemeentecodePad) -> Pagina:
        sessie = ingelogd(request)
        rt = runtime(request)
        gemeente = rt.tenants.get(gemeentecode)
        if gemeente is None:
            raise PaginaFout(404, "Niet gevonden", "Deze gemeente is niet aangesloten op de hub.")
        if gemeentecode not in sessie.gemeenten or not bron_vertrouwd(gemeente, sessie.bron):
            raise PaginaFout(
                403, "Geen toegang", f"U bent niet ingelogd voor gemeente {gemeente.naam}."
            )
        if not sessie.heeft(*rollen):
            raise PaginaFout(403, "Geen toegang", "Uw rol geeft geen toegang tot deze pagina.")
        request.state.gemeente = gemeentecode
        return Pagina(request, sessie, gemeente, rt)

    return dependency


def menu_voor(sessie: Sessie) -> list[MenuItem]:
    return [m for m in MENU if sessie.heeft(m.rol)]


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    sessie = context.get("sessie")
    context.setdefault("menu", menu_voor(sessie) if isinstance(sessie, Sessie) else [])
    context.setdefault("actief", "")
    response = templates.TemplateResponse(request, template, context, status_code=status)
    return response
