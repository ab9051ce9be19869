"""The medewerkers directory served from the hub's store (filled by a directory plugin's sync).

Importing this package registers the ``medewerkers`` sink with the sync runner, and the
sinks for groups, memberships and switched-off accounts.
"""

from __future__ import annotations

from hub.directory.groep_sinks import SINKS as GROEP_SINKS
from hub.directory.search import Treffer, get, search
from hub.directory.sink import SINK, store_medewerkers
from hub.sync.sinks import register_sink

register_sink(SINK)
for _sink in GROEP_SINKS:
    register_sink(_sink)

__all__ = ["Treffer", "get", "search", "store_medewerkers"]
