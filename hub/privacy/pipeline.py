"""The privacy pipeline every person-data response passes through.

``lookup_personen`` is what ``POST /api/v1/gemeenten/{code}/personen`` calls:

1. validate the Haal Centraal-style body (type, parameters, BSNs pass the 11-proof) and the
   ``doel`` (doelbinding: unknown → 400, not for this role → 403);
2. derive the ``fields`` the role may see and ask the BRP plugin for those only;
3. mask the answer with the role's policy; geheimhouding is surfaced with a warning;
4. append a logboek record and **commit it**; only then return the data. If the record
   cannot be written the caller gets :class:`~hub.errors.ServiceUnavailable` and no data.

A logboek record is written for every request that reaches this function (an
authenticated caller): answers, empty answers, 400s, 403s and upstream errors.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy.orm import Session

from hub import hookspecs
from hub.bsn import is_valid_bsn
from hub.caller import Caller
from hub.errors import (
    CapabilityMissing,
    Forbidden,
    InvalidRequest,
    KccError,
    ServiceUnavailable,
    UpstreamRejected,
)
from hub.hookspecs import Hook
from hub.privacy import fields as catalogue
from hub.privacy.doelbinding import Doel
from hub.privacy.logboek.chain import LogboekInvoer, append
from hub.privacy.logboek.tables import STATUS_ERROR, STATUS_OK
from hub.privacy.masking import Gemaskeerd, RolBeleid, mask_persoon, upstream_fields
from hub.privacy.personen_vraag import bsns_in, parse_query
from hub.privacy.referentie import VELD as REFERENTIE_VELD
from hub.privacy.referentie import Referenties
from hub.privacy.settings import GemeenteLike, GemeentePrivacy, privacy_for
from hub.privacy.volume import (
    RateLimitSettings,
    TooManyRequests,
    check_lookup,
    limits_of,
    soorten_of,
)
from hub.store.base import utcnow
from hub.store.db import Store
from hub.tracing import new_span_id, parse_traceparent, safe_traceparent

log = logging.getLogger(__name__)

ACTIVITEIT = "personen-bevragen"

_TRACE_ID = re.compile(r"^[0-9a-f]{32}$")


class PluginCaller(Protocol):
    """The part of :class:`hub.pluginmanager.PluginHost` the pipeline uses."""

    def first(self, gemeente: str, hook: Hook, **kwargs: Any) -> Any: ...


def _logboek_trace_id(trace_id: str) -> str:
    """Logboek Dataverwerkingen wants 16 bytes hex; other trace id formats are hashed to that."""
    if _TRACE_ID.match(trace_id):
        return trace_id
    return hashlib.sha256(trace_id.encode()).hexdigest()[:32]


def _status_of(exc: Exception) -> tuple[str, int]:
    if isinstance(exc, InvalidRequest):
        return "ongeldig_verzoek", 400
    if isinstance(exc, TooManyRequests):
        return "te_veel_verzoeken", 429
    if isinstance(exc, Forbidden):
        return "geen_toegang", 403
    if isinstance(exc, CapabilityMissing):
        return "niet_beschikbaar", exc.status
    if isinstance(exc, KccError):
        return "bronfout", exc.status
    return "fout", 500


def _has_onderzoek(value: Any) -> bool:
    if isinstance(value, Mapping):
        return "inOnderzoek" in value or any(_has_onderzoek(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_onderzoek(v) for v in value)
    return False


def _waarschuwingen(index: int, gemaskeerd: Gemaskeerd, beleid: RolBeleid) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if gemaskeerd.geheim:
        melding = (
            "Geheimhouding persoonsgegevens: verstrek geen gegevens van deze persoon aan derden."
        )
        if beleid.bij_geheimhouding is not None:
            melding += " Daarom wordt alleen een beperkt deel getoond."
        found.append(
            {"code": "geheimhoudingPersoonsgegevens", "persoon": index, "melding": melding}
        )
    if _has_onderzoek(gemaskeerd.persoon):
        found.append(
            {
                "code": "inOnderzoek",
                "persoon": index,
                "melding": "Gegevens van deze persoon zijn in onderzoek en mogelijk niet juist.",
            }
        )
    if "opschortingBijhouding" in gemaskeerd.persoon:
        found.append(
            {
                "code": "opschortingBijhouding",
                "persoon": index,
                "melding": "De bijhouding van deze persoonslijst is opgeschort "
                "(bijvoorbeeld door overlijden of emigratie).",
            }
        )
    return found


def lookup_personen(
    store: Store,
    plugins: PluginCaller,
    gemeente_config: GemeenteLike,
    caller: Caller,
    trace_id: str,
    body: Any,
    *,
    traceparent: str | None = None,
    session: Session | None = None,
    privacy: GemeentePrivacy | None = None,
    refusal: Exception | None = None,
    met_referenties: bool = False,
) -> dict[str, Any]:
    """Answer a person query for ``caller``: doelbinding, minimised upstream call, masking, logboek.

    ``refusal`` is the answer the caller gets regardless (a 403 for a role or a token that
    does not cover the gemeente): the attempt is then recorded with the BSNs and the doel it
    carried, so the persons concerned find it in their inzage, and ``refusal`` is raised.

    Raises :class:`InvalidRequest` (400), :class:`Forbidden` (403), upstream errors
    as the plugin raised them, or :class:`ServiceUnavailable` (503) when the
    logboek cannot be written; in every case a logboek record was committed
    first, except for the 503 itself.

    With ``session`` the record is added to that transaction (for a request that
    stores more, such as a klantbeeld) and the caller must commit before the
    data leaves the hub; without it the record is committed here.

    ``met_referenties`` gives every person with a BSN a ``persoonReferentie``
    (:mod:`hub.privacy.referentie`), bound to ``caller`` and the gemeente, whatever the
    role may see of the BSN itself.
    """
    privacy = privacy or privacy_for(gemeente_config)
    invoer = new_logboek_invoer(privacy, caller, trace_id, ACTIVITEIT, traceparent=traceparent)
    try:
        response = _answer(
            plugins=plugins,
            privacy=privacy,
            caller=caller,
            rol=invoer.rol,
            trace_id=trace_id,
            body=body,
            invoer=invoer,
            refusal=refusal,
            limits=limits_of(gemeente_config),
            referenties=Referenties.voor(privacy) if met_referenties else None,
        )
    except Exception as exc:
        record_failure(invoer, exc)
        write_logboek(store, session, privacy, invoer)
        raise
    write_logboek(store, session, privacy, invoer)
    return response


def bevraag_personen(
    plugins: PluginCaller,
    gemeente_config: GemeenteLike,
    caller: Caller,
    trace_id: str,
    body: Any,
    invoer: LogboekInvoer,
) -> dict[str, Any]:
    """Steps 1–3 of the pipeline (doelbinding, minimised upstream call, masking) for a request
    that writes its own logboek record (a klantbeeld): fills ``invoer`` with the doel, the
    betrokkenen and the delivered fields, and writes nothing. The caller must commit ``invoer``
    with :func:`write_logboek` before the answer leaves the hub."""
    privacy = privacy_for(gemeente_config)
    return _answer(
        plugins=plugins,
        privacy=privacy,
        caller=caller,
        rol=invoer.rol,
        trace_id=trace_id,
        body=body,
        invoer=invoer,
        refusal=None,
        limits=limits_of(gemeente_config),
    )


def new_logboek_invoer(
    privacy: GemeentePrivacy,
    caller: Caller,
    trace_id: str,
    activiteit: str,
    *,
    traceparent: str | None = None,
) -> LogboekInvoer:
    """A logboek record for one person-data operation, started now and ``ok`` until told otherwise.

    Every route that hands out person data (``/personen``, zaken by BSN, …) starts one,
    fills in doel, betrokkenen and delivered fields, and writes it with :func:`write_logboek`
    before answering.
    """
    started = utcnow()
    # Only a valid traceparent without a BSN in it is kept (hub.tracing).
    foreign_operation = safe_traceparent(traceparent)
    parsed = parse_traceparent(foreign_operation)
    return LogboekInvoer(
        gemeente=privacy.gemeente,
        trace_id=_logboek_trace_id(trace_id),
        span_id=new_span_id(),
        parent_span_id=parsed[1] if parsed else None,
        foreign_operation=foreign_operation,
        name=activiteit,
        start_time=started,
        end_time=started,
        status_code=STATUS_OK,
        status="ok",
        http_status=200,
        medewerker=caller.subject,
        rol=caller.primary_role,
        client_id=caller.client_id,
    )


def note_attempt(invoer: LogboekInvoer, privacy: GemeentePrivacy, body: Any) -> None:
    """Record what a request was about before anything is checked: the valid BSNs in its
    ``burgerservicenummer`` and a doel it named that the gemeente knows. Then a refused or
    malformed request (400, 403) is still findable by inzage on those BSNs, with its doel."""
    invoer.betrokkenen.extend(bsns_in(body))
    code = body.get("doel") if isinstance(body, Mapping) else None
    doel = privacy.doelen.by_code.get(code) if isinstance(code, str) else None
    if doel is not None:
        invoer.doel = doel.code
        invoer.processing_activity_id = doel.verwerkingsactiviteit


def record_failure(invoer: LogboekInvoer, exc: Exception) -> None:
    """Mark the record as failed with the status the client will see."""
    invoer.status, invoer.http_status = _status_of(exc)
    invoer.status_code = STATUS_ERROR


def _answer(
    *,
    plugins: PluginCaller,
    privacy: GemeentePrivacy,
    caller: Caller,
    rol: str,
    trace_id: str,
    body: Any,
    invoer: LogboekInvoer,
    refusal: Exception | None,
    limits: RateLimitSettings | None,
    referenties: Referenties | None = None,
) -> dict[str, Any]:
    # BSNs and doel go into the record first: the privacy officer must be able to find
    # attempts by the person's BSN even when the request is refused or malformed.
    note_attempt(invoer, privacy, body)
    if refusal is not None:
        raise refusal
    doel_code = body.get("doel") if isinstance(body, Mapping) else None
    query_type, query, asked = parse_query(body)
    doel: Doel = privacy.doelen.resolve(doel_code, rol)
    invoer.doel = doel.code
    invoer.processing_activity_id = doel.verwerkingsactiviteit
    beleid = privacy.beleid.voor(rol, doel.code)
    if beleid is None:
        raise Forbidden(f"de rol {rol or 'onbekend'} mag geen persoonsgegevens inzien")
    wanted = upstream_fields(beleid, query_type)
    if asked is not None:
        wanted = catalogue.intersect(wanted, asked)
        if not wanted:
            raise InvalidRequest(
                "geen van de gevraagde fields mag deze rol inzien",
                field="fields",
                code="unauthorizedField",
            )
    if not wanted:
        raise Forbidden(f"de rol {rol} mag bij deze zoekvraag geen persoonsgegevens inzien")
    if limits is not None:
        signalen = check_lookup(
            limits, privacy.gemeente, caller.subject, rol, soorten_of(query_type, query)
        )
        invoer.signalen.extend(signalen.as_list())
    answer = plugins.first(
        privacy.gemeente,
        hookspecs.kcc_get_personen,
        caller=caller,
        trace_id=trace_id,
        doel=doel.code,
        verwerkingsactiviteit=doel.verwerkingsactiviteit,
        query=query,
        fields=wanted,
    )
    if answer is None:
        raise CapabilityMissing("geen plugin van deze gemeente beantwoordt personen-vragen")
    personen_raw = answer.get("personen", []) if isinstance(answer, Mapping) else None
    if not isinstance(personen_raw, list):
        raise UpstreamRejected("het bronsysteem gaf een antwoord zonder personen-lijst")
    personen: list[dict[str, Any]] = []
    waarschuwingen: list[dict[str, Any]] = []
    for raw in personen_raw:
        if not isinstance(raw, Mapping):
            continue
        gemaskeerd = mask_persoon(raw, beleid)
        waarschuwingen.extend(_waarschuwingen(len(personen), gemaskeerd, beleid))
        bsn = raw.get("burgerservicenummer")
        # Under geheimhouding with a restricted view the role sees the name only: no handle
        # to open more of that person either.
        beperkt = gemaskeerd.geheim and beleid.bij_geheimhouding is not None
        if referenties is not None and not beperkt and isinstance(bsn, str) and is_valid_bsn(bsn):
            gemaskeerd.persoon[REFERENTIE_VELD] = referenties.maak(bsn, caller.subject)
        personen.append(gemaskeerd.persoon)
        invoer.velden.extend(gemaskeerd.velden)
        invoer.betrokkenen.extend(gemaskeerd.betrokkenen)
    invoer.aantal_personen = len(personen)
    if not personen:
        invoer.status = "geen_resultaat"
    return {
        "type": query_type,
        "personen": personen,
        "waarschuwingen": waarschuwingen,
        "doel": doel.code,
        "traceId": trace_id,
    }


def write_logboek(
    store: Store,
    session: Session | None,
    privacy: GemeentePrivacy,
    invoer: LogboekInvoer,
    *,
    wat: str = "persoonsgegevens",
) -> None:
    """Commit the record (or add it to ``session``); fail closed with 503 when that is impossible.

    ``wat`` names what is withheld in the 503's message ("zaken", …).
    """
    invoer.end_time = utcnow()
    try:
        if session is not None:
            append(session, privacy.sleutels, invoer)
        else:
            # A connection, not an ORM session: the append is Core statements only, and the
            # session's bookkeeping was a measurable part of a lookup (bench/bench_privacy.py).
            with store.engine.begin() as own:
                append(own, privacy.sleutels, invoer)
    except Exception as exc:
        # No person data in the log line: the gemeente, the trace id and the error type only.
        log.error(
            "logboek not written for gemeente %s trace %s: %s; no %s returned",
            privacy.gemeente,
            invoer.trace_id,
            type(exc).__name__,
            wat,
        )
        raise ServiceUnavailable(
            f"het logboek kon niet worden bijgewerkt; daarom zijn er geen {wat} verstrekt"
        ) from exc
