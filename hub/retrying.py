"""The core's retry policy for upstream calls: exponential backoff with jitter (tenacity).

Only transient failures (``UpstreamUnavailable``, which includes timeouts) are
retried; a refusal (``UpstreamRejected``) or bad input never is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from hub.errors import UpstreamUnavailable

T = TypeVar("T")


def call_with_retries(
    fn: Callable[[], T], *, attempts: int, initial: float = 0.2, maximum: float = 5.0
) -> T:
    retrying = Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait_exponential_jitter(initial=initial, max=maximum, jitter=initial),
        retry=retry_if_exception_type(UpstreamUnavailable),
        reraise=True,
    )
    return retrying(fn)
