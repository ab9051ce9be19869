"""A worker's claim on an outbox row is a lease in the row's ``geclaimd_tot`` column, renewed
while the work runs: one mechanism for the meldingen outbox and the klantcontacten outbox.

Why a renewed lease instead of one long claim: a worker that dies (``kill -9``, a lost machine)
stops renewing with it, so its rows are free again within one lease (under a minute) and the
next sweep hands them to another worker, while a live worker keeps its row however long a slow
upstream takes. A renewal only extends a claim that has not run out: a lapsed claim may be
another worker's by now.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, update

from hub.store.base import utcnow
from hub.store.db import Store

log = logging.getLogger(__name__)

# A submission that hangs beyond this stops being renewed, so a stuck thread cannot hold a row
# for ever (the job's own time limit normally ends it much sooner).
MAX_HOLD = timedelta(minutes=15)


@contextmanager
def renewed_claim(
    store: Store,
    table: Any,
    where: list[ColumnElement[bool]],
    lease: timedelta,
    *,
    label: str,
) -> Iterator[None]:
    """Renew ``table``'s ``geclaimd_tot`` on the rows matching ``where`` every third of
    ``lease`` while the block runs. ``label`` names the row in log lines (no person data)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=_heartbeat,
        args=(store, table, where, lease, stop, label),
        name=f"claim-lease-{label[:24]}",
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _heartbeat(
    store: Store,
    table: Any,
    where: list[ColumnElement[bool]],
    lease: timedelta,
    stop: threading.Event,
    label: str,
) -> None:
    until = utcnow() + MAX_HOLD
    while not stop.wait(lease.total_seconds() / 3):
        now = utcnow()
        if now >= until:
            log.warning("%s: claim no longer renewed", label)
            return
        try:
            renewed = _renew(store, table, where, lease, now)
        except Exception as exc:  # the store is down: try again at the next beat
            log.warning("claim renewal failed: %s", type(exc).__name__)
            continue
        if not renewed:
            log.warning("%s: claim ran out while working", label)
            return


def _renew(
    store: Store, table: Any, where: list[ColumnElement[bool]], lease: timedelta, now: datetime
) -> bool:
    with store.session() as session:
        result = session.execute(
            update(table)
            .where(*where, table.geclaimd_tot >= now)
            .values(geclaimd_tot=now + lease)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


__all__ = ["MAX_HOLD", "renewed_claim"]
