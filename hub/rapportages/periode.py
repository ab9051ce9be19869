"""The period of a rapportage: local days ``van`` up to and including ``tot``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hub.errors import InvalidRequest
from hub.klantcontacten.kalender import lokale_dag

# Only these roles read rapportages; the figures carry no person data (docs/rapportages.md).
LEZERS = ("beheerder", "teamleider")
MAX_DAGEN = 366
STANDAARD_DAGEN = 28
_DATUM = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True)
class Periode:
    van: date
    tot: date


def _datum(waarde: str, veld: str) -> date:
    try:
        if not _DATUM.match(waarde):
            raise ValueError
        return date.fromisoformat(waarde)
    except ValueError:
        raise InvalidRequest(
            "geef een datum als JJJJ-MM-DD, bijvoorbeeld 2026-03-09", field=veld, code="date"
        ) from None


def periode(van: str | None, tot: str | None, nu: datetime) -> Periode:
    """Both given, or defaults: ``tot`` today, ``van`` four weeks before ``tot``."""
    einde = _datum(tot, "tot") if tot is not None else lokale_dag(nu)
    begin = _datum(van, "van") if van is not None else einde - timedelta(days=STANDAARD_DAGEN - 1)
    if begin > einde:
        raise InvalidRequest("van ligt na tot", field="tot", code="range")
    if (einde - begin).days + 1 > MAX_DAGEN:
        raise InvalidRequest(
            f"een rapportage beslaat hoogstens {MAX_DAGEN} dagen", field="tot", code="range"
        )
    return Periode(begin, einde)
