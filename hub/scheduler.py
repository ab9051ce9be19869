"""Periodic syncs: enqueue a sync per gemeente × plugin when its interval has passed.

Run one active scheduler per deployment (``kcc-hub scheduler``); the workers do
the work. With Redis the scheduler takes a lease, so a second instance stays on
standby instead of doubling the syncs. The active one gives the lease up when it
stops, and a standby takes over within ``STANDBY_POLL_SECONDS``; after a crash,
once the lease has expired. Taking, losing and releasing the lease are logged.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import timedelta

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from hub import hookspecs
from hub.beschikbaarheid import calendar_plugins, refresh_interval_seconds
from hub.jobs.actors import (
    anchor_logboek,
    anonymiseer_meldingen,
    plan_contactverzoek_herinneringen,
    purge_klantcontacten,
    purge_logboek_retention,
    refresh_beschikbaarheid,
    sweep_klantcontacten_outbox,
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
            for plugin in rt.host.enabled(code, hookspecs.kcc_sync):
                info = rt.loaded.infos[plugin]
                interval = gemeente.sync_intervals.get(plugin, info.sync_interval_seconds)
                if not interval:
                    continue
                last = state.last_runs(session, code, plugin, limit=1)
                if not last or now - last[0].started_at >= timedelta(seconds=interval):
                    due.append((code, plugin))
    return due


class Lease:
    """With Redis, only the holder of the lease schedules; without, this process is the only one.

    The key holds the owner's id with a time to live; the holder renews it every tick and
    deletes it when it stops, so a standby need not wait for it to expire.
    """

    KEY = "kcc-hub:scheduler-lease"
    # Take the lease if free, or renew it if ours: one atomic step, so a lease that expires
    # between a read and a renewal is never extended for someone else.
    _TAKE_OR_RENEW = """
        if redis.call('set', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return 1 end
        if redis.call('get', KEYS[1]) == ARGV[1] then
            redis.call('expire', KEYS[1], ARGV[2])
            return 1
        end
        return 0
    """
    _RELEASE = """
        if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
        return 0
    """

    def __init__(self, seconds: int = 60) -> None:
        self.seconds = seconds
        self.owner = uuid.uuid4().hex
        broker = dramatiq.get_broker()
        self.client = broker.client if isinstance(broker, RedisBroker) else None

    @property
    def shared(self) -> bool:
        """Whether other schedulers can compete for this lease (Redis), or this one is alone."""
        return self.client is not None

    def held(self) -> bool:
        if self.client is None:
            return True
        return bool(self.client.eval(self._TAKE_OR_RENEW, 1, self.KEY, self.owner, self.seconds))

    def release(self) -> bool:
        """Give the lease up if this owner holds it; True when it did."""
        if self.client is None:
            return False
        return bool(self.client.eval(self._RELEASE, 1, self.KEY, self.owner))


# Every tick (at the default 15 s): a crashed worker's meldingen are free again once their
# claim's lease runs out (KCC_HUB_OUTBOX_LEASE_SECONDS, 30 s) and re-sent by the next sweep,
# so within lease + sweep (45 s) of the crash. Each sweep is one indexed query.
OUTBOX_SWEEP_SECONDS = 15
# A standby asks for the lease this often: after the holder releases it (on stop), the standby
# takes over within this many seconds; after a crash, once the lease has expired.
STANDBY_POLL_SECONDS = 5.0
MELDING_STATUS_SECONDS = 300
# With the outbox lease under a minute, a crashed worker's row is sent again within a minute.
KLANTCONTACTEN_OUTBOX_SECONDS = 15
HERINNERINGEN_SECONDS = 60
KLANTCONTACTEN_BEWARING_SECONDS = 24 * 3600
LOGBOEK_RETENTION_SECONDS = 24 * 3600
MELDINGEN_BEWARING_SECONDS = 24 * 3600
# Incremental directory syncs miss group membership changes (they change the group, not the
# user) and, without the deleted-objects right, deletions: a nightly full run catches both.
FULL_DIRECTORY_SYNC_SECONDS = 24 * 3600


def periodic_jobs(rt: Runtime) -> list[tuple[str, int, dramatiq.Message[None]]]:
    """(key, interval seconds, message) for the fixed periodic jobs besides plugin syncs."""
    jobs: list[tuple[str, int, dramatiq.Message[None]]] = [
        ("outbox", OUTBOX_SWEEP_SECONDS, sweep_meldingen_outbox.message()),
        (
            "klantcontacten-outbox",
            KLANTCONTACTEN_OUTBOX_SECONDS,
            sweep_klantcontacten_outbox.message(),
        ),
        (
            "contactverzoek-herinneringen",
            HERINNERINGEN_SECONDS,
            plan_contactverzoek_herinneringen.message(),
        ),
    ]
    if rt.tenants.hub.witness is not None:
        jobs.append(
            ("logboek-anker", rt.tenants.hub.witness.interval_seconds, anchor_logboek.message())
        )
    for code in rt.tenants.gemeenten:
        jobs.append(
            (
                f"klantcontacten-bewaring/{code}",
                KLANTCONTACTEN_BEWARING_SECONDS,
                purge_klantcontacten.message(code),
            )
        )
        jobs.append(
            (
                f"logboek-bewaring/{code}",
                LOGBOEK_RETENTION_SECONDS,
                purge_logboek_retention.message(code),
            )
        )
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
            jobs.append(
                (
                    f"meldingen-bewaring/{code}",
                    MELDINGEN_BEWARING_SECONDS,
                    anonymiseer_meldingen.message(code),
                )
            )
    return jobs


def run_forever(
    rt: Runtime,
    stop: threading.Event,
    every_seconds: float = 15.0,
    *,
    lease: Lease | None = None,
    standby_seconds: float = STANDBY_POLL_SECONDS,
) -> None:
    """Schedule until ``stop`` is set, then give the lease up so a standby takes over at once.

    A standby asks for the lease every ``standby_seconds``; the holder renews it every tick.
    """
    lease = lease or Lease(seconds=max(int(every_seconds * 4), 30))
    log.info("scheduler started (lease %s)", lease.owner[:8])
    holding: bool | None = None  # unknown until the first tick
    # Enqueued-but-not-started runs have no sync_runs row yet; remember what we sent.
    sent: dict[tuple[str, str], float] = {}
    try:
        while not stop.is_set():
            try:
                now_holding = lease.held()
                _log_transition(lease, holding, now_holding)
                holding = now_holding
                if not holding:
                    stop.wait(min(every_seconds, standby_seconds))
                    continue
                _tick(rt, sent)
            except Exception:
                log.exception("scheduler tick failed; trying again")
            stop.wait(every_seconds)
    finally:
        if holding and lease.shared:
            try:
                released = lease.release()
            except Exception as exc:  # Redis gone: the lease expires on its own
                log.warning("scheduler could not release its lease: %s", type(exc).__name__)
            else:
                if released:
                    log.info("scheduler stopped and released the lease (%s)", lease.owner[:8])
        log.info("scheduler stopped")


def _log_transition(lease: Lease, before: bool | None, now: bool) -> None:
    if before == now:
        return
    if now and not lease.shared:
        log.info("scheduler active (no Redis: the only scheduler, no lease needed)")
    elif now:
        log.info("scheduler took the lease (%s) and is active", lease.owner[:8])
    elif before:
        log.info("scheduler lost the lease (%s) and is on standby", lease.owner[:8])
    else:
        log.info("scheduler on standby (%s): another scheduler holds the lease", lease.owner[:8])


def _tick(rt: Runtime, sent: dict[tuple[str, str], float]) -> None:
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
