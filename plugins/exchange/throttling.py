"""Exchange's throttling, reported to the core: the wait asked (BackOffMilliseconds,
Retry-After) travels as ``UpstreamUnavailable.retry_after``; the core's retry policy waits
that long and tries again, or gives up at once when the wait is longer than it holds a
caller (``docs/plugins.md``). No retry loop here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from hub.plugin_sdk import UpstreamUnavailable

T = TypeVar("T")


class ThrottledError(Exception):
    """The upstream asked us to come back after ``wait`` seconds."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"throttled for {wait:.1f}s")
        self.wait = wait


def call_throttled(fn: Callable[[], T]) -> T:
    """Call ``fn`` once; a :class:`ThrottledError` becomes ``UpstreamUnavailable`` carrying
    the wait Exchange asked for."""
    try:
        return fn()
    except ThrottledError as exc:
        raise UpstreamUnavailable(
            f"Exchange is throttling requests (asked to wait {exc.wait:.0f}s)",
            retry_after=exc.wait,
        ) from None
