"""The availability refresh as a recorded run of the calendar plugin.

A calendar plugin (exchange) has no change feed, so it has no ``kcc_sync``; the
core refreshes every synced medewerker's mailbox through ``kcc_get_beschikbaarheid``
instead. Each refresh is recorded in ``sync_runs`` under the plugin's name, like a
sync: ``/plugins`` and ``/plugins/{naam}/synchronisaties`` show when it last ran
and whether it failed, and a configuration error is marked as one.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from hub import hookspecs
from hub.beschikbaarheid.refresh import HOOK, refresh_gemeente
from hub.errors import ConfigurationError, KccError, NotFound
from hub.pluginmanager import implements
from hub.sync import state

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger(__name__)


def calendar_plugins(rt: Runtime, gemeente: str) -> list[str]:
    """The gemeente's enabled plugins that answer availability questions."""
    return rt.host.enabled(gemeente, HOOK)


def is_calendar_plugin(rt: Runtime, plugin: str) -> bool:
    """A plugin whose 'synchronisation' is the availability refresh (no ``kcc_sync``)."""
    manager = rt.loaded.manager
    return (
        plugin in rt.loaded.infos
        and implements(manager, plugin, HOOK)
        and not implements(manager, plugin, hookspecs.kcc_sync)
    )


def refresh_interval_seconds(rt: Runtime, gemeente: str, plugin: str) -> int | None:
    """How often the scheduler refreshes: ``[sync] <plugin>`` in the gemeente file, else the
    plugin's ``sync_interval_seconds`` setting, else the plugin's default."""
    config = rt.tenants.get(gemeente)
    if config is None:
        return None
    if plugin in config.sync_intervals:
        return config.sync_intervals[plugin]
    configured = getattr(config.plugin_settings.get(plugin), "sync_interval_seconds", None)
    if isinstance(configured, int) and configured > 0:
        return configured
    return rt.loaded.infos[plugin].sync_interval_seconds


def refresh_recorded(rt: Runtime, gemeente: str, plugin: str, *, nu: datetime | None = None) -> int:
    """Refresh every mailbox of the gemeente through ``plugin``, recorded as a run of it.

    Returns the number of mailboxes refreshed; raises the plugin's error after recording
    the failed run.
    """
    if plugin not in calendar_plugins(rt, gemeente):
        raise NotFound(f"plugin {plugin} does not give availability for gemeente {gemeente}")
    with rt.store.session() as session:
        run_id = state.start_run(session, gemeente, plugin, full=True)
    try:
        count = refresh_gemeente(rt.store, rt.host, gemeente, nu=nu)
    except KccError as exc:
        with rt.store.session() as session:
            state.fail_run(
                session,
                run_id,
                f"{type(exc).__name__}: {exc.detail}",
                config_error=isinstance(exc, ConfigurationError),
            )
        raise
    with rt.store.session() as session:
        state.finish_run(session, run_id, records=count)
    log.info("availability %s/%s refreshed: %d mailboxes", gemeente, plugin, count)
    return count
