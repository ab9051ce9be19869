"""Where synchronised records go: one sink per record kind, owned by the core area that stores it.

A sink is registered by the hub module that owns the table (``hub.directory``
for ``medewerkers``, ``hub.beschikbaarheid`` for ``beschikbaarheid``…). The sync
runner hands every :class:`~hub.plugin_api.SyncBatch` to the sink of its kind,
inside the run's transaction, and calls ``finish_full`` when a full run ends so
records not seen in it are removed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from hub.plugin_api import SyncBatch

ApplyBatch = Callable[[Session, str, SyncBatch, datetime], int]
"""(session, gemeente, batch, run_started) -> number of records written or removed."""

FinishFull = Callable[[Session, str, datetime], int]
"""(session, gemeente, run_started) -> number of records removed as not seen in a full run."""


@dataclass(frozen=True)
class Sink:
    kind: str
    apply: ApplyBatch
    finish_full: FinishFull | None = None


_SINKS: dict[str, Sink] = {}


def register_sink(sink: Sink) -> None:
    _SINKS[sink.kind] = sink


# The hub areas that own synchronised tables; importing one registers its sinks.
SINK_MODULES = ("hub.directory", "hub.beschikbaarheid", "hub.meldingen", "hub.klantcontacten")


def load_sink_modules() -> None:
    for name in SINK_MODULES:
        importlib.import_module(name)


def sink_for(kind: str) -> Sink:
    if kind not in _SINKS:
        load_sink_modules()
    try:
        return _SINKS[kind]
    except KeyError:
        raise LookupError(f"no sink stores records of kind {kind!r}") from None


def registered_kinds() -> frozenset[str]:
    return frozenset(_SINKS)
