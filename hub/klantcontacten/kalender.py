"""The local day and ISO week a klantcontact falls in, stored with it for the rapportages.

SQLite has no time zones, and ``date_trunc``/``strftime`` differ between the two databases;
storing ``dag`` (``2026-03-09``) and ``week`` (``2026-W11``) as text at registration lets the
rapportages filter and group in identical SQL on both, over an index.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

# The only zone KlantcontactenSettings.tijdzone admits; the rapportages count in it.
ZONE = ZoneInfo("Europe/Amsterdam")


def lokale_dag(moment: datetime) -> date:
    return moment.astimezone(ZONE).date()


def dag(moment: datetime) -> str:
    return lokale_dag(moment).isoformat()


def week_van(dag_: date) -> str:
    """ISO week as ``YYYY-Www``: 31 December 2029 is in ``2030-W01``."""
    jaar, week, _ = dag_.isocalendar()
    return f"{jaar:04d}-W{week:02d}"


def week(moment: datetime) -> str:
    return week_van(lokale_dag(moment))
