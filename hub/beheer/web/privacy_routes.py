"""The privacy officer's pages: inzage (with CSV and PDF), logboek search, verification, retention.

The BSN travels only in POST bodies: typed into the inzage form, and carried in hidden fields of
the result page's download forms. It is never put in a URL, a header, a cookie or a log line,
and only the result page shows it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import HTMLResponse, Response

from hub.beheer.web.context import TZ, Pagina, PaginaFout, controleer_csrf, pagina_voor, tijd
from hub.bsn import is_valid_bsn
from hub.errors import ServiceUnavailable
from hub.privacy import inzage
from hub.privacy import inzage_gebruik as inzage_feature
from hub.privacy.inzage_pdf import inzage_pdf
from hub.privacy.logboek import chain as logboek_chain
from hub.privacy.logboek import query as logboek_query
from hub.privacy.retention import laatste_opschoning
from hub.privacy.settings import privacy_for
from hub.store.base import utcnow

router = APIRouter(prefix="/{gemeentecode}/privacy")

PrivacyOfficer = Annotated[Pagina, Depends(pagina_voor("privacy-officer"))]
_PAGINA_GROOTTE = 50


def _inzage(
    p: Pagina, bsn: str, activiteit: str, met_medewerker: bool, stand: int | None = None
) -> inzage_feature.Inzage:
    try:
        return inzage_feature.inzage_opvragen(
            p.rt.store,
            privacy_for(p.gemeente),
            gemeente_naam=p.gemeente.naam,
            # Logged in the role this page needs, whatever other roles the user has.
            caller=replace(p.sessie.caller(), roles=frozenset({"privacy-officer"})),
            trace_id=p.request.state.trace_id,
            bsn=bsn,
            activiteit=activiteit,
            met_medewerker=met_medewerker,
            stand=stand,
        )
    except ServiceUnavailable as exc:
        raise PaginaFout(503, "Logboek niet beschikbaar", exc.detail.capitalize() + ".") from None


@router.get("/inzage", response_class=HTMLResponse)
def inzage_formulier(p: PrivacyOfficer) -> Response:
    return p.render("privacy/inzage.html", actief="privacy/inzage", fout=None)


@router.post("/inzage", response_class=HTMLResponse)
def inzage_resultaat(
    p: PrivacyOfficer,
    csrf: Annotated[str, Form()] = "",
    bsn: Annotated[str, Form(max_length=20)] = "",
    met_medewerker: Annotated[str | None, Form()] = None,
) -> Response:
    controleer_csrf(p.sessie, csrf)
    bsn = bsn.strip()
    if not is_valid_bsn(bsn):
        # The typed value is not echoed: the form page never shows a BSN.
        return p.render(
            "privacy/inzage.html",
            status=400,
            actief="privacy/inzage",
            fout="Vul een geldig burgerservicenummer in: 9 cijfers die voldoen aan de elfproef.",
        )
    namen = met_medewerker is not None
    resultaat = _inzage(p, bsn, inzage_feature.INZAGE, namen)
    return p.render(
        "privacy/inzage_resultaat.html",
        actief="privacy/inzage",
        inzage=resultaat,
        bsn=bsn,
        met_medewerker=namen,
    )


def _download(
    p: Pagina, csrf: str, bsn: str, met_medewerker: str | None, stand: int | None, soort: str
) -> inzage_feature.Inzage:
    controleer_csrf(p.sessie, csrf)
    if not is_valid_bsn(bsn):
        raise PaginaFout(400, "Ongeldig verzoek", "Vraag de inzage opnieuw op.")
    return _inzage(p, bsn, soort, met_medewerker is not None, stand)


def _bestandsnaam(extensie: str) -> str:
    # No BSN in a header, not even in part: the date identifies the file well enough.
    return f'attachment; filename="inzage-{utcnow():%Y%m%d-%H%M%S}.{extensie}"'


@router.post("/inzage.csv")
def inzage_csv(
    p: PrivacyOfficer,
    csrf: Annotated[str, Form()] = "",
    bsn: Annotated[str, Form(max_length=20)] = "",
    met_medewerker: Annotated[str | None, Form()] = None,
    stand: Annotated[int | None, Form(ge=0, le=2**62)] = None,
) -> Response:
    resultaat = _download(p, csrf, bsn, met_medewerker, stand, inzage_feature.INZAGE_CSV)
    return Response(
        inzage.inzage_csv(resultaat.regels).encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": _bestandsnaam("csv")},
    )


@router.post("/inzage.pdf")
def inzage_pdf_download(
    p: PrivacyOfficer,
    csrf: Annotated[str, Form()] = "",
    bsn: Annotated[str, Form(max_length=20)] = "",
    met_medewerker: Annotated[str | None, Form()] = None,
    stand: Annotated[int | None, Form(ge=0, le=2**62)] = None,
) -> Response:
    resultaat = _download(p, csrf, bsn, met_medewerker, stand, inzage_feature.INZAGE_PDF)
    return Response(
        inzage_pdf(resultaat, tijd, resultaat.opgesteld_op),
        media_type="application/pdf",
        headers={"Content-Disposition": _bestandsnaam("pdf")},
    )


def _dag(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@router.get("/zoeken", response_class=HTMLResponse)
def zoeken(
    p: PrivacyOfficer,
    medewerker: Annotated[str, Query(max_length=200)] = "",
    van: Annotated[str, Query(max_length=10)] = "",
    tot: Annotated[str, Query(max_length=10)] = "",
    pagina: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    van_dag, tot_dag = _dag(van), _dag(tot)
    fouten = {}
    if van and van_dag is None:
        fouten["van"] = "Vul een datum in als dd-mm-jjjj."
    if tot and tot_dag is None:
        fouten["tot"] = "Vul een datum in als dd-mm-jjjj."
    gezocht = bool(medewerker or van or tot) and not fouten
    resultaat = None
    if gezocht:
        tz = TZ
        with p.rt.store.session() as session:
            resultaat = logboek_query.search(
                session,
                privacy_for(p.gemeente).sleutels,
                medewerker=medewerker.strip() or None,
                van=datetime.combine(van_dag, time(), tz) if van_dag else None,
                # "tot en met" the chosen day, as people read a period.
                tot=datetime.combine(tot_dag + timedelta(days=1), time(), tz) if tot_dag else None,
                page=pagina,
                size=_PAGINA_GROOTTE,
            )
    return p.render(
        "privacy/zoeken.html",
        status=400 if fouten else 200,
        actief="privacy/zoeken",
        medewerker=medewerker,
        van=van,
        tot=tot,
        fouten=fouten,
        resultaat=resultaat,
        paginas=((resultaat.totaal - 1) // _PAGINA_GROOTTE + 1) if resultaat else 0,
    )


@router.get("/verificatie", response_class=HTMLResponse)
def verificatie(p: PrivacyOfficer) -> Response:
    with p.rt.store.session() as session:
        resultaat = logboek_chain.verify(session, privacy_for(p.gemeente).sleutels)
    return p.render(
        "privacy/verificatie.html",
        actief="privacy/verificatie",
        resultaat=resultaat,
        gecontroleerd_op=utcnow(),
    )


@router.get("/bewaartermijn", response_class=HTMLResponse)
def bewaartermijn(p: PrivacyOfficer) -> Response:
    from hub.scheduler import LOGBOEK_RETENTION_SECONDS

    return p.render(
        "privacy/bewaartermijn.html",
        actief="privacy/bewaartermijn",
        dagen=privacy_for(p.gemeente).bewaartermijn_dagen,
        opschoning=laatste_opschoning(p.rt.store, p.gemeente.code),
        interval_uren=LOGBOEK_RETENTION_SECONDS // 3600,
    )
