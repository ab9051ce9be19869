"""A rapportage as CSV: one row for the total and one per group, the columns flattened.

Semicolon-separated with a decimal point, as spreadsheet imports in Dutch locales read it
without mistaking ``0.8125`` for a thousands separator; empty where a figure does not exist.
"""

from __future__ import annotations

import csv
import io

from hub.domain.rapportages import Cijfers, Rapportage

KOLOMMEN = (
    "groep",
    "klantcontacten",
    "direct",
    "aandeelDirect",
    "doorverbonden",
    "aandeelDoorverbonden",
    "contactverzoek",
    "aandeelContactverzoek",
    "haaltNorm",
    "contactverzoekenOpen",
    "contactverzoekenOverTermijn",
    "contactverzoekenAfgehandeld",
    "aandeelBinnenTermijn",
    "mediaanUren",
    "p90Uren",
    "mediaanWerkuren",
    "p90Werkuren",
    "pogingenPerVerzoek",
)


def _tekst(waarde: object) -> str:
    if waarde is None:
        return ""
    if isinstance(waarde, bool):
        return "ja" if waarde else "nee"
    return str(waarde)


def _rij(groep: str, c: Cijfers) -> list[str]:
    cv = c.contactverzoeken
    d = cv.doorlooptijd
    waarden: list[object] = [
        groep,
        c.klantcontacten,
        c.direct.aantal,
        c.direct.aandeel,
        c.doorverbonden.aantal,
        c.doorverbonden.aandeel,
        c.contactverzoek.aantal,
        c.contactverzoek.aandeel,
        c.haalt_norm,
        cv.open,
        cv.over_termijn,
        cv.afgehandeld,
        cv.aandeel_binnen_termijn,
        d.mediaan_uren,
        d.p90_uren,
        d.mediaan_werkuren,
        d.p90_werkuren,
        cv.pogingen_per_verzoek,
    ]
    return [_tekst(w) for w in waarden]


def als_csv(r: Rapportage) -> str:
    uit = io.StringIO()
    schrijver = csv.writer(uit, delimiter=";", lineterminator="\r\n")
    schrijver.writerow(KOLOMMEN)
    schrijver.writerow(_rij("totaal", r.totaal))
    for g in r.groepen:
        schrijver.writerow(_rij(g.groep if g.groep is not None else "(onbekend)", g))
    return uit.getvalue()
