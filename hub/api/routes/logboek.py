"""``/logboek``: the privacy officer searches the logboek and checks its integrity.

Only the ``privacy-officer`` role may use these. Results never contain BSNs:
a search by BSN matches the keyed hash stored with each record. A search by
BSN is itself a processing of that person's data, so it is logged too (activity
``logboek-zoeken``), in the same transaction, and shows up in the person's inzage.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import AwareDatetime, Field

from hub.api.deps import Tenant, tenant_for
from hub.api.problems import problem_responses
from hub.bsn import is_valid_bsn
from hub.domain.base import ApiModel, AwareDatumTijd
from hub.errors import InvalidRequest
from hub.privacy import witness
from hub.privacy.inzage_gebruik import ZOEKEN, log_gebruik
from hub.privacy.logboek import chain as logboek_chain
from hub.privacy.logboek import query as logboek_query
from hub.privacy.settings import privacy_for
from hub.store.base import utcnow

router = APIRouter(tags=["Logboek"])

ROLLEN = ("privacy-officer",)


class LogboekZoekvraag(ApiModel):
    burgerservicenummer: str | None = Field(
        default=None,
        max_length=9,
        description="BSN van de betrokkene (gezocht via de sleutel-hash).",
    )
    medewerker: str | None = Field(default=None, max_length=200)
    doel: str | None = Field(default=None, max_length=64)
    van: AwareDatumTijd | None = Field(
        default=None, description="Vanaf dit tijdstip (inclusief), ISO 8601 met offset."
    )
    tot: AwareDatumTijd | None = Field(
        default=None, description="Tot dit tijdstip (exclusief), ISO 8601 met offset."
    )
    signaal: Literal["bulk"] | None = Field(
        default=None, description="Alleen records met dit signaal (bulk: veel opvragingen)."
    )
    # Bounded: an offset past any real logboek would only overflow the database integer.
    pagina: int = Field(
        default=1,
        ge=1,
        le=100_000,
        description="Paginanummer vanaf 1; een pagina voorbij het einde geeft een lege lijst.",
    )
    pagina_grootte: int = Field(default=50, ge=1, le=logboek_query.MAX_PAGE_SIZE)


class LogboekRegel(ApiModel):
    volgnummer: int
    trace_id: str
    span_id: str
    activiteit: str
    start_time: AwareDatetime
    end_time: AwareDatetime
    status: str
    http_status: int
    doel: str | None
    verwerkingsactiviteit: str | None
    medewerker: str
    rol: str
    client_id: str
    velden: list[str]
    aantal_personen: int
    aantal_betrokkenen: int
    foreign_operation: str | None
    signalen: list[str] = Field(description="Signalen, bijvoorbeeld bulk (veel opvragingen).")


class LogboekZoekAntwoord(ApiModel):
    regels: list[LogboekRegel]
    totaal: int
    pagina: int
    pagina_grootte: int


class Breuk(ApiModel):
    volgnummer: int
    reden: str


class Verificatie(ApiModel):
    intact: bool = Field(description="De hash-keten is ongeschonden.")
    aantal_gecontroleerd: int
    laatste_volgnummer: int
    checkpoint_volgnummer: int | None = Field(
        description="Volgnummer van de laatste bewaartermijn-opschoning, als die er was."
    )
    eerste_breuk: Breuk | None = Field(description="Het eerste gebroken record, als er een is.")
    getuige: str = Field(
        description="De controle tegen de getuige van de keten-kop: gecontroleerd, "
        "niet_ingesteld of niet_leesbaar (zie docs/privacy.md)."
    )
    getuige_volgnummer: int | None = Field(
        default=None, description="Het hoogste volgnummer dat de getuige vastlegde."
    )


@router.post(
    "/logboek/_zoek",
    summary="Het logboek doorzoeken (privacy officer)",
    response_model=LogboekZoekAntwoord,
    responses=problem_responses(400, 401, 403, 404, 503),
)
def logboek_zoeken(
    t: Annotated[Tenant, Depends(tenant_for(*ROLLEN))], vraag: LogboekZoekvraag
) -> LogboekZoekAntwoord:
    if vraag.burgerservicenummer is not None and not is_valid_bsn(vraag.burgerservicenummer):
        raise InvalidRequest(
            "het burgerservicenummer is ongeldig (9 cijfers en de elfproef)",
            field="burgerservicenummer",
            code="bsn",
        )
    privacy = privacy_for(t.gemeente)
    started = utcnow()
    with t.store.session() as session:
        pagina = logboek_query.search(
            session,
            privacy.sleutels,
            bsn=vraag.burgerservicenummer,
            medewerker=vraag.medewerker,
            doel=vraag.doel,
            van=vraag.van,
            tot=vraag.tot,
            signaal=vraag.signaal,
            page=vraag.pagina,
            size=vraag.pagina_grootte,
        )
        if vraag.burgerservicenummer is not None:
            log_gebruik(
                session,
                privacy.sleutels,
                caller=t.caller,
                trace_id=t.trace_id,
                activiteit=ZOEKEN,
                bsn=vraag.burgerservicenummer,
                started=started,
            )
    return LogboekZoekAntwoord(
        regels=[LogboekRegel(**r.as_dict()) for r in pagina.items],
        totaal=pagina.totaal,
        pagina=pagina.pagina,
        pagina_grootte=pagina.grootte,
    )


@router.get(
    "/logboek/verificatie",
    summary="De hash-keten van het logboek controleren (privacy officer)",
    response_model=Verificatie,
    responses=problem_responses(401, 403, 404, 503),
)
def logboek_verificatie(
    request: Request, t: Annotated[Tenant, Depends(tenant_for(*ROLLEN))]
) -> Verificatie:
    privacy = privacy_for(t.gemeente)
    settings = request.app.state.runtime.tenants.hub.witness
    status, bevinding = "niet_ingesteld", None
    with t.store.session() as session:
        result = logboek_chain.verify(session, privacy.sleutels)
        if settings is not None and result.intact:
            try:
                ankers = witness.witness_from_settings(settings).lees(t.gemeente.code)
            except witness.WitnessUnreadable:
                status = "niet_leesbaar"
            else:
                status = "gecontroleerd"
                bevinding = witness.check_chain(
                    session, privacy.sleutels, ankers, result.laatste_volgnummer
                )
    breuk = result.eerste_breuk
    if bevinding is not None and not bevinding.intact:
        breuk = logboek_chain.Breuk(bevinding.volgnummer or 0, bevinding.reden or "")
    return Verificatie(
        intact=breuk is None,
        aantal_gecontroleerd=result.aantal_gecontroleerd,
        laatste_volgnummer=result.laatste_volgnummer,
        checkpoint_volgnummer=result.checkpoint_volgnummer,
        eerste_breuk=Breuk(volgnummer=breuk.volgnummer, reden=breuk.reden) if breuk else None,
        getuige=status,
        getuige_volgnummer=bevinding.getuige_volgnummer if bevinding else None,
    )
