"""Where the hub's own parts are put together when a runtime is built.

Each hub area defines what it contributes (a sync sink per record kind it stores); this
module installs them, explicitly and in one place, instead of as a side effect of
importing the area. :meth:`hub.runtime.Runtime.build` calls it; code that runs a sink
without a runtime (a benchmark, a test of one sink) calls :func:`install_sinks` itself.
"""

from __future__ import annotations

from hub.sync.sinks import Sink, register_sink


def core_sinks() -> tuple[Sink, ...]:
    """The sinks of the hub's own tables, one per synchronised record kind."""
    # Imported here: the areas import the runtime's building blocks themselves.
    from hub import beschikbaarheid, directory, klantcontacten
    from hub.meldingen import status_sync

    return (*directory.SINKS, beschikbaarheid.SINK, status_sync.SINK, klantcontacten.SINK)


def install_sinks() -> None:
    """Make the hub's own sinks known to the sync runner (idempotent)."""
    for sink in core_sinks():
        register_sink(sink)
