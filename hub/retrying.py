"""The core's one retry policy for plugin calls: exponential backoff with jitter (tenacity).

Applied once, by :class:`hub.pluginmanager.PluginHost`, around each hook call; plugins hold
no retry loops. Only transient failures (``UpstreamUnavailable``, which includes timeouts)
are retried; a refusal (``UpstreamRejected``), bad input, a configuration error or an open
circuit breaker (``CircuitOpen``) never is. When the upstream said how long to wait
(``UpstreamUnavailable.retry_after``, from ``Retry-After``) the wait is exactly that; when
it asks for more than ``retry_after_cap`` (10 s) the core does not wait at all but gives up
at once, so one answer cannot park a request or a worker for long.

Background jobs do not retry on top of this: an outbox row that still fails is postponed
with its own backoff (``hub.meldingen.outbox.backoff``) and picked up by the sweep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from hub.errors import CircuitOpen, UpstreamUnavailable

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently the core tries one hook call."""

    attempts: int = 3
    initial: float = 0.2
    maximum: float = 5.0
    retry_after_cap: float = 10.0

    def wait(self, state: RetryCallState) -> float:
        backoff = wait_exponential_jitter(
            initial=self.initial, max=self.maximum, jitter=self.initial
        )(state)
        exc = state.outcome.exception() if state.outcome else None
        asked = exc.retry_after if isinstance(exc, UpstreamUnavailable) else None
        if asked is not None:
            return max(asked, 0.0)
        return float(backoff)


ONCE = RetryPolicy(attempts=1)


def _transient(exc: BaseException) -> bool:
    return isinstance(exc, UpstreamUnavailable) and not isinstance(exc, CircuitOpen)


def _retried_by(policy: RetryPolicy) -> Callable[[BaseException], bool]:
    def retried(exc: BaseException) -> bool:
        # An upstream that asks for a longer wait than the cap is not waited for: holding a
        # request or a worker that long helps no one; the outbox or next run tries later.
        asked = exc.retry_after if isinstance(exc, UpstreamUnavailable) else None
        return _transient(exc) and (asked is None or asked <= policy.retry_after_cap)

    return retried


def call_with_retries(fn: Callable[[], T], policy: RetryPolicy) -> T:
    """``fn()`` under ``policy``. After more than one failed attempt the last error's detail
    says how many were made (``… (na 3 pogingen)``)."""
    retrying = Retrying(
        stop=stop_after_attempt(policy.attempts),
        wait=policy.wait,
        retry=retry_if_exception(_retried_by(policy)),
        reraise=True,
    )
    try:
        return retrying(fn)
    except UpstreamUnavailable as exc:
        made = int(retrying.statistics.get("attempt_number", 1))
        if made > 1 and _transient(exc):
            exc.detail = f"{exc.detail} (na {made} pogingen)"
            exc.args = (exc.detail,)
        raise
