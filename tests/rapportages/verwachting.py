"""The rapportage's figures computed by hand: plain Python over the generated rows.

Nothing of the hub's own arithmetic is used: working time is counted quarter by quarter
(every moment in the data lies on a quarter), with the Dutch holidays straight from the
``holidays`` library, and percentiles by nearest rank over a sorted list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from tests.rapportages.gegevens import KWARTIER, Contact

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WERKDAG_BEGIN, WERKDAG_EINDE = time(8, 30), time(17, 0)
FEESTDAGEN = holidays.country_holidays("NL", years=(2026,))


def lokale_dag(moment: datetime) -> date:
    return moment.astimezone(AMSTERDAM).date()


def werkseconden(van: datetime, tot: datetime) -> int:
    kwartieren = 0
    t = van
    while t < tot:
        lokaal = t.astimezone(AMSTERDAM)
        werkdag = lokaal.weekday() < 5 and lokaal.date() not in FEESTDAGEN
        if werkdag and WERKDAG_BEGIN <= lokaal.time() < WERKDAG_EINDE:
            kwartieren += 1
        t += KWARTIER
    return kwartieren * 15 * 60


def _rang(waarden: list[int], procent: int) -> int | None:
    if not waarden:
        return None
    geordend = sorted(waarden)
    rang = -(-len(geordend) * procent // 100)  # ceil, in integers
    return geordend[max(rang, 1) - 1]


def _uren(seconden: int | None) -> float | None:
    return None if seconden is None else round(seconden / 3600, 2)


def _aandeel(deel: int, geheel: int) -> float | None:
    return round(deel / geheel, 4) if geheel else None


def cijfers(contacten: list[Contact], nu: datetime, norm: int = 80) -> dict[str, Any]:
    n = len(contacten)
    per = {a: sum(c.afhandeling == a for c in contacten) for a in AFHANDELINGEN}
    verzoeken = [c.verzoek for c in contacten if c.verzoek is not None]
    klaar = [v for v in verzoeken if v.afgehandeld_op is not None]
    kalender = [int((v.afgehandeld_op - v.eerste_toewijzing).total_seconds()) for v in klaar]  # type: ignore[operator]
    werk = [werkseconden(v.eerste_toewijzing, v.afgehandeld_op) for v in klaar]  # type: ignore[arg-type]
    binnen = sum(v.afgehandeld_op <= v.deadline for v in klaar)  # type: ignore[operator]
    open_ = [v for v in verzoeken if v.afgehandeld_op is None]
    pogingen = sum(v.pogingen for v in verzoeken)
    return {
        "klantcontacten": n,
        **{a: {"aantal": per[a], "aandeel": _aandeel(per[a], n)} for a in AFHANDELINGEN},
        "haaltNorm": (Fraction(per["direct"], n) * 100 >= norm) if n else None,
        "contactverzoeken": {
            "aantal": len(verzoeken),
            "open": len(open_),
            "overTermijn": sum(v.deadline < nu for v in open_),
            "afgehandeld": len(klaar),
            "binnenTermijn": binnen,
            "aandeelBinnenTermijn": _aandeel(binnen, len(klaar)),
            "doorlooptijd": {
                "mediaanUren": _uren(_rang(kalender, 50)),
                "p90Uren": _uren(_rang(kalender, 90)),
                "mediaanWerkuren": _uren(_rang(werk, 50)),
                "p90Werkuren": _uren(_rang(werk, 90)),
            },
            "pogingenPerVerzoek": round(pogingen / len(verzoeken), 2) if verzoeken else None,
        },
    }


AFHANDELINGEN = ("direct", "doorverbonden", "contactverzoek")

GROEPSLEUTEL: dict[str, Callable[[Contact], str | None]] = {
    "kanaal": lambda c: c.kanaal,
    "afdeling": lambda c: c.afdeling,
    "medewerker": lambda c: c.medewerker,
    "dag": lambda c: lokale_dag(c.plaatsgevonden_op).isoformat(),
    "week": lambda c: "{:04d}-W{:02d}".format(*lokale_dag(c.plaatsgevonden_op).isocalendar()[:2]),
}


def in_periode(contacten: list[Contact], van: date, tot: date) -> list[Contact]:
    return [c for c in contacten if van <= lokale_dag(c.plaatsgevonden_op) <= tot]


def per_groep(contacten: list[Contact], groepering: str, nu: datetime) -> list[dict[str, Any]]:
    groepen: dict[str | None, list[Contact]] = defaultdict(list)
    for c in contacten:
        groepen[GROEPSLEUTEL[groepering](c)].append(c)
    volgorde = sorted(groepen, key=lambda k: (k is None, k or ""))
    return [{"groep": k, **cijfers(groepen[k], nu)} for k in volgorde]


def afdelingen(contacten: list[Contact]) -> list[dict[str, Any]]:
    tel: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in contacten:
        if c.afdeling and c.afhandeling in ("doorverbonden", "contactverzoek"):
            tel[c.afdeling][0] += 1
            tel[c.afdeling][1] += c.afhandeling == "contactverzoek"
    rijen = sorted(tel.items(), key=lambda kv: (-Fraction(kv[1][1], kv[1][0]), -kv[1][1], kv[0]))
    return [
        {
            "rang": i,
            "afdeling": naam,
            "vragen": vragen,
            "contactverzoeken": verzoeken,
            "aandeelContactverzoek": round(verzoeken / vragen, 4),
        }
        for i, (naam, (vragen, verzoeken)) in enumerate(rijen, start=1)
    ]


def open_per_afdeling(contacten: list[Contact], nu: datetime) -> list[dict[str, Any]]:
    tel: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    for c in contacten:
        v = c.verzoek
        if v is not None and v.afgehandeld_op is None:
            sleutel = v.afdeling or v.medewerker_afdeling
            tel[sleutel][0] += 1
            tel[sleutel][1] += v.deadline < nu
    rijen = sorted(tel.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0] is None, kv[0] or ""))
    return [{"afdeling": a, "open": o, "overTermijn": t} for a, (o, t) in rijen]
