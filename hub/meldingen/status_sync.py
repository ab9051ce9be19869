"""Keeping stored meldingen in step with the upstream's status.

Fixi cannot list "changed since", so :func:`sync_statuses` asks the plugin that
holds each open melding for its current view. A plugin that *can* list changes
may instead yield ``SyncBatch(kind="meldingstatussen")`` from ``kcc_sync``; the
sink below applies those batches to the same rows.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub import hookspecs
from hub.caller import SYSTEM_CALLER
from hub.domain.meldingen import UpstreamMelding
from hub.errors import NotFound, UpstreamUnavailable
from hub.meldingen.outbox import PluginCaller, _aware
from hub.meldingen.tables import INGEDIEND, MeldingRij
from hub.plugin_api import SyncBatch
from hub.store.base import utcnow
from hub.store.db import Store
from hub.sync.sinks import Sink

log = logging.getLogger(__name__)

GET_HOOK = hookspecs.kcc_get_melding


def sync_statuses(store: Store, plugins: PluginCaller, gemeente: str, *, limit: int = 500) -> int:
    """Refresh the upstream status of the gemeente's open meldingen; returns how many changed.

    The least recently refreshed go first, so a large backlog is worked through over several
    runs. An unreachable upstream stops the run (raised, the job retries later); one melding
    the upstream no longer knows does not.
    """
    with store.session() as session:
        rows = session.execute(
            select(MeldingRij.id, MeldingRij.plugin, MeldingRij.extern_id)
            .where(
                MeldingRij.gemeente == gemeente,
                MeldingRij.status == INGEDIEND,
                MeldingRij.extern_afgesloten.is_(None),
                MeldingRij.extern_id.is_not(None),
            )
            .order_by(MeldingRij.extern_bijgewerkt_op.asc(), MeldingRij.id)
            .limit(limit)
        ).all()
    changed = 0
    for melding_id, plugin, extern_id in rows:
        if plugin not in plugins.enabled(gemeente, GET_HOOK):
            continue
        try:
            upstream = plugins.call(
                plugin, gemeente, GET_HOOK, caller=SYSTEM_CALLER, extern_id=extern_id
            )
        except NotFound:
            upstream = None
        except UpstreamUnavailable:
            raise
        if isinstance(upstream, UpstreamMelding):
            changed += _store_status(store, melding_id, upstream)
        else:
            log.warning("melding %s is unknown upstream in %s", melding_id, plugin)
            _touch(store, melding_id)
    return changed


def _store_status(store: Store, melding_id: str, upstream: UpstreamMelding) -> int:
    with store.session() as session:
        row = session.get(MeldingRij, melding_id)
        if row is None:
            return 0
        before = (row.extern_status, row.extern_afgesloten)
        row.extern_status = upstream.status
        row.extern_afgesloten = _aware(upstream.afgesloten)
        if upstream.aangemaakt is not None:
            row.extern_aangemaakt = _aware(upstream.aangemaakt)
        row.extern_bijgewerkt_op = utcnow()
        return int(before != (row.extern_status, row.extern_afgesloten))


def _touch(store: Store, melding_id: str) -> None:
    with store.session() as session:
        session.execute(
            update(MeldingRij)
            .where(MeldingRij.id == melding_id)
            .values(extern_bijgewerkt_op=utcnow())
        )


def apply_status_batch(
    session: Session, gemeente: str, batch: SyncBatch, _started: datetime
) -> int:
    """Sink for ``meldingstatussen``: upserts are UpstreamMelding records matched on extern_id."""
    written = 0
    for record in batch.upserts:
        upstream = UpstreamMelding.model_validate(record.model_dump())
        result = session.execute(
            update(MeldingRij)
            .where(MeldingRij.gemeente == gemeente, MeldingRij.extern_id == upstream.extern_id)
            .values(
                extern_status=upstream.status,
                extern_afgesloten=_aware(upstream.afgesloten),
                extern_bijgewerkt_op=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        written += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return written


SINK = Sink(kind="meldingstatussen", apply=apply_status_batch)
