"""Honour Exchange's throttling: wait as asked (BackOffMilliseconds, Retry-After), bounded."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception_type

from hub.plugin_sdk import UpstreamUnavailable

T = TypeVar("T")


class ThrottledError(Exception):
    """The upstream asked us to come back after ``wait`` seconds."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"throttled for {wait:.1f}s")
        self.wait = wait


def _asked_wait(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    return exc.wait if isinstance(exc, ThrottledError) else 1.0


def call_throttled(fn: Callable[[], T], *, attempts: int, max_wait: float) -> T:
    """Call ``fn``; on :class:`ThrottledError` wait the time asked and try again.

    Gives up (``UpstreamUnavailable``) after ``attempts`` tries, or at once when the server
    asks for a longer wait than ``max_wait`` seconds: holding a worker that long helps no one,
    the next scheduled run will try again.
    """

    def stop(state: RetryCallState) -> bool:
        return state.attempt_number >= attempts or _asked_wait(state) > max_wait

    retrying = Retrying(
        stop=stop,
        wait=_asked_wait,
        retry=retry_if_exception_type(ThrottledError),
        reraise=True,
    )
    try:
        return retrying(fn)
    except ThrottledError as exc:
        raise UpstreamUnavailable(
            f"Exchange is throttling requests (asked to wait {exc.wait:.0f}s)"
        ) from exc
