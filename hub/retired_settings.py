"""Settings that a plugin no longer reads, still accepted so old configuration files load.

``max_attempts`` and ``retry_wait_seconds`` of the HTTP plugins went when retries moved to
the core (``plugin_retry_attempts`` in ``hub.toml``, see ``docs/plugins.md``). A file that
still sets them loads; the value is ignored and a warning names the setting and what
replaced it, once per process.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)
_warned: set[tuple[str, str]] = set()

# setting -> what to use instead
RETRY_SETTINGS = {
    "max_attempts": "plugin_retry_attempts in hub.toml (the core's retry policy)",
    "retry_wait_seconds": "the core's retry policy (docs/plugins.md)",
    "max_retry_after": "the core's retry policy (Retry-After is capped at 10 s)",
    "throttle_retries": "plugin_retry_attempts in hub.toml (the core's retry policy)",
    "max_pogingen": "plugin_retry_attempts in hub.toml (the core's retry policy)",
    "max_wachttijd_seconden": "the core's retry policy (a wait over 10 s is not waited for)",
}


def drop_retired(data: Any, plugin: str, retired: Mapping[str, str] = RETRY_SETTINGS) -> Any:
    """``data`` without the retired keys; warns once per plugin and setting. For a pydantic
    ``model_validator(mode="before")``."""
    if not isinstance(data, Mapping):
        return data
    found = [key for key in retired if key in data]
    if not found:
        return data
    for key in found:
        if (plugin, key) not in _warned:
            _warned.add((plugin, key))
            log.warning(
                "[plugins.%s] %s is no longer used and is ignored; use %s",
                plugin,
                key,
                retired[key],
            )
    return {k: v for k, v in data.items() if k not in retired}
