"""Dramatiq actors. Arguments are ids only (gemeente, plugin, record id): no person data in messages.

Every actor is idempotent: delivery is at-least-once, and a repeated message
does the same work again without doubling its effect (syncs store full state
under stable ids; the outbox looks upstream for the melding before creating it).
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

import dramatiq

import hub.jobs.broker  # noqa: F401  (declares the broker before the actors bind to it)
from hub.beschikbaarheid import calendar_plugins, refresh_recorded
from hub.errors import CapabilityMissing, ConfigurationError, UpstreamUnavailable
from hub.jobs.context import job_runtime
from hub.jobs.limits import one_at_a_time
from hub.klantcontacten import Beleid, plan, purge, te_doen, verwerk
from hub.klantcontacten_settings import KlantcontactenSettings
from hub.meldingen import anonymiseer_melders, pending_outbox, submit_outbox, sync_statuses
from hub.plugin_api import Capability
from hub.privacy.retention import purge_logboek
from hub.privacy.settings import privacy_for
from hub.store.base import utcnow
from hub.sync.runner import SyncAlreadyRunning, run_sync

# A configuration error fails the message at once (recorded as a dead letter): retrying
# cannot fix it, and it is no outage of the upstream.
NOT_RETRIED = (ConfigurationError,)


log = logging.getLogger(__name__)


@dramatiq.actor(queue_name="sync", time_limit=30 * 60 * 1000, throws=NOT_RETRIED)
def sync_plugin(gemeente: str, plugin: str, full: bool = False) -> None:
    """Run one sync of ``plugin`` for ``gemeente``; failures raise and are retried with backoff.

    One sync per gemeente × plugin at a time across all workers: two runs would race on the
    checkpoint. A periodic run that finds one under way is redundant and skipped; an asked-for
    full run waits (is retried) until the other has finished. After a directory sync the
    availability of its medewerkers is refreshed at once (new colleagues get a status).
    """
    with one_at_a_time(f"sync:{gemeente}:{plugin}") as mine:
        if mine:
            rt = job_runtime()
            run_sync(rt, gemeente, plugin, full=full)
            if Capability.MEDEWERKERS in rt.loaded.infos[plugin].capabilities and (
                calendar_plugins(rt, gemeente)
            ):
                refresh_beschikbaarheid.send(gemeente)
        elif full:
            raise SyncAlreadyRunning(f"a sync of {plugin} for {gemeente} is running; retrying")


# One message, one run of the core's retry policy: a melding that still fails stays in the
# outbox with its own backoff (or until its breaker half-opens) and the sweep sends it again
# when due. Dramatiq does not retry on top, so a failing melding is not retried
# policy × Dramatiq × sweep.
@dramatiq.actor(queue_name="outbox", max_retries=0)
def submit_melding(gemeente: str, melding_id: str) -> None:
    """Submit one stored melding upstream; the plugin finds an earlier accepted copy first."""
    rt = job_runtime()
    # Postponed in the outbox (see above) when these are raised: not a dead letter.
    with contextlib.suppress(UpstreamUnavailable, CapabilityMissing):
        submit_outbox(rt.store, rt.host, gemeente, melding_id)


@dramatiq.actor(queue_name="outbox")
def sweep_meldingen_outbox() -> None:
    """Re-enqueue meldingen still waiting in the outbox (after a broker outage or restart)."""
    rt = job_runtime()
    for gemeente, melding_id in pending_outbox(rt.store, limit=500):
        submit_melding.send(gemeente, melding_id)


@dramatiq.actor(queue_name="sync", time_limit=10 * 60 * 1000)
def sync_melding_statuses(gemeente: str) -> None:
    """Refresh the upstream status of a gemeente's open meldingen."""
    rt = job_runtime()
    sync_statuses(rt.store, rt.host, gemeente)


@dramatiq.actor(queue_name="sync", time_limit=15 * 60 * 1000, throws=NOT_RETRIED)
def refresh_beschikbaarheid(gemeente: str, plugin: str | None = None) -> None:
    """Refresh availability of every synced medewerker of a gemeente, in the plugin's batches,
    recorded as a run of the calendar plugin (the first one, unless ``plugin`` names one).

    One refresh per gemeente at a time across all workers, so a slow upstream is not hit by
    overlapping runs (the upstream's own throttling is honoured inside the plugin).
    """
    rt = job_runtime()
    names = [plugin] if plugin else calendar_plugins(rt, gemeente)[:1]
    with one_at_a_time(f"beschikbaarheid:{gemeente}") as mine:
        if mine:
            for name in names:
                refresh_recorded(rt, gemeente, name)


@dramatiq.actor(queue_name="maintenance")
def purge_logboek_retention(gemeente: str) -> None:
    """Remove logboek records past the gemeente's bewaartermijn, leaving a signed checkpoint."""
    rt = job_runtime()
    config = rt.tenants.get(gemeente)
    if config is not None:
        purge_logboek(rt.store, privacy_for(config))


@dramatiq.actor(queue_name="maintenance")
def anonymiseer_meldingen(gemeente: str) -> None:
    """Erase melder contact details of meldingen finished longer ago than the gemeente's term."""
    rt = job_runtime()
    config = rt.tenants.get(gemeente)
    if config is not None:
        dagen = config.meldingen.melder_bewaartermijn_dagen
        erased = anonymiseer_melders(
            rt.store, gemeente, afgerond_voor=utcnow() - timedelta(days=dagen)
        )
        log.info("meldingen of %s: melder erased from %d", gemeente, erased)


@dramatiq.actor(queue_name="maintenance", max_retries=0)
def anchor_logboek() -> None:
    """Write every gemeente's logboek chain head to the configured witness."""
    from hub.privacy.witness import anchor_all, witness_from_settings

    rt = job_runtime()
    settings = rt.tenants.hub.witness
    if settings is None:
        return
    sleutels = [privacy_for(g).sleutels for g in rt.tenants.gemeenten.values()]
    anchor_all(rt.store, sleutels, witness_from_settings(settings))


# One attempt per message: the outbox row keeps its own attempts and backoff and the sweep
# re-sends it when due, so a message that fails is final and its dead letter is listed.
@dramatiq.actor(queue_name="outbox", max_retries=0, time_limit=5 * 60 * 1000)
def verwerk_klantcontact_outbox(gemeente: str, rij_id: str) -> None:
    """Send one queued mail or forwarding of a klantcontact or contactverzoek."""
    rt = job_runtime()
    verwerk(rt.store, rt.host, gemeente, rij_id, Beleid.uit(rt.tenants.hub.outbox))


@dramatiq.actor(queue_name="outbox", max_retries=0)
def sweep_klantcontacten_outbox() -> None:
    """Send what waits in the klantcontacten outbox and is due (broker outage, crashed worker)."""
    rt = job_runtime()
    for gemeente, rij_id in te_doen(rt.store, limit=500):
        verwerk_klantcontact_outbox.send(gemeente, rij_id)


@dramatiq.actor(queue_name="outbox", max_retries=0)
def plan_contactverzoek_herinneringen() -> None:
    """Queue due reminders and escalations (each exactly once) and send them."""
    rt = job_runtime()

    def instellingen(code: str) -> KlantcontactenSettings | None:
        gemeente = rt.tenants.get(code)
        return gemeente.klantcontacten if gemeente else None

    for gemeente, rij_id in plan(rt.store, instellingen):
        verwerk_klantcontact_outbox.send(gemeente, rij_id)


@dramatiq.actor(queue_name="maintenance")
def purge_klantcontacten(gemeente: str) -> None:
    """Delete the gemeente's klantcontacten and handled contactverzoeken past their term."""
    rt = job_runtime()
    config = rt.tenants.get(gemeente)
    if config is not None:
        purge(rt.store, gemeente, config.klantcontacten.bewaartermijn_dagen)


ALL: list[dramatiq.Actor[..., None]] = [
    sync_plugin,
    submit_melding,
    sweep_meldingen_outbox,
    sync_melding_statuses,
    refresh_beschikbaarheid,
    purge_logboek_retention,
    anchor_logboek,
    verwerk_klantcontact_outbox,
    sweep_klantcontacten_outbox,
    plan_contactverzoek_herinneringen,
    purge_klantcontacten,
    anonymiseer_meldingen,
]
