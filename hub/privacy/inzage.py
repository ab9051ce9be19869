"""The AVG art. 15 answer from the logboek: who saw a person's data, when and for what purpose.

Records are found by the betrokkene's keyed hash; the answer names the
medewerker by role unless the privacy officer decides otherwise, and shows the
BSN only in its partial form. Searched and exported records are :mod:`hub.privacy.logboek.query`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.bsn import mask_bsn
from hub.privacy.keys import LogboekSleutels
from hub.privacy.logboek.tables import LogboekBetrokkene, LogboekRecord, iso
from hub.store.base import utcnow


@dataclass(frozen=True)
class InzageRegel:
    """One line of the AVG art. 15 answer: when, who (role, optionally the person), what, why."""

    tijdstip: str
    organisatie: str
    rol: str
    medewerker: str | None
    doel: str | None
    doel_omschrijving: str
    verwerkingsactiviteit: str | None
    gegevens: list[str]
    resultaat: str


def inzage(
    session: Session,
    sleutels: LogboekSleutels,
    bsn: str,
    *,
    doel_omschrijvingen: dict[str, str] | None = None,
    organisatie: str = "",
    met_medewerker: bool = False,
    tot_en_met: int | None = None,
) -> list[InzageRegel]:
    """Who saw this person's data, when, and for what purpose (oldest first).

    By default the medewerker is given by role, not by name: the CJEU (C-579/21)
    holds that art. 15 covers the dates and purposes of consultations but not,
    as a rule, the identity of the employees; set ``met_medewerker`` when the
    privacy officer decides otherwise. ``tot_en_met`` fixes the answer at a sequence number, so
    a download holds the rows of the page it was asked from.
    """
    digest = sleutels.betrokkene_hash(bsn)
    omschrijvingen = doel_omschrijvingen or {}
    bound = [] if tot_en_met is None else [LogboekRecord.volgnummer <= tot_en_met]
    records = session.scalars(
        select(LogboekRecord)
        .where(
            *bound,
            LogboekRecord.gemeente == sleutels.gemeente,
            LogboekRecord.volgnummer.in_(
                select(LogboekBetrokkene.volgnummer).where(
                    LogboekBetrokkene.gemeente == sleutels.gemeente,
                    LogboekBetrokkene.betrokkene_hash == digest,
                )
            ),
        )
        .order_by(LogboekRecord.volgnummer)
    )
    return [
        InzageRegel(
            tijdstip=iso(r.start_time),
            organisatie=organisatie or f"gemeente {r.gemeente}",
            rol=r.rol,
            medewerker=r.medewerker if met_medewerker else None,
            doel=r.doel,
            doel_omschrijving=omschrijvingen.get(r.doel or "", r.doel or ""),
            verwerkingsactiviteit=r.processing_activity_id,
            gegevens=[v.removesuffix(":gedeeltelijk") for v in json.loads(r.velden)],
            resultaat=r.status,
        )
        for r in records
    ]


INZAGE_CSV_COLUMNS = (
    "tijdstip",
    "organisatie",
    "rol",
    "medewerker",
    "doel",
    "doel_omschrijving",
    "verwerkingsactiviteit",
    "gegevens",
    "resultaat",
)


def inzage_csv(regels: Sequence[InzageRegel]) -> str:
    """The inzage as CSV (semicolon separated, as Dutch spreadsheet software expects)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(INZAGE_CSV_COLUMNS)
    for r in regels:
        writer.writerow(
            [
                r.tijdstip,
                r.organisatie,
                r.rol,
                r.medewerker or "",
                r.doel or "",
                r.doel_omschrijving,
                r.verwerkingsactiviteit or "",
                ", ".join(r.gegevens),
                r.resultaat,
            ]
        )
    return buffer.getvalue()


def inzage_json(
    gemeente: str, bsn: str, regels: Sequence[InzageRegel], *, nu: datetime | None = None
) -> dict[str, Any]:
    """The inzage as a JSON document; the BSN appears only in its partial form."""
    return {
        "gemeente": gemeente,
        "betrokkene": mask_bsn(bsn),
        "opgesteldOp": iso(nu or utcnow()),
        "aantal": len(regels),
        "verwerkingen": [asdict(r) for r in regels],
    }
