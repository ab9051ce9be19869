"""The Dramatiq broker: Redis when ``REDIS_URL`` is set, otherwise in-process (embedded default).

Retries use Dramatiq's ``Retries`` middleware (exponential backoff with
jitter). A message that exhausts its retries is recorded per gemeente in the
``dead_letters`` table by :class:`DeadLetterRecorder` (and stays in Redis's own
dead-letter queue when Redis is used).
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Middleware, Retries

log = logging.getLogger(__name__)

MAX_RETRIES = int(os.environ.get("KCC_HUB_JOB_RETRIES", "5"))
MIN_BACKOFF_MS = int(os.environ.get("KCC_HUB_JOB_MIN_BACKOFF_MS", "2000"))
MAX_BACKOFF_MS = int(os.environ.get("KCC_HUB_JOB_MAX_BACKOFF_MS", "600000"))

_lock = threading.Lock()
_worker: dramatiq.Worker | None = None


class DeadLetterRecorder(Middleware):
    """Write a message that failed for good to the store, keyed by its gemeente."""

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        if exception is None or not message.failed:
            return
        from hub.jobs.dead_letter_store import record_dead_letter

        try:
            record_dead_letter(message, exception)
        except Exception:
            log.exception("could not record dead letter %s", message.message_id)


def _middleware_for(
    broker: dramatiq.Broker, max_retries: int, min_backoff_ms: int, max_backoff_ms: int
) -> None:
    for mw in broker.middleware:
        if isinstance(mw, Retries):
            mw.max_retries = max_retries
            mw.min_backoff = min_backoff_ms
            mw.max_backoff = max_backoff_ms
    # "after" hooks run in reverse order: placed before Retries, ours runs after it has
    # decided whether the message failed for good.
    broker.add_middleware(DeadLetterRecorder(), before=Retries)


def make_broker(
    redis_url: str | None,
    *,
    max_retries: int = MAX_RETRIES,
    min_backoff_ms: int = MIN_BACKOFF_MS,
    max_backoff_ms: int = MAX_BACKOFF_MS,
) -> dramatiq.Broker:
    broker: dramatiq.Broker
    if redis_url:
        broker = RedisBroker(url=redis_url, namespace="kcc-hub")  # type: ignore[no-untyped-call]
    else:
        broker = StubBroker()
        broker.emit_after("process_boot")
    _middleware_for(broker, max_retries, min_backoff_ms, max_backoff_ms)
    return broker


def install_broker(redis_url: str | None, **retry_policy: int) -> dramatiq.Broker:
    """Make ``redis_url``'s broker (or an in-process one) current and re-bind every actor to it."""
    broker = make_broker(redis_url, **retry_policy)
    dramatiq.set_broker(broker)
    from hub.jobs import actors

    for actor in actors.ALL:
        actor.broker = broker
        broker.declare_actor(actor)
    return broker


def current_broker() -> dramatiq.Broker:
    return dramatiq.get_broker()


def is_in_process() -> bool:
    return isinstance(dramatiq.get_broker(), StubBroker)


def start_in_process_worker(threads: int = 2) -> dramatiq.Worker:
    """Run jobs in this process (embedded default); idempotent."""
    global _worker
    with _lock:
        if _worker is None:
            _worker = dramatiq.Worker(
                dramatiq.get_broker(), worker_threads=threads, worker_timeout=200
            )
            _worker.start()
        return _worker


def stop_in_process_worker(timeout_seconds: float = 600.0) -> None:
    """Stop the in-process worker; a job still running after the timeout is abandoned
    (delivery is at-least-once and jobs are idempotent, so it runs again later)."""
    global _worker
    with _lock:
        if _worker is not None:
            _worker.stop(timeout=int(timeout_seconds * 1000))
            _worker = None


def broker_reachable() -> bool:
    broker = dramatiq.get_broker()
    if isinstance(broker, RedisBroker):
        try:
            return bool(broker.client.ping())
        except Exception:
            return False
    return True


# Actors bind to the broker current at declaration time; declare one before they are imported.
dramatiq.set_broker(make_broker(os.environ.get("REDIS_URL")))
