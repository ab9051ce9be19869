"""Circuit breakers per gemeente × plugin (pybreaker), so a dead upstream is not hammered.

After ``failures`` consecutive transient failures (``UpstreamUnavailable``, timeouts
included) of one plugin for one gemeente the breaker **opens**: for ``reset_seconds`` the
core does not call the plugin at all and raises :class:`~hub.errors.CircuitOpen` at once,
carrying the seconds left as ``retry_after`` (the API answers 503 with ``Retry-After``; the
outbox postpones the row to then without counting an attempt). When the time is up the
next call is the **half-open** probe: success closes the breaker, failure opens it again.

Refusals, not-found answers, bad input and configuration errors prove the upstream is up:
they count as successes. The state lives in the process (each API and worker process has
its own breakers: a process learns of an outage from its own calls), is exported as the
gauge ``kcc_hub_plugin_circuit_state`` and shown in ``GET /gemeenten/{code}/plugins``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import pybreaker

from hub.errors import CircuitOpen, UpstreamUnavailable
from hub.metrics import CIRCUIT_STATE

T = TypeVar("T")

CLOSED = pybreaker.STATE_CLOSED
OPEN = pybreaker.STATE_OPEN
HALF_OPEN = pybreaker.STATE_HALF_OPEN
_GAUGE = {CLOSED: 0, HALF_OPEN: 1, OPEN: 2}


@dataclass(frozen=True)
class BreakerPolicy:
    failures: int = 5
    reset_seconds: float = 30.0


@dataclass(frozen=True)
class BreakerState:
    """What ``/plugins`` shows: ``closed``, ``open`` or ``half-open``, and for an open breaker
    the seconds until it lets a probe through."""

    state: str
    retry_after: int | None = None
    failures: int = 0


def _not_an_outage(exc: BaseException) -> bool:
    # pybreaker's exclusion: exceptions for which this is true do not count as failures.
    return not isinstance(exc, UpstreamUnavailable) or isinstance(exc, CircuitOpen)


class _Gauge(pybreaker.CircuitBreakerListener):
    def __init__(self, gemeente: str, plugin: str) -> None:
        self.labels = CIRCUIT_STATE.labels(gemeente=gemeente, plugin=plugin)
        self.labels.set(0)

    def state_change(
        self,
        cb: pybreaker.CircuitBreaker,
        old_state: pybreaker.CircuitBreakerState | None,
        new_state: pybreaker.CircuitBreakerState,
    ) -> None:
        self.labels.set(_GAUGE.get(new_state.name, 0))


class Breakers:
    """The breakers of one process, created on first use."""

    def __init__(self, policy: BreakerPolicy | None = None) -> None:
        self.policy = policy or BreakerPolicy()
        self._breakers: dict[tuple[str, str], pybreaker.CircuitBreaker] = {}
        self._lock = threading.Lock()

    def _breaker(self, gemeente: str, plugin: str) -> pybreaker.CircuitBreaker:
        key = (gemeente, plugin)
        with self._lock:
            breaker = self._breakers.get(key)
            if breaker is None:
                breaker = pybreaker.CircuitBreaker(
                    fail_max=self.policy.failures,
                    reset_timeout=self.policy.reset_seconds,
                    exclude=[_not_an_outage],
                    listeners=[_Gauge(gemeente, plugin)],
                    name=f"{gemeente}:{plugin}",
                    # The call that trips the breaker reports its own error, not the breaker.
                    throw_new_error_on_trip=False,
                )
                self._breakers[key] = breaker
            return breaker

    def call(self, gemeente: str, plugin: str, fn: Callable[[], T]) -> T:
        """``fn()`` through the breaker of ``gemeente`` × ``plugin``; ``CircuitOpen`` while open."""
        breaker = self._breaker(gemeente, plugin)
        try:
            return breaker.call(fn)
        except pybreaker.CircuitBreakerError:
            wait = max(1, self._seconds_left(breaker))
            raise CircuitOpen(
                f"plugin {plugin} wordt even niet gevraagd na herhaalde storingen; "
                f"opnieuw over {wait} s",
                source=plugin,
                retry_after=wait,
            ) from None

    def state(self, gemeente: str, plugin: str) -> BreakerState:
        breaker = self._breaker(gemeente, plugin)
        name = breaker.current_state
        if name == OPEN:
            left = self._seconds_left(breaker)
            # Time is up but nobody called yet: the next call is the probe.
            return BreakerState(
                HALF_OPEN if left <= 0 else OPEN, left or None, breaker.fail_counter
            )
        return BreakerState(name, None, breaker.fail_counter)

    def _seconds_left(self, breaker: pybreaker.CircuitBreaker) -> int:
        opened = breaker._state_storage.opened_at
        if opened is None:
            return math.ceil(breaker.reset_timeout)
        elapsed = (datetime.now(UTC) - opened).total_seconds()
        return max(0, math.ceil(breaker.reset_timeout - elapsed))
