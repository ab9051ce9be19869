"""The beheerder's pages (plugins, queues, configuration) and the teamleider's rapportages.

A beheerder sees ids, counts, states and error texts, never person data or logboek contents.
After a button, the browser is sent back to the page (303) with a fixed message code, so a
reload does not repeat the action.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hub.beheer.configuratie import config_check
from hub.beheer.plugins import plugin_overzicht, synchronisatie_aanvragen, synchronisaties
from hub.beheer.web.context import Pagina, PaginaFout, controleer_csrf, pagina_voor
from hub.domain.rapportages import Groepering
from hub.errors import InvalidRequest, NotFound
from hub.jobs.dead_letters import discard_dead, list_dead, retry_dead
from hub.meldingen.backlog import opnieuw_indienen, outbox_stand
from hub.rapportages import periode, rapportage
from hub.rapportages.grafiek import grafiek
from hub.store.base import utcnow
from hub.sync import state

router = APIRouter(prefix="/{gemeentecode}")

Beheerder = Annotated[Pagina, Depends(pagina_voor("beheerder"))]
Teamleider = Annotated[Pagina, Depends(pagina_voor("teamleider"))]
PluginNaam = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,63}$")]
MeldingId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]

BERICHTEN = {
    "sync-ingepland": "De synchronisatie is ingepland.",
    "opnieuw-verstuurd": "Het bericht is opnieuw in de wachtrij gezet.",
    "verwijderd": "Het bericht is verwijderd.",
    "melding-opnieuw": "De melding is opnieuw in de wachtrij gezet.",
    "melding-niet-mislukt": "Deze melding is niet (meer) mislukt; er is niets gedaan.",
}


def _terug(request: Request, naam: str, gemeentecode: str, bericht: str) -> Response:
    url = request.url_for(naam, gemeentecode=gemeentecode).include_query_params(bericht=bericht)
    return RedirectResponse(url, status_code=303)


def _niet_gevonden(exc: NotFound) -> PaginaFout:
    return PaginaFout(404, "Niet gevonden", exc.detail.capitalize() + ".")


@router.get("/plugins", response_class=HTMLResponse, name="plugins")
def plugins(p: Beheerder, bericht: Annotated[str, Query(max_length=40)] = "") -> Response:
    code = p.gemeente.code
    return p.render(
        "beheer/plugins.html",
        actief="plugins",
        plugins=plugin_overzicht(p.rt.host, p.rt.store, code),
        mislukt=[
            r
            for r in synchronisaties(p.rt.host, p.rt.store, code)
            if r.status in state.FAILED_STATUSES
        ],
        bericht=BERICHTEN.get(bericht),
    )


@router.post("/plugins/{naam}/synchroniseren")
def synchroniseren(
    p: Beheerder,
    naam: PluginNaam,
    csrf: Annotated[str, Form()] = "",
    volledig: Annotated[str | None, Form()] = None,
) -> Response:
    controleer_csrf(p.sessie, csrf)
    try:
        synchronisatie_aanvragen(p.rt.host, p.gemeente.code, naam, volledig is not None)
    except NotFound as exc:
        raise _niet_gevonden(exc) from None
    return _terug(p.request, "plugins", p.gemeente.code, "sync-ingepland")


@router.get("/wachtrijen", response_class=HTMLResponse, name="wachtrijen")
def wachtrijen(p: Beheerder, bericht: Annotated[str, Query(max_length=40)] = "") -> Response:
    with p.rt.store.session() as session:
        dood = list_dead(session, p.gemeente.code)
    return p.render(
        "beheer/wachtrijen.html",
        actief="wachtrijen",
        outbox=outbox_stand(p.rt.store, p.gemeente.code),
        dood=dood,
        bericht=BERICHTEN.get(bericht),
    )


@router.post("/wachtrijen/dode-berichten/{bericht_id}/opnieuw")
def dood_bericht_opnieuw(
    p: Beheerder,
    bericht_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    controleer_csrf(p.sessie, csrf)
    try:
        retry_dead(p.rt.store, p.gemeente.code, bericht_id)
    except NotFound as exc:
        raise _niet_gevonden(exc) from None
    return _terug(p.request, "wachtrijen", p.gemeente.code, "opnieuw-verstuurd")


@router.post("/wachtrijen/dode-berichten/{bericht_id}/verwijderen")
def dood_bericht_verwijderen(
    p: Beheerder,
    bericht_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    controleer_csrf(p.sessie, csrf)
    try:
        discard_dead(p.rt.store, p.gemeente.code, bericht_id)
    except NotFound as exc:
        raise _niet_gevonden(exc) from None
    return _terug(p.request, "wachtrijen", p.gemeente.code, "verwijderd")


@router.post("/wachtrijen/meldingen/{melding_id}/opnieuw")
def melding_opnieuw(
    p: Beheerder, melding_id: MeldingId, csrf: Annotated[str, Form()] = ""
) -> Response:
    controleer_csrf(p.sessie, csrf)
    gedaan = opnieuw_indienen(p.rt.store, p.gemeente.code, melding_id)
    bericht = "melding-opnieuw" if gedaan else "melding-niet-mislukt"
    return _terug(p.request, "wachtrijen", p.gemeente.code, bericht)


@router.get("/configuratie", response_class=HTMLResponse)
def configuratie(p: Beheerder) -> Response:
    return p.render(
        "beheer/configuratie.html",
        actief="configuratie",
        check=config_check(p.rt.loaded, p.gemeente),
    )


@router.get("/rapportages", response_class=HTMLResponse)
def rapportages(
    p: Teamleider,
    van: Annotated[str | None, Query(max_length=10)] = None,
    tot: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    # Per week, as the teamleider plans: the figures and chart come from hub.rapportages.
    nu = utcnow()
    try:
        gevraagd = periode(van or None, tot or None, nu)
    except InvalidRequest as exc:
        raise PaginaFout(400, "Ongeldige periode", exc.detail.capitalize() + ".") from None
    r = rapportage(
        p.rt.store,
        p.gemeente.code,
        gevraagd,
        Groepering.WEEK,
        norm_direct_procent=p.gemeente.klantcontacten.norm_direct_procent,
        nu=nu,
    )
    return p.render("teamleider/rapportages.html", actief="rapportages", r=r, grafiek=grafiek(r))
