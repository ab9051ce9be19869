"""The privacy officer's use of the logboek that touches one person, logged like any other.

Searching the logboek by BSN, answering an inzage (AVG art. 15) and exporting that answer are
processings of the person's data themselves. Each is written to the logboek with the person as
betrokkene, in the same transaction as the query, before anything leaves the hub: when the
logboek cannot be written, the answer is refused (fail closed).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.bsn import mask_bsn
from hub.caller import Caller
from hub.errors import ServiceUnavailable
from hub.privacy.inzage import InzageRegel, inzage
from hub.privacy.keys import LogboekSleutels
from hub.privacy.logboek import chain as logboek_chain
from hub.privacy.logboek import tables as logboek_tables
from hub.privacy.settings import GemeentePrivacy
from hub.store.base import utcnow
from hub.store.db import Store

ZOEKEN = "logboek-zoeken"
INZAGE = "logboek-inzage"
INZAGE_CSV = "logboek-inzage-csv"
INZAGE_PDF = "logboek-inzage-pdf"
ACTIVITEITEN = (ZOEKEN, INZAGE, INZAGE_CSV, INZAGE_PDF)

_TRACE_ID = re.compile(r"^[0-9a-f]{32}$")


def log_gebruik(
    session: Session,
    sleutels: LogboekSleutels,
    *,
    caller: Caller,
    trace_id: str,
    activiteit: str,
    bsn: str,
    started: datetime,
) -> None:
    """Append the record of one use of the logboek about ``bsn``; ServiceUnavailable if it fails."""
    invoer = logboek_chain.LogboekInvoer(
        gemeente=sleutels.gemeente,
        trace_id=trace_id if _TRACE_ID.match(trace_id) else secrets.token_hex(16),
        span_id=secrets.token_hex(8),
        name=activiteit,
        start_time=started,
        end_time=utcnow(),
        status_code=logboek_tables.STATUS_OK,
        status="ok",
        http_status=200,
        medewerker=caller.subject,
        rol=caller.primary_role,
        client_id=caller.client_id,
        velden=["logboek"],
        betrokkenen=[bsn],
    )
    try:
        logboek_chain.append(session, sleutels, invoer)
    except Exception as exc:
        raise ServiceUnavailable(
            "het logboek kon niet worden bijgewerkt; daarom is er geen antwoord"
        ) from exc


@dataclass(frozen=True)
class Inzage:
    """The answer to one inzage request, ready for a page, a CSV or a PDF."""

    gemeente: str
    organisatie: str
    betrokkene: str  # the BSN in its partial form only
    opgesteld_op: datetime
    regels: list[InzageRegel]
    # The logboek's last sequence number when the answer was made: a download asked from the
    # answer's page passes it back, so page, CSV and PDF hold the same rows.
    stand: int


def inzage_opvragen(
    store: Store,
    privacy: GemeentePrivacy,
    *,
    gemeente_naam: str,
    caller: Caller,
    trace_id: str,
    bsn: str,
    activiteit: str = INZAGE,
    met_medewerker: bool = True,
    stand: int | None = None,
) -> Inzage:
    """Who processed this person's data, when and why, up to record ``stand`` (default: all).

    The request itself is logged in the same transaction, so it shows in the next inzage.
    """
    if activiteit not in ACTIVITEITEN:
        raise ValueError(f"unknown activity {activiteit}")
    started = utcnow()
    organisatie = f"Gemeente {gemeente_naam}"
    omschrijvingen = {code: d.omschrijving for code, d in privacy.doelen.by_code.items()}
    with store.session() as session:
        laatste = session.scalar(
            select(func.max(logboek_tables.LogboekRecord.volgnummer)).where(
                logboek_tables.LogboekRecord.gemeente == privacy.gemeente
            )
        )
        stand = min(stand, int(laatste or 0)) if stand is not None else int(laatste or 0)
        regels = inzage(
            session,
            privacy.sleutels,
            bsn,
            doel_omschrijvingen=omschrijvingen,
            organisatie=organisatie,
            met_medewerker=met_medewerker,
            tot_en_met=stand,
        )
        log_gebruik(
            session,
            privacy.sleutels,
            caller=caller,
            trace_id=trace_id,
            activiteit=activiteit,
            bsn=bsn,
            started=started,
        )
    return Inzage(
        gemeente=privacy.gemeente,
        organisatie=organisatie,
        betrokkene=mask_bsn(bsn),
        opgesteld_op=started,
        regels=regels,
        stand=stand,
    )
