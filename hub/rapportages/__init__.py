"""Rapportages: the KCC's figures over klantcontacten and contactverzoeken, in SQL.

* :mod:`~hub.rapportages.periode` — the period and grouping asked for, validated
* :mod:`~hub.rapportages.berekening` — the aggregates (identical SQL on SQLite and PostgreSQL)
* :mod:`~hub.rapportages.csv_export` — the same figures as CSV
* :mod:`~hub.rapportages.metrics` — open and overdue contactverzoeken for ``/metrics``

See docs/rapportages.md.
"""

from __future__ import annotations

from hub.rapportages.berekening import rapportage
from hub.rapportages.periode import LEZERS, Periode, periode

__all__ = ["LEZERS", "Periode", "periode", "rapportage"]
