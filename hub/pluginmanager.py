"""Loading plugins and calling them, one gemeente and one plugin at a time.

Built-in plugins and third-party plugins are found the same way: through the
entry-point group ``kcc_hub.plugins``. A plugin that fails to import or to
describe itself is reported and skipped; the hub still starts. A plugin that
implements a ``kcc_*`` hook the contract does not know is rejected, so typos
fail loudly.
"""

from __future__ import annotations

import contextvars
import logging
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any, TypeVar, overload

import pluggy
from pydantic import BaseModel

from hub import hookspecs
from hub.breakers import BreakerPolicy, Breakers, BreakerState
from hub.caller import Caller
from hub.errors import (
    CapabilityMissing,
    ConfigurationError,
    KccError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from hub.hookspecs import Hook
from hub.metrics import UPSTREAM_CALLS, UPSTREAM_ERRORS, UPSTREAM_LATENCY
from hub.plugin_api import HookContext, PluginInfo
from hub.plugin_clients import ClientRegistry
from hub.retrying import ONCE, RetryPolicy, call_with_retries
from hub.secrets import SecretResolutionError
from hub.tenants import Gemeente

R = TypeVar("R")
# A hook is named by its spec function (``hookspecs.kcc_create_melding``), so an editor
# follows the call into the contract and the answer is typed; a plain name still works.
# Hooks that bypass the circuit breaker: diagnostics must reach a failing upstream, and a
# sync is a generator whose failures surface while the runner iterates it.
_UNGUARDED = frozenset({"kcc_plugin_info", "kcc_healthcheck", "kcc_sync", "kcc_build_client"})


def hook_name(hook: Hook) -> str:
    name = hook if isinstance(hook, str) else hook.__name__
    if not hasattr(hookspecs, name) or not name.startswith("kcc_"):
        raise ValueError(f"{name!r} is no hook of hub.hookspecs")
    return name


log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "kcc_hub.plugins"

# Plugin calls run here so the core can stop waiting for a hanging upstream; the thread
# itself finishes when the plugin's own (shorter) client timeout fires.
_calls = ThreadPoolExecutor(max_workers=32, thread_name_prefix="plugin-call")


@dataclass(frozen=True)
class PluginFailure:
    name: str
    error: str


@dataclass
class LoadedPlugins:
    manager: pluggy.PluginManager
    infos: dict[str, PluginInfo]
    failures: list[PluginFailure] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    def settings_models(self) -> dict[str, type[BaseModel]]:
        return {name: info.settings_model for name, info in self.infos.items()}


def _allowed_names() -> set[str] | None:
    raw = os.environ.get("KCC_HUB_LOAD_PLUGINS")
    if raw is None or not raw.strip():
        return None
    return {name.strip() for name in raw.split(",") if name.strip()}


def _new_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


def load_plugins(extra: Iterable[tuple[str, ModuleType | object]] = ()) -> LoadedPlugins:
    """Load every plugin of the entry-point group (restricted by ``KCC_HUB_LOAD_PLUGINS``).

    ``extra`` registers plugin objects directly (tests, embedding); they go through the
    same checks as entry-point plugins.
    """
    pm = _new_manager()
    loaded = LoadedPlugins(manager=pm, infos={})
    allowed = _allowed_names()
    candidates: list[tuple[str, Callable[[], object], str]] = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if allowed is not None and ep.name not in allowed:
            continue
        candidates.append((ep.name, _loader(ep), f"entry point {ep.value}"))
    # Plugins handed over in code were chosen explicitly by the embedding code; no filter.
    for name, obj in extra:
        candidates.append((name, _constant(obj), "registered in code"))
    for name, load, source in candidates:
        _register(loaded, name, load, source)
    return loaded


def _loader(ep: EntryPoint) -> Callable[[], object]:
    return ep.load


def _constant(obj: object) -> Callable[[], object]:
    return lambda: obj


def _register(loaded: LoadedPlugins, name: str, load: Callable[[], object], source: str) -> None:
    pm = loaded.manager
    if name in loaded.infos:
        loaded.failures.append(PluginFailure(name, "a plugin with this name is already loaded"))
        return
    try:
        module = load()
        pm.register(module, name=name)
    except Exception as exc:  # a broken third-party plugin must never stop the hub
        loaded.failures.append(PluginFailure(name, f"{type(exc).__name__}: {exc}"))
        log.warning("plugin %s could not be loaded: %s", name, type(exc).__name__)
        return
    problem = _check_plugin(pm, name, module)
    if problem is None:
        try:
            info = _call_one(pm, name, "kcc_plugin_info")
            if not isinstance(info, PluginInfo):
                problem = "kcc_plugin_info must return hub.plugin_api.PluginInfo"
            elif info.name != name:
                problem = f"kcc_plugin_info names itself {info.name!r}, registered as {name!r}"
            elif not (
                isinstance(info.settings_model, type) and issubclass(info.settings_model, BaseModel)
            ):
                problem = "settings_model must be a pydantic BaseModel class"
            else:
                loaded.infos[name] = info
                loaded.sources[name] = source
                return
        except Exception as exc:
            problem = f"kcc_plugin_info failed: {type(exc).__name__}: {exc}"
    pm.unregister(name=name)
    loaded.failures.append(PluginFailure(name, problem))
    log.warning("plugin %s rejected: %s", name, problem)


def _check_plugin(pm: pluggy.PluginManager, name: str, module: object) -> str | None:
    """Reject hookimpls that match no hookspec (typos) and plugins without kcc_plugin_info."""
    known = {n for n in dir(hookspecs) if n.startswith("kcc_")}
    impls = {
        attr
        for attr in dir(module)
        if attr.startswith("kcc_") and pm.parse_hookimpl_opts(module, attr) is not None
    }
    unknown = sorted(impls - known)
    if unknown:
        return f"implements unknown hooks: {', '.join(unknown)}"
    if "kcc_plugin_info" not in impls:
        return "does not implement kcc_plugin_info"
    return None


def _call_one(pm: pluggy.PluginManager, name: str, hook: str, **kwargs: Any) -> Any:
    caller = getattr(pm.hook, hook)
    impls = [impl for impl in caller.get_hookimpls() if impl.plugin_name == name]
    if not impls:
        return None
    # Call exactly this plugin's implementation; pluggy passes only the args it declares.
    others = [impl.plugin for impl in caller.get_hookimpls() if impl.plugin_name != name]
    results = pm.subset_hook_caller(hook, remove_plugins=others)(**kwargs)
    # Hooks are not firstresult in the spec; pluggy answers with a list of (at most one) result.
    return results[0] if results else None


def implements(pm: pluggy.PluginManager, name: str, hook: Hook) -> bool:
    hook = hook_name(hook)
    return any(impl.plugin_name == name for impl in getattr(pm.hook, hook).get_hookimpls())


class PluginHost:
    """Calls plugins for one gemeente with their own settings and their core-built client,
    through the core's one retry policy and the breaker of that gemeente × plugin."""

    def __init__(
        self,
        loaded: LoadedPlugins,
        gemeenten: dict[str, Gemeente],
        *,
        retry_attempts: int = 3,
        timeout_seconds: float | None = None,
        retry_policy: RetryPolicy | None = None,
        breaker_policy: BreakerPolicy | None = None,
    ) -> None:
        self.loaded = loaded
        self.gemeenten = gemeenten
        self.retry_policy = retry_policy or RetryPolicy(attempts=retry_attempts)
        self.timeout_seconds = timeout_seconds
        self.breakers = Breakers(breaker_policy)
        self.clients = ClientRegistry(self._build_client)

    @property
    def retry_attempts(self) -> int:
        return self.retry_policy.attempts

    @retry_attempts.setter
    def retry_attempts(self, attempts: int) -> None:
        self.retry_policy = replace(self.retry_policy, attempts=attempts)

    def close(self) -> None:
        """Close every plugin client (shutdown or configuration reload)."""
        self.clients.close()

    def circuit(self, gemeente: str, plugin: str) -> BreakerState:
        return self.breakers.state(gemeente, plugin)

    def _build_client(self, gemeente: str, plugin: str, settings: BaseModel) -> object | None:
        if not implements(self.loaded.manager, plugin, "kcc_build_client"):
            return None
        ctx: HookContext[Any] = HookContext(gemeente=gemeente, settings=settings)
        client: object | None = _call_one(self.loaded.manager, plugin, "kcc_build_client", ctx=ctx)
        return client

    def enabled(self, gemeente: str, hook: Hook | None = None) -> list[str]:
        config = self.gemeenten.get(gemeente)
        if config is None:
            return []
        names = [n for n in config.plugins if n in self.loaded.infos]
        if hook is not None:
            names = [n for n in names if implements(self.loaded.manager, n, hook)]
        return names

    def context(
        self,
        plugin: str,
        gemeente: str,
        *,
        caller: Caller | None = None,
        trace_id: str = "",
        doel: str | None = None,
        verwerkingsactiviteit: str | None = None,
    ) -> HookContext[Any]:
        config = self.gemeenten[gemeente]
        settings = config.plugin_settings[plugin]
        return HookContext(
            gemeente=gemeente,
            settings=settings,
            client=self.clients.get(gemeente, plugin, settings),
            caller=caller,
            trace_id=trace_id,
            doel=doel,
            verwerkingsactiviteit=verwerkingsactiviteit,
        )

    @overload
    def call(
        self,
        plugin: str,
        gemeente: str,
        hook: Callable[..., R],
        *,
        caller: Caller | None = ...,
        trace_id: str = ...,
        doel: str | None = ...,
        verwerkingsactiviteit: str | None = ...,
        retry: bool = ...,
        **kwargs: Any,
    ) -> R: ...

    @overload
    def call(
        self,
        plugin: str,
        gemeente: str,
        hook: str,
        *,
        caller: Caller | None = ...,
        trace_id: str = ...,
        doel: str | None = ...,
        verwerkingsactiviteit: str | None = ...,
        retry: bool = ...,
        **kwargs: Any,
    ) -> Any: ...

    def call(
        self,
        plugin: str,
        gemeente: str,
        hook: Hook,
        *,
        caller: Caller | None = None,
        trace_id: str = "",
        doel: str | None = None,
        verwerkingsactiviteit: str | None = None,
        retry: bool = True,
        **kwargs: Any,
    ) -> Any:
        """Call ``hook`` of ``plugin`` for ``gemeente``: the one place where the retry policy
        and the circuit breaker apply. ``retry=False`` is for diagnostics (health checks)
        and syncs, which are repeated as whole runs."""
        hook = hook_name(hook)

        def attempt() -> Any:
            started = time.perf_counter()
            UPSTREAM_CALLS.labels(plugin=plugin, hook=hook, gemeente=gemeente).inc()
            try:
                # Inside the attempt: building the client may resolve a secret.
                ctx = self.context(
                    plugin,
                    gemeente,
                    caller=caller,
                    trace_id=trace_id,
                    doel=doel,
                    verwerkingsactiviteit=verwerkingsactiviteit,
                )
                return self._bounded(plugin, hook, ctx, kwargs)
            except KccError as exc:
                UPSTREAM_ERRORS.labels(
                    plugin=plugin, hook=hook, gemeente=gemeente, kind=type(exc).__name__
                ).inc()
                if exc.source is None:
                    exc.source = plugin
                raise
            except SecretResolutionError as exc:
                # A secret reference that resolves to nothing: configuration, not an outage.
                UPSTREAM_ERRORS.labels(
                    plugin=plugin, hook=hook, gemeente=gemeente, kind="ConfigurationError"
                ).inc()
                raise ConfigurationError(f"plugin {plugin}: {exc}", source=plugin) from None
            except Exception as exc:
                UPSTREAM_ERRORS.labels(
                    plugin=plugin, hook=hook, gemeente=gemeente, kind="unexpected"
                ).inc()
                # An unexpected plugin error is a failing upstream integration, not a hub crash.
                log.exception("plugin %s failed in %s", plugin, hook)
                raise UpstreamUnavailable(
                    f"plugin {plugin} failed unexpectedly", source=plugin
                ) from exc
            finally:
                UPSTREAM_LATENCY.labels(plugin=plugin, hook=hook).observe(
                    time.perf_counter() - started
                )

        guarded: Callable[[], Any] = attempt
        if hook not in _UNGUARDED:
            guarded = lambda: self.breakers.call(gemeente, plugin, attempt)  # noqa: E731
        return call_with_retries(guarded, self.retry_policy if retry else ONCE)

    def _bounded(
        self, plugin: str, hook: str, ctx: HookContext[Any], kwargs: dict[str, Any]
    ) -> Any:
        """Call the plugin, giving up after ``timeout_seconds`` (not for generators like kcc_sync)."""
        if self.timeout_seconds is None or hook == "kcc_sync":
            return _call_one(self.loaded.manager, plugin, hook, ctx=ctx, **kwargs)
        context = contextvars.copy_context()  # keeps the trace id in the plugin's log lines
        manager = self.loaded.manager

        def invoke() -> Any:
            return _call_one(manager, plugin, hook, ctx=ctx, **kwargs)

        future = _calls.submit(context.run, invoke)
        try:
            return future.result(timeout=self.timeout_seconds)
        except FutureTimeout:
            raise UpstreamTimeout(
                f"plugin {plugin} answered not within {self.timeout_seconds:g} s", source=plugin
            ) from None

    def first(self, gemeente: str, hook: Hook, **kwargs: Any) -> Any:
        """Ask each enabled plugin offering ``hook`` in order; the first non-None answer wins."""
        names = self.enabled(gemeente, hook)
        if not names:
            raise CapabilityMissing(f"no enabled plugin of gemeente {gemeente} offers {hook}")
        for name in names:
            answer = self.call(name, gemeente, hook, **kwargs)
            if answer is not None:
                return answer
        return None

    def collect(self, gemeente: str, hook: Hook, **kwargs: Any) -> list[tuple[str, Any]]:
        """Ask every enabled plugin offering ``hook``; return (plugin, answer) for non-None answers."""
        names = self.enabled(gemeente, hook)
        if not names:
            raise CapabilityMissing(f"no enabled plugin of gemeente {gemeente} offers {hook}")
        answers = []
        for name in names:
            answer = self.call(name, gemeente, hook, **kwargs)
            if answer is not None:
                answers.append((name, answer))
        return answers
