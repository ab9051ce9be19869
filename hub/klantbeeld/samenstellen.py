"""``POST klantbeeld``: every section fetched concurrently, each within its own deadline.

One slow or failing source never sinks the answer: its section says ``time-out`` or
``fout`` and the others are delivered. A section the caller's role may not see is
``niet_geautoriseerd`` (and never fetched). The whole klantbeeld is one logboek record
(activity ``klantbeeld``) with the fields delivered per section, committed before the
answer leaves; refused and malformed requests that carried a BSN or a persoonReferentie
are recorded against that person too.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

# httpx imports httpcore on first client creation; two plugins creating their first client
# in the section threads at the same moment then contend for the import lock (one waits for
# the other's whole call, or importlib reports a deadlock). Import it before any thread.
import httpcore  # noqa: F401
from pydantic import ValidationError

from hub.bsn import is_valid_bsn
from hub.errors import (
    CapabilityMissing,
    Forbidden,
    InvalidRequest,
    KccError,
    UpstreamTimeout,
)
from hub.klantbeeld import bronnen
from hub.klantbeeld.bronnen import Betrokkene, Opgehaald
from hub.klantbeeld.settings import SECTIES
from hub.klantbeeld.vraag import (
    ContactverzoekenSectie,
    KlantbeeldAntwoord,
    KlantbeeldVraag,
    KlantcontactenSectie,
    MeldingenSectie,
    PersoonSectie,
    Sectie,
    ZakenSectie,
)
from hub.privacy.doelbinding import Doel
from hub.privacy.logboek.chain import LogboekInvoer
from hub.privacy.pipeline import new_logboek_invoer, record_failure, write_logboek
from hub.privacy.referentie import SIGNAAL, ReferentieGeweigerd, Referenties
from hub.privacy.settings import GemeentePrivacy, privacy_for
from hub.store.base import utcnow
from hub.verzoek import Verzoek
from hub.zaken import OngeldigeVraag, bsn_van

log = logging.getLogger(__name__)

ACTIVITEIT = "klantbeeld"

Bron = Callable[[Verzoek, Doel, Betrokkene], Opgehaald]
BRONNEN: dict[str, Bron] = {
    "persoon": bronnen.persoon,
    "zaken": bronnen.zaken,
    "meldingen": bronnen.meldingen,
    "klantcontacten": bronnen.klantcontacten,
    "contactverzoeken": bronnen.contactverzoeken,
}
SECTIE_MODEL: dict[str, type[Sectie]] = {
    "persoon": PersoonSectie,
    "zaken": ZakenSectie,
    "meldingen": MeldingenSectie,
    "klantcontacten": KlantcontactenSectie,
    "contactverzoeken": ContactverzoekenSectie,
}
# Sections about a natural person only: not applicable to an organisation (KvK-nummer).
ALLEEN_PERSONEN = frozenset({"persoon", "meldingen", "klantcontacten", "contactverzoeken"})


def klantbeeld(v: Verzoek, body: Any, *, refusal: Exception | None) -> KlantbeeldAntwoord:
    privacy = privacy_for(v.gemeente)
    invoer = new_logboek_invoer(privacy, v.caller, v.trace_id, ACTIVITEIT)
    try:
        if refusal is not None:
            _noteer_poging(invoer, privacy, v.caller.subject, body)
            raise refusal
        try:
            vraag = KlantbeeldVraag.model_validate(body)
        except ValidationError as exc:
            _noteer_poging(invoer, privacy, v.caller.subject, body)
            record_failure(invoer, InvalidRequest("body"))
            raise OngeldigeVraag(exc.errors()) from None
        antwoord = _samenstellen(v, privacy, invoer, vraag)
    except OngeldigeVraag:
        write_logboek(v.store, None, privacy, invoer, wat="klantgegevens")
        raise
    except Exception as exc:
        record_failure(invoer, exc)
        write_logboek(v.store, None, privacy, invoer, wat="klantgegevens")
        raise
    write_logboek(v.store, None, privacy, invoer, wat="klantgegevens")
    return antwoord


def _noteer_poging(
    invoer: LogboekInvoer, privacy: GemeentePrivacy, subject: str, body: Any
) -> None:
    """Before anything is checked: the BSN, the person behind a persoonReferentie (for whoever
    it was issued) and a known doel, so a refused request is findable by inzage."""
    if not isinstance(body, dict):
        return
    bsn = body.get("bsn")
    if isinstance(bsn, str) and is_valid_bsn(bsn):
        invoer.betrokkenen.append(bsn)
    referentie = body.get("persoonReferentie")
    if isinstance(referentie, str):
        invoer.signalen.append(SIGNAAL)
        try:
            invoer.betrokkenen.append(Referenties.voor(privacy).open(referentie, subject))
        except ReferentieGeweigerd as geweigerd:
            if geweigerd.bsn:
                invoer.betrokkenen.append(geweigerd.bsn)
    code = body.get("doel")
    doel = privacy.doelen.by_code.get(code) if isinstance(code, str) else None
    if doel is not None:
        invoer.doel = doel.code
        invoer.processing_activity_id = doel.verwerkingsactiviteit


def _samenstellen(
    v: Verzoek, privacy: GemeentePrivacy, invoer: LogboekInvoer, vraag: KlantbeeldVraag
) -> KlantbeeldAntwoord:
    if sum(1 for g in (vraag.bsn, vraag.kvk_nummer, vraag.persoon_referentie) if g) != 1:
        raise InvalidRequest(
            "geef precies één van bsn, kvkNummer en persoonReferentie",
            field="bsn",
            code="oneOf",
        )
    bsn: str | None = None
    if vraag.kvk_nummer is None:
        try:
            bsn = bsn_van(
                invoer,
                privacy,
                v.caller.subject,
                bsn=vraag.bsn,
                referentie=vraag.persoon_referentie,
            )
        except InvalidRequest as exc:
            if exc.field == "burgerservicenummer":
                exc.field = "bsn"
            raise
    doel = privacy.doelen.resolve(vraag.doel, v.caller.primary_role)
    invoer.doel = doel.code
    invoer.processing_activity_id = doel.verwerkingsactiviteit
    instellingen = v.gemeente.klantbeeld
    if not any(instellingen.mag(s, v.caller.roles) for s in SECTIES):
        raise Forbidden("uw rol mag geen enkel deel van het klantbeeld zien")
    wie = Betrokkene(bsn=bsn, kvk=vraag.kvk_nummer)

    secties: dict[str, Sectie] = {}
    te_halen: list[str] = []
    for naam in SECTIES:
        model = SECTIE_MODEL[naam]
        if not instellingen.mag(naam, v.caller.roles):
            secties[naam] = model(status="niet_geautoriseerd")
        elif wie.bsn is None and naam in ALLEEN_PERSONEN:
            secties[naam] = model(
                status="niet_beschikbaar", detail="niet van toepassing op een organisatie"
            )
        else:
            te_halen.append(naam)

    opgehaald = _gelijktijdig(v, doel, wie, te_halen)
    nu = utcnow()
    for naam in te_halen:
        model = SECTIE_MODEL[naam]
        uitkomst = opgehaald[naam]
        if isinstance(uitkomst, Opgehaald):
            invoer.velden.extend(uitkomst.velden)
            invoer.betrokkenen.extend(
                b for b in uitkomst.betrokkenen if b not in invoer.betrokkenen
            )
            invoer.signalen.extend(uitkomst.signalen)
            secties[naam] = model(
                status="ok",
                gegevens_van=uitkomst.gegevens_van,
                leeftijd_seconden=round(max(0.0, (nu - uitkomst.gegevens_van).total_seconds()), 3),
                **uitkomst.gegevens,
            )
        else:
            secties[naam] = model(status=uitkomst[0], detail=uitkomst[1])
    invoer.aantal_personen = 1 if wie.bsn else 0
    if not invoer.velden:
        invoer.status = "geen_resultaat"
    return KlantbeeldAntwoord(
        persoon=secties["persoon"],
        zaken=secties["zaken"],
        meldingen=secties["meldingen"],
        klantcontacten=secties["klantcontacten"],
        contactverzoeken=secties["contactverzoeken"],
        doel=doel.code,
        trace_id=v.trace_id,
    )


def _gelijktijdig(
    v: Verzoek, doel: Doel, wie: Betrokkene, namen: list[str]
) -> dict[str, Opgehaald | tuple[str, str]]:
    """Start every section at once; wait for each until its own deadline (counted from the
    common start), so the whole takes as long as the slowest section within its deadline.
    A section past its deadline is abandoned: its thread finishes in the background and its
    data is never delivered nor logged."""
    instellingen = v.gemeente.klantbeeld
    uitkomsten: dict[str, Opgehaald | tuple[str, str]] = {}
    if not namen:
        return uitkomsten
    pool = ThreadPoolExecutor(max_workers=len(namen), thread_name_prefix="klantbeeld")
    try:
        start = time.monotonic()
        futures: dict[str, Future[Opgehaald]] = {}
        for naam in namen:
            # Each thread its own copy: the trace id stays in its log lines.
            context = contextvars.copy_context()
            futures[naam] = pool.submit(context.run, BRONNEN[naam], v, doel, wie)
        for naam in namen:
            deadline = instellingen.deadline_seconden(naam)
            resterend = max(0.0, start + deadline - time.monotonic())
            try:
                uitkomsten[naam] = futures[naam].result(timeout=resterend)
            except FutureTimeout:
                uitkomsten[naam] = ("time-out", f"geen antwoord binnen {deadline * 1000:.0f} ms")
            except Exception as exc:
                uitkomsten[naam] = _mislukt(naam, exc)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return uitkomsten


def _mislukt(naam: str, exc: Exception) -> tuple[str, str]:
    if isinstance(exc, UpstreamTimeout):
        return "time-out", exc.detail
    if isinstance(exc, Forbidden):
        return "niet_geautoriseerd", exc.detail
    if isinstance(exc, CapabilityMissing):
        return "niet_beschikbaar", exc.detail
    if isinstance(exc, KccError):
        return "fout", exc.detail
    # No message: an unexpected error's text may hold person data.
    log.error("klantbeeld section %s failed: %s", naam, type(exc).__name__)
    return "fout", "de bron gaf een onverwachte fout"
