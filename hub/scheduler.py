"""Periodic syncs: enqueue a sync per gemeente × plugin when its interval has passed.

Run exactly one scheduler per deployment (``kcc-hub scheduler``); the workers
do the work. With Redis the scheduler takes a lease so a second instance that
is started by mistake stays idle instead of doubling the syncs.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import timedelta

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from hub.beschikbaarheid import calendar_plugins, refresh_interval_seconds
from hub.jobs.actors import (
    refresh_beschikbaarheid,
    sweep_meldingen_outbox,
    sync_melding_statuses,
    sync_plugin,
)
from hub.plugin_api import Capability
from hub.runtime import Runtime
from hub.store.base import utcnow
from hub.sync import state

log = logging.getLogger(__name__)


def due_syncs(rt: Runtime) -> list[tuple[str, str]]:
    """(gemeente, plugin) pairs whose last run started longer ago than their interval."""
    due = []
    now = utcnow()
    with rt.store.session() as session:
        for code, gemeente in rt.tenants.gemeenten.items():
            for plugin in rt.host.enabled(code, "kcc_sync"):
                info = rt.loaded.infos[plugin]
                interval = gemeente.sync_intervals.get(plugin, info.sync_interval_seconds)
                if not interval:
                    continue
                last = state.last_runs(session, code, plugin, limit=1)
                if not last or now - last[0].started_at >= timedelta(seconds=interval):
                    due.append((code, plugin))
    return due


class Lease:
    """With Redis, only the holder of the lease schedules; without, this process is the only one."""

    KEY = "kcc-hub:scheduler-lease"

    def __init__(self, seconds: int = 60) -> None:
        self.seconds = seconds
        self.owner = uuid.uuid4().hex
        broker = dramatiq.get_broker()
        self.client = broker.client if isinstance(broker, RedisBroker) else None

    def held(self) -> bool:
        if self.client is None:
            return True
        if self.client.set(self.KEY, self.owner, nx=True, ex=self.seconds):
            return True
        if self.client.get(self.KEY) == self.owner.encode():
            self.client.expire(self.KEY, self.seconds)
            return True
        return False


OUTBOX_SWEEP_SECONDS = 60
MELDING_STATUS_SECONDS = 300
LOGBOEK_RETENTION_SECONDS = 24 * 3600
# Incremental directory syncs miss group membership changes (they change the group, not the
# user) and, without the deleted-objects right, deletions: a nightly full run catches both.
FULL_DIRECTORY_SYNC_SECONDS = 24 * 3600


def periodic_jobs(rt: Runtime) -> list[tuple[str, int, dramatiq.Message[None]]]:
    """(key, interval seconds, message) for the fixed periodic jobs besides plugin syncs."""
    jobs: list[tuple[str, int, dramatiq.Message[None]]] = [
        ("outbox", OUTBOX_SWEEP_SECONDS, sweep_meldingen_outbox.message())
    ]
    for code in rt.tenants.gemeenten:
        # Availability: every mailbox of the gemeente once per interval of its calendar
        # plugin (and right after each directory sync, see hub.jobs.actors.sync_plugin).
        for plugin in calendar_plugins(rt, code)[:1]:
            interval = refresh_interval_seconds(rt, code, plugin)
            if interval:
                jobs.append(
                    (
                        f"beschikbaarheid/{code}",
                        interval,
                        refresh_beschikbaarheid.message(code, plugin),
                    )
                )
        if any(
            Capability.MELDINGEN in rt.loaded.infos[p].capabilities for p in rt.host.enabled(code)
        ):
            jobs.append(
                (
                    f"meldingstatus/{code}",
                    MELDING_STATUS_SECONDS,
                    sync_melding_statuses.message(code),
                )
            )
    return jobs


def run_forever(rt: Runtime, stop: threading.Event, every_seconds: float = 15.0) -> None:
    log.info("scheduler started")
    lease = Lease(seconds=max(int(every_seconds * 4), 30))
    # Enqueued-but-not-started runs have no sync_runs row yet; remember what we sent.
    sent: dict[tuple[str, str], float] = {}
    while not stop.is_set():
        try:
            if not lease.held():
                stop.wait(every_seconds)
                continue
            now = time.monotonic()
            for key, interval, message in periodic_jobs(rt):
                if now - sent.get(("periodic", key), -1e9) >= interval:
                    dramatiq.get_broker().enqueue(message)
                    sent[("periodic", key)] = now
            for gemeente, plugin in due_syncs(rt):
                if now - sent.get((gemeente, plugin), -1e9) < 60:
                    continue
                sync_plugin.send(gemeente, plugin)
                sent[(gemeente, plugin)] = now
        except Exception:
            log.exception("scheduler tick failed; trying again")
        stop.wait(every_seconds)
