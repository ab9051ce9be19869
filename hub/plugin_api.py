"""The value types that cross the plugin contract (see ``hub.hookspecs``).

Plugins import from here and from ``hub.errors``/``hub.secrets``/``hub.domain``;
never from each other and never from the store or API layers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic

from pydantic import BaseModel
from typing_extensions import TypeVar

from hub.caller import Caller

ClientT = TypeVar("ClientT")


class Capability(StrEnum):
    """What a plugin can do; the core routes API calls by capability."""

    MEDEWERKERS = "medewerkers"
    BESCHIKBAARHEID = "beschikbaarheid"
    NOTIFICATIE = "notificatie"
    PERSONEN = "personen"
    ZAKEN = "zaken"
    MELDINGEN = "meldingen"
    # A Klantinteracties system of record (Open Klant): kcc_register_klantcontact and friends.
    KLANTINTERACTIES = "klantinteracties"


@dataclass(frozen=True)
class PluginInfo:
    """What ``kcc_plugin_info`` returns."""

    name: str
    version: str
    description: str
    capabilities: frozenset[Capability]
    settings_model: type[BaseModel]
    # Kinds of records that kcc_sync produces (e.g. "medewerkers"); empty when it has no sync.
    sync_kinds: frozenset[str] = frozenset()
    # Default interval for the scheduler, seconds; None: no periodic sync.
    sync_interval_seconds: int | None = None


class HealthState(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"


@dataclass(frozen=True)
class Health:
    """What ``kcc_healthcheck`` returns. ``detail`` must never contain secrets."""

    state: HealthState
    detail: str = ""
    latency_ms: float | None = None


# The plugin's settings model; a plugin writes ``HookContext[FixiSettings]``.
SettingsT = TypeVar("SettingsT", default=Any)


@dataclass
class HookContext(Generic[SettingsT]):
    """Everything a hook call may know: one gemeente, this plugin's settings, the caller.

    A plugin only ever receives its own validated settings for the one gemeente
    the call is about. ``client`` is what the plugin's ``kcc_build_client`` built for
    this gemeente and these settings (``None`` for a plugin without one, or when a test
    calls a hook directly): use :meth:`client_as` to get it typed.
    """

    gemeente: str
    # Always the plugin's own settings model, validated at start-up: no re-validation needed.
    settings: SettingsT
    caller: Caller | None = None
    trace_id: str = ""
    # Purpose of a person-data call: code and the processing activity URI (doelbinding).
    doel: str | None = None
    verwerkingsactiviteit: str | None = None
    client: object | None = None

    def client_as(self, kind: type[ClientT]) -> ClientT | None:
        """The core-built client if it is a ``kind``, else ``None`` (build one yourself then)."""
        return self.client if isinstance(self.client, kind) else None


@dataclass
class SyncBatch:
    """One batch of synchronised records, yielded by ``kcc_sync``.

    ``kind`` names the record type (``medewerkers``, ``beschikbaarheid``,
    ``meldingstatussen``…). ``upserts`` carries the full current state of each
    record; ``deletes`` the stable ids that left the upstream. When ``full`` is
    true the batches together are the complete set: records not seen in any
    batch of this run are removed by the core when the run ends.
    ``checkpoint`` (if set on the last batch) is stored by the core only when
    the whole run succeeded, and handed back as ``since`` next time.
    """

    kind: str
    upserts: list[BaseModel] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    full: bool = False
    checkpoint: Mapping[str, Any] | None = None
    # Progress hint for the CLI's progress bar: total records expected, if known.
    total: int | None = None


ProgressCallback = Callable[[int, int | None], None]
SyncIterator = Iterator[SyncBatch]


@dataclass(frozen=True)
class Notification:
    """A mail to send through ``kcc_send_notification``. ``id`` makes sending idempotent."""

    id: str
    to: tuple[str, ...]
    subject: str
    body_text: str
    created: datetime
