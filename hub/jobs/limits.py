"""Mutual exclusion for jobs: one run per key across all workers (Redis) or this process.

``with one_at_a_time(key) as mine:`` gives ``False`` when another run holds the
key; the caller then skips its work, because the run under way does the same
thing (jobs here are idempotent refreshes).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.rate_limits import ConcurrentRateLimiter
from dramatiq.rate_limits.backends import RedisBackend

log = logging.getLogger(__name__)

_local_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()

# Longest a holder may keep a key if its worker dies without releasing it, milliseconds.
TTL_MS = 15 * 60 * 1000


@contextmanager
def one_at_a_time(key: str) -> Iterator[bool]:
    broker = dramatiq.get_broker()
    if isinstance(broker, RedisBroker):
        backend = RedisBackend(client=broker.client)
        limiter = ConcurrentRateLimiter(backend, f"kcc-hub:{key}", limit=1, ttl=TTL_MS)  # type: ignore[no-untyped-call]
        with limiter.acquire(raise_on_failure=False) as acquired:
            if not acquired:
                log.info("skipping %s: already running elsewhere", key)
            yield bool(acquired)
        return
    with _guard:
        lock = _local_locks.setdefault(key, threading.Lock())
    if not lock.acquire(blocking=False):
        log.info("skipping %s: already running", key)
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
