"""Callback deadlines in working days: weekends and Dutch public holidays are skipped.

The holidays come from the maintained ``holidays`` library (its Netherlands calendar:
Nieuwjaarsdag, Goede Vrijdag, Pasen, Koningsdag — the 26th when the 27th of April is a
Sunday —, Bevrijdingsdag, Hemelvaart, Pinksteren, Kerstmis), never from a table of our own.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from hub.domain.klantcontacten import Urgentie
from hub.klantcontacten_settings import KlantcontactenSettings

_SATURDAY = 5


@lru_cache(maxsize=64)
def _feestdagen(jaar: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("NL", years=jaar))


def is_werkdag(dag: date) -> bool:
    return dag.weekday() < _SATURDAY and dag not in _feestdagen(dag.year)


def werkdagen_na(dag: date, aantal: int) -> date:
    """The date ``aantal`` working days after ``dag`` (0: ``dag`` itself if it is a working
    day, else the next one). Registering on a Saturday with 1 working day gives Monday."""
    if aantal <= 0:
        while not is_werkdag(dag):
            dag += timedelta(days=1)
        return dag
    telt = 0
    while telt < aantal:
        dag += timedelta(days=1)
        if is_werkdag(dag):
            telt += 1
    return dag


def deadline_voor(
    moment: datetime, urgentie: Urgentie, instellingen: KlantcontactenSettings
) -> datetime:
    """End of the working day that is the gemeente's number of working days (per urgentie)
    after the day of ``moment`` (local time), as an aware datetime in the gemeente's zone."""
    zone = ZoneInfo(instellingen.tijdzone)
    lokaal = moment.astimezone(zone)
    aantal = getattr(instellingen.deadline_werkdagen, urgentie.value)
    dag = werkdagen_na(lokaal.date(), aantal)
    uur, minuut = (int(part) for part in instellingen.werkdag_einde.split(":"))
    return datetime.combine(dag, time(uur, minuut), tzinfo=zone)


def herinnering_voor(deadline: datetime, instellingen: KlantcontactenSettings) -> datetime:
    """When the reminder goes out: the configured number of hours before the deadline."""
    return deadline - timedelta(hours=instellingen.herinnering_uren_voor_deadline)
