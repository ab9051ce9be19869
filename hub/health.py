"""Health of plugins' upstreams, cached briefly so dashboards do not hammer a slow upstream."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from hub import hookspecs
from hub.errors import KccError
from hub.plugin_api import Health, HealthState
from hub.pluginmanager import PluginHost

_CACHE_SECONDS = 15.0
_TIMEOUT_SECONDS = 5.0
_cache: dict[tuple[str, str], tuple[float, Health]] = {}
_lock = threading.Lock()
_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="health")


def _check(host: PluginHost, name: str, gemeente: str) -> Health:
    started = time.perf_counter()
    try:
        answer = host.call(name, gemeente, hookspecs.kcc_healthcheck, retry=False)
    except KccError as exc:
        return Health(HealthState.DOWN, exc.detail)
    if not isinstance(answer, Health):
        return Health(HealthState.DEGRADED, "plugin has no health check")
    if answer.latency_ms is None:
        answer = Health(answer.state, answer.detail, (time.perf_counter() - started) * 1000)
    return answer


def plugin_health(host: PluginHost, gemeente: str, *, fresh: bool = False) -> dict[str, Health]:
    """Health per enabled plugin; a check that hangs counts as down after a few seconds."""
    now = time.monotonic()
    results: dict[str, Health] = {}
    pending = {}
    for name in host.enabled(gemeente):
        with _lock:
            cached = _cache.get((gemeente, name))
        if cached and not fresh and now - cached[0] < _CACHE_SECONDS:
            results[name] = cached[1]
        else:
            pending[name] = _pool.submit(_check, host, name, gemeente)
    for name, future in pending.items():
        try:
            health = future.result(timeout=_TIMEOUT_SECONDS)
        except FutureTimeout:
            health = Health(HealthState.DOWN, "health check timed out")
        with _lock:
            _cache[(gemeente, name)] = (time.monotonic(), health)
        results[name] = health
    return results
