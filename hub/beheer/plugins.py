"""A gemeente's plugins at a glance (health, syncs) and a sync on request; for the API and pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hub import hookspecs
from hub.beschikbaarheid.refresh import HOOK as REFRESH_HOOK
from hub.errors import NotFound
from hub.health import plugin_health
from hub.pluginmanager import PluginHost
from hub.store.db import Store
from hub.sync import state


@dataclass(frozen=True)
class PluginOverzicht:
    naam: str
    versie: str
    omschrijving: str
    capabilities: list[str]
    gezondheid: str
    gezondheid_detail: str | None
    laatste_synchronisatie: datetime | None
    laatste_synchronisatie_status: str | None
    aantal_mislukte_synchronisaties: int
    kan_synchroniseren: bool
    # The core's circuit breaker for this gemeente × plugin (this process's view).
    circuit: str = "closed"
    circuit_opnieuw_over: int | None = None


@dataclass(frozen=True)
class SyncRegel:
    id: int
    plugin: str
    gestart_op: datetime
    beeindigd_op: datetime | None
    status: str
    volledig: bool
    aantal_records: int
    fout: str | None
    aantal_verwijderd: int = 0


def plugin_overzicht(host: PluginHost, store: Store, gemeente: str) -> list[PluginOverzicht]:
    """Every enabled plugin with its health (checked, briefly cached) and its sync record."""
    health = plugin_health(host, gemeente)
    # A calendar plugin's synchronisation is the availability refresh of every mailbox.
    syncable = set(host.enabled(gemeente, hookspecs.kcc_sync)) | set(
        host.enabled(gemeente, REFRESH_HOOK)
    )
    result = []
    with store.session() as session:
        for name in host.enabled(gemeente):
            info = host.loaded.infos[name]
            last = state.last_runs(session, gemeente, name, limit=1)
            ok = state.last_successful(session, gemeente, name)
            h = health[name]
            circuit = host.circuit(gemeente, name)
            result.append(
                PluginOverzicht(
                    naam=name,
                    versie=info.version,
                    omschrijving=info.description,
                    capabilities=sorted(c.value for c in info.capabilities),
                    gezondheid=h.state.value,
                    gezondheid_detail=h.detail or None,
                    laatste_synchronisatie=ok.finished_at if ok else None,
                    laatste_synchronisatie_status=last[0].status if last else None,
                    aantal_mislukte_synchronisaties=state.error_count(session, gemeente, name),
                    kan_synchroniseren=name in syncable,
                    circuit=circuit.state,
                    circuit_opnieuw_over=circuit.retry_after,
                )
            )
    return result


def synchronisaties(
    host: PluginHost, store: Store, gemeente: str, plugin: str | None = None, *, aantal: int = 20
) -> list[SyncRegel]:
    """The latest sync runs of one plugin, or of every enabled plugin (newest first)."""
    namen = [plugin] if plugin is not None else host.enabled(gemeente)
    if plugin is not None and plugin not in host.enabled(gemeente):
        raise NotFound(f"plugin {plugin} is niet ingeschakeld voor deze gemeente")
    regels: list[SyncRegel] = []
    with store.session() as session:
        for naam in namen:
            regels.extend(
                SyncRegel(
                    id=r.id,
                    plugin=naam,
                    gestart_op=r.started_at,
                    beeindigd_op=r.finished_at,
                    status=r.status,
                    volledig=r.full,
                    aantal_records=r.records,
                    fout=r.error,
                    aantal_verwijderd=r.removed,
                )
                for r in state.last_runs(session, gemeente, naam, limit=aantal)
            )
    regels.sort(key=lambda r: r.id, reverse=True)
    return regels[:aantal]


def synchronisatie_aanvragen(host: PluginHost, gemeente: str, plugin: str, volledig: bool) -> str:
    """Queue a sync of ``plugin`` now; the id of the queued message. NotFound if it cannot sync.

    For a calendar plugin (no ``kcc_sync``) that is a refresh of every mailbox's availability,
    which is always complete (see :func:`is_altijd_volledig`).
    """
    from hub.jobs.actors import refresh_beschikbaarheid, sync_plugin

    if plugin in host.enabled(gemeente, hookspecs.kcc_sync):
        return str(sync_plugin.send(gemeente, plugin, volledig).message_id)
    if plugin in host.enabled(gemeente, REFRESH_HOOK):
        return str(refresh_beschikbaarheid.send(gemeente, plugin).message_id)
    raise NotFound(f"plugin {plugin} is niet ingeschakeld of heeft niets te synchroniseren")


def is_altijd_volledig(host: PluginHost, gemeente: str, plugin: str) -> bool:
    """A calendar has no change feed: its synchronisation always covers every mailbox."""
    return plugin not in host.enabled(gemeente, hookspecs.kcc_sync) and plugin in host.enabled(
        gemeente, REFRESH_HOOK
    )
