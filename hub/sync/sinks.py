"""Where synchronised records go: one sink per record kind, owned by the core area that stores it.

A sink is defined by the hub area that owns the table (``hub.directory``
for ``medewerkers``, ``hub.beschikbaarheid`` for ``beschikbaarheid``…) and installed
where the runtime is built (:func:`hub.wiring.install_sinks`). The sync runner hands every :class:`~hub.plugin_api.SyncBatch` to the sink of its kind,
inside the run's transaction, and calls ``finish_full`` when a full run ends so
records not seen in it are removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy.orm import Session

from hub.plugin_api import SyncBatch


class Applied(NamedTuple):
    """What a sink did with one batch: records written, and records removed."""

    written: int
    removed: int = 0


ApplyBatch = Callable[[Session, str, SyncBatch, datetime], "Applied | int"]
"""(session, gemeente, batch, run_started) -> what was written and removed (a plain int
counts as written: sinks that never remove anything may return one)."""

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


def sink_for(kind: str) -> Sink:
    try:
        return _SINKS[kind]
    except KeyError:
        raise LookupError(
            f"no sink stores records of kind {kind!r} (hub.wiring.install_sinks installs the "
            "hub's own)"
        ) from None


def registered_kinds() -> frozenset[str]:
    return frozenset(_SINKS)
