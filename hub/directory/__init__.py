"""The medewerkers directory served from the hub's store (filled by a directory plugin's sync).

``SINKS`` store the ``medewerkers`` batches of a directory plugin's sync, and its groups,
memberships and switched-off accounts.
"""

from __future__ import annotations

from hub.directory.groep_sinks import SINKS as GROEP_SINKS
from hub.directory.search import Treffer, get, search
from hub.directory.sink import SINK, store_medewerkers

# Medewerkers, and groups, memberships and switched-off accounts (installed by hub.wiring).
SINKS = (SINK, *GROEP_SINKS)

__all__ = ["SINKS", "Treffer", "get", "search", "store_medewerkers"]
