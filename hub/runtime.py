"""Everything a process of the hub needs, built once at start-up: plugins, config, store, host."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from hub.breakers import BreakerPolicy
from hub.facades.settings import facade_problems
from hub.pluginmanager import LoadedPlugins, PluginHost, load_plugins
from hub.privacy.settings import privacy_problems
from hub.retrying import RetryPolicy
from hub.settings_errors import ConfigError
from hub.store.db import Store, make_engine
from hub.tenants import Tenants, load_tenants
from hub.wiring import install_sinks


def load_configuration(config_dir: Path | None, loaded: LoadedPlugins) -> Tenants:
    """Load ``config/`` and validate it completely: plugin settings, then privacy (policy,
    doelen, logboek keys), so problems surface at start-up rather than on the first request.
    Raises ``ConfigError`` with every problem found."""
    tenants = load_tenants(config_dir, loaded.settings_models())
    problems = privacy_problems(tenants.gemeenten.values())
    problems += facade_problems(tenants.gemeenten.values())
    if problems:
        raise ConfigError(problems)
    return tenants


@dataclass
class Runtime:
    loaded: LoadedPlugins
    tenants: Tenants
    store: Store
    host: PluginHost

    @classmethod
    def build(
        cls,
        *,
        config_dir: Path | None = None,
        database_url: str | None = None,
        extra_plugins: Iterable[tuple[str, ModuleType | object]] = (),
    ) -> Runtime:
        """Load plugins, then validate configuration against their settings models.

        Raises ``ConfigError`` listing every configuration problem.
        """
        install_sinks()
        loaded = load_plugins(extra_plugins)
        tenants = load_configuration(config_dir, loaded)
        store = Store(make_engine(database_url))
        host = PluginHost(
            loaded,
            tenants.gemeenten,
            timeout_seconds=tenants.hub.plugin_timeout_seconds,
            retry_policy=RetryPolicy(attempts=tenants.hub.plugin_retry_attempts),
            breaker_policy=BreakerPolicy(
                failures=tenants.hub.plugin_breaker_failures,
                reset_seconds=tenants.hub.plugin_breaker_reset_seconds,
            ),
        )
        return cls(loaded=loaded, tenants=tenants, store=store, host=host)

    def close(self) -> None:
        """Close what the runtime opened for plugins (their clients); the store stays usable."""
        self.host.close()
