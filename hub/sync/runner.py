"""Run a plugin's ``kcc_sync`` for one gemeente and store what it yields.

Each batch is committed as it arrives (so a long directory sync does not hold
one huge transaction), records carry their full state so a repeated run is
harmless, and the checkpoint is stored only when the whole run succeeded. A
failed run leaves the last good data in place and is visible in ``sync_runs``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hub import hookspecs
from hub.errors import ConfigurationError, KccError, NotFound, UpstreamUnavailable
from hub.metrics import SYNC_RUNS
from hub.plugin_api import SyncBatch
from hub.pluginmanager import implements
from hub.runtime import Runtime
from hub.secrets import SecretResolutionError
from hub.store import generaties
from hub.store.base import utcnow
from hub.sync import sinks, state

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]

_running: set[tuple[str, str]] = set()
_running_lock = threading.Lock()


@dataclass(frozen=True)
class SyncOutcome:
    run_id: int
    status: str
    records: int
    full: bool
    error: str | None = None
    removed: int = 0


class SyncAlreadyRunning(KccError):
    status = 409
    title = "Synchronisatie loopt al"


def run_sync(
    rt: Runtime,
    gemeente: str,
    plugin: str,
    *,
    full: bool = False,
    progress: Progress | None = None,
) -> SyncOutcome:
    """Run one sync; raises the plugin's error after recording the failed run."""
    if plugin not in rt.host.enabled(gemeente):
        raise NotFound(f"plugin {plugin} is not enabled for gemeente {gemeente}")
    if not implements(rt.loaded.manager, plugin, hookspecs.kcc_sync):
        raise NotFound(f"plugin {plugin} has nothing to synchronise")
    key = (gemeente, plugin)
    with _running_lock:
        if key in _running:
            raise SyncAlreadyRunning(f"a sync of {plugin} for {gemeente} is already running here")
        _running.add(key)
    try:
        return _run(rt, gemeente, plugin, full, progress)
    finally:
        with _running_lock:
            _running.discard(key)


def _run(
    rt: Runtime, gemeente: str, plugin: str, full: bool, progress: Progress | None
) -> SyncOutcome:
    started = utcnow()
    with rt.store.session() as session:
        since = None if full else state.get_checkpoint(session, gemeente, plugin)
        run_id = state.start_run(session, gemeente, plugin, full=full or since is None)
    records = 0
    removed = 0
    ran_full = since is None
    checkpoint: dict[str, Any] | None = None
    try:
        batches = rt.host.call(
            plugin, gemeente, hookspecs.kcc_sync, since=since, full=full, retry=False
        )
        for batch in batches or ():
            if not isinstance(batch, SyncBatch):
                raise UpstreamUnavailable(
                    f"plugin {plugin} yielded something else than a SyncBatch"
                )
            sink = sinks.sink_for(batch.kind)
            with rt.store.session() as session:
                applied = sink.apply(session, gemeente, batch, started)
                generaties.bump(session, gemeente)
            if isinstance(applied, sinks.Applied):
                records += applied.written
                removed += applied.removed
            else:
                records += applied
            ran_full = ran_full or batch.full
            if batch.checkpoint is not None:
                checkpoint = dict(batch.checkpoint)
            if progress is not None:
                progress(len(batch.upserts) + len(batch.deletes), batch.total)
        with rt.store.session() as session:
            if ran_full:
                for kind in rt.loaded.infos[plugin].sync_kinds:
                    finish = sinks.sink_for(kind).finish_full
                    if finish is not None:
                        removed += finish(session, gemeente, started)
            if checkpoint is not None:
                state.put_checkpoint(session, gemeente, plugin, checkpoint)
            state.finish_run(session, run_id, records=records, removed=removed, full=ran_full)
            # The last successful sync is part of what the API caches (hub.directory.zoekcache).
            generaties.bump(session, gemeente)
    except Exception as exc:
        error = failure_of(exc, plugin)
        if not isinstance(exc, KccError) and not isinstance(error, ConfigurationError):
            log.exception("sync of %s for %s failed", plugin, gemeente)
        with rt.store.session() as session:
            state.fail_run(
                session,
                run_id,
                f"{type(error).__name__}: {error.detail}",
                config_error=isinstance(error, ConfigurationError),
                records=records,
            )
        SYNC_RUNS.labels(plugin, gemeente, "failed").inc()
        if error is exc:
            raise
        raise error from exc
    SYNC_RUNS.labels(plugin, gemeente, "ok").inc()
    log.info(
        "sync %s/%s done: %d records, %d removed (full=%s)",
        gemeente,
        plugin,
        records,
        removed,
        ran_full,
    )
    return SyncOutcome(run_id=run_id, status="ok", records=records, full=ran_full, removed=removed)


def failure_of(exc: Exception, plugin: str) -> KccError:
    """The typed error a failed run is recorded (and raised) as."""
    if isinstance(exc, KccError):
        return exc
    if isinstance(exc, SecretResolutionError):
        return ConfigurationError(f"plugin {plugin}: {exc}", source=plugin)
    return UpstreamUnavailable(f"sync of {plugin} failed unexpectedly", source=plugin)
