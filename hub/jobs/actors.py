"""Dramatiq actors. Arguments are ids only (gemeente, plugin), so messages carry no person data.

Every actor is idempotent: delivery is at-least-once, and a repeated message
does the same work again without doubling its effect.
"""

from __future__ import annotations

import dramatiq

import hub.jobs.broker  # noqa: F401  (declares the broker before the actors bind to it)
from hub.jobs.context import job_runtime
from hub.sync.runner import run_sync


@dramatiq.actor(queue_name="sync", time_limit=30 * 60 * 1000)
def sync_plugin(gemeente: str, plugin: str, full: bool = False) -> None:
    """Run one sync of ``plugin`` for ``gemeente``; failures raise and are retried with backoff."""
    run_sync(job_runtime(), gemeente, plugin, full=full)


ALL: list[dramatiq.Actor[..., None]] = [sync_plugin]
