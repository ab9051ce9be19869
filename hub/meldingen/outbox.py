"""Submitting stored meldingen upstream from the outbox: at least once here, exactly once upstream.

The job may run twice for one melding (at-least-once delivery, a sweeper, a
crashed worker): a claim on the outbox row keeps two workers from submitting at
the same time, and the melding's id is the idempotency key handed to the plugin,
which finds an earlier accepted submission instead of filing a second one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import or_, select, update

from hub import hookspecs
from hub.caller import SYSTEM_CALLER
from hub.domain.meldingen import Locatie, Melder, NieuweMelding, UpstreamMelding
from hub.errors import (
    CapabilityMissing,
    CircuitOpen,
    InvalidRequest,
    KccError,
    UpstreamRefusedContent,
    UpstreamUnavailable,
)
from hub.hookspecs import Hook
from hub.meldingen.tables import IN_WACHTRIJ, INGEDIEND, MISLUKT, MeldingRij, OutboxRij
from hub.store.base import utcnow
from hub.store.claim_lease import renewed_claim
from hub.store.db import Store

log = logging.getLogger(__name__)

CREATE_HOOK = hookspecs.kcc_create_melding
MAX_POGINGEN = 50
# A worker's claim on an outbox row is a short lease, renewed while it is still submitting
# (hub.store.claim_lease): a crashed worker's rows are free again within the lease, and the
# sweeper hands them on.
LEASE_ENV = "KCC_HUB_OUTBOX_LEASE_SECONDS"
DEFAULT_LEASE_SECONDS = 30


def claim_lease() -> timedelta:
    """How long a claim lasts unless renewed: ``KCC_HUB_OUTBOX_LEASE_SECONDS`` (1–59, default 30)."""
    raw = os.environ.get(LEASE_ENV, "").strip() or str(DEFAULT_LEASE_SECONDS)
    if not raw.isdigit() or not 1 <= int(raw) <= 59:
        raise ValueError(f"{LEASE_ENV} must be a whole number of seconds from 1 to 59, not {raw!r}")
    return timedelta(seconds=int(raw))


class PluginCaller(Protocol):
    """What the outbox needs of :class:`hub.pluginmanager.PluginHost`."""

    def enabled(self, gemeente: str, hook: Hook | None = None) -> list[str]: ...

    def call(self, plugin: str, gemeente: str, hook: Hook, **kwargs: Any) -> Any: ...


Dispatcher = Callable[[str, str], None]
_dispatch_to: list[Dispatcher] = []


def set_dispatcher(dispatcher: Dispatcher | None) -> None:
    """Install how a new outbox row becomes a job (the jobs layer sends a Dramatiq message)."""
    _dispatch_to.clear()
    if dispatcher is not None:
        _dispatch_to.append(dispatcher)


def dispatch(gemeente: str, melding_id: str) -> bool:
    """Ask for the melding to be submitted now. A failure here loses nothing: the row stays in
    the outbox and :func:`pending_outbox` hands it to the next sweep."""
    if not _dispatch_to:
        return False
    try:
        _dispatch_to[0](gemeente, melding_id)
    except Exception as exc:  # a down broker delays the melding, it never fails the request
        log.warning("outbox dispatch failed, the sweeper will retry: %s", type(exc).__name__)
        return False
    return True


def backoff(pogingen: int) -> timedelta:
    """Wait before the next sweep picks the row again: 30 s, 1 min, 2 min … at most 1 hour."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, pogingen - 1)))


def submit_outbox(store: Store, plugins: PluginCaller, gemeente: str, melding_id: str) -> str:
    """Submit one melding upstream. Idempotent; returns what happened:

    ``ingediend`` (now filed), ``al_verwerkt`` (nothing to do), ``bezet`` (another worker holds
    it), ``mislukt`` (the upstream refused the melding's content; not retried),
    ``uitgesteld`` (refused otherwise, e.g. credentials; the sweeper tries again later).
    Raises ``UpstreamUnavailable`` (and ``CapabilityMissing``) so the job is retried with backoff;
    the row stays in the outbox either way.
    """
    lease = claim_lease()
    now = utcnow()
    with store.session() as session:
        claimed = session.execute(
            update(OutboxRij)
            .where(
                OutboxRij.gemeente == gemeente,
                OutboxRij.melding_id == melding_id,
                OutboxRij.verwerkt_op.is_(None),
                or_(OutboxRij.geclaimd_tot.is_(None), OutboxRij.geclaimd_tot < now),
            )
            .values(geclaimd_tot=now + lease, pogingen=OutboxRij.pogingen + 1)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            current = session.scalars(
                select(OutboxRij).where(
                    OutboxRij.gemeente == gemeente, OutboxRij.melding_id == melding_id
                )
            ).one_or_none()
            if current is not None and current.verwerkt_op is None:
                return "bezet"
            return "al_verwerkt"
        melding = session.get(MeldingRij, melding_id)
        assert melding is not None
        melding.pogingen += 1
        nieuwe = NieuweMelding(
            categorie=melding.categorie,
            omschrijving=melding.omschrijving,
            locatie=Locatie.model_validate(melding.locatie),
            melder=Melder.model_validate(melding.melder) if melding.melder else None,
        )
        pogingen = melding.pogingen

    try:
        with renewed_claim(
            store,
            OutboxRij,
            [OutboxRij.gemeente == gemeente, OutboxRij.melding_id == melding_id],
            lease,
            label=f"melding {melding_id} (gemeente {gemeente})",
        ):
            plugin, upstream = _create(plugins, gemeente, nieuwe, melding_id)
    except (InvalidRequest, UpstreamRefusedContent) as exc:
        # A permanent refusal of the content: retrying forever would change nothing.
        _finish_failed(store, gemeente, melding_id, exc.detail)
        log.warning(
            "melding %s (gemeente %s) refused upstream: %s", melding_id, gemeente, exc.detail
        )
        return "mislukt"
    except CircuitOpen as exc:
        # Nobody was asked: the breaker is open. Not an attempt; due again when it half-opens.
        _defer(store, gemeente, melding_id, exc)
        log.info("melding %s (gemeente %s) deferred: circuit open", melding_id, gemeente)
        raise
    except (UpstreamUnavailable, CapabilityMissing) as exc:
        _postpone(store, gemeente, melding_id, exc.detail, pogingen)
        log.info("melding %s (gemeente %s) waits: %s", melding_id, gemeente, type(exc).__name__)
        raise
    except KccError as exc:
        if pogingen >= MAX_POGINGEN:
            _finish_failed(store, gemeente, melding_id, exc.detail)
            log.warning("melding %s (gemeente %s) given up: %s", melding_id, gemeente, exc.detail)
            return "mislukt"
        _postpone(store, gemeente, melding_id, exc.detail, pogingen)
        log.warning("melding %s (gemeente %s) postponed: %s", melding_id, gemeente, exc.detail)
        return "uitgesteld"
    except Exception:
        _postpone(store, gemeente, melding_id, "onverwachte fout in de hub", pogingen)
        raise

    with store.session() as session:
        row = session.get(MeldingRij, melding_id)
        assert row is not None
        row.status = INGEDIEND
        row.plugin = plugin
        row.ingediend_op = utcnow()
        row.laatste_fout = None
        _apply_upstream(row, upstream)
        outbox = _outbox(session, gemeente, melding_id)
        outbox.verwerkt_op = utcnow()
        outbox.geclaimd_tot = None
        outbox.laatste_fout = None
    log.info("melding %s (gemeente %s) filed in %s", melding_id, gemeente, plugin)
    return "ingediend"


def _create(
    plugins: PluginCaller, gemeente: str, melding: NieuweMelding, melding_id: str
) -> tuple[str, UpstreamMelding]:
    names = plugins.enabled(gemeente, CREATE_HOOK)
    if not names:
        raise CapabilityMissing(f"geen plugin van gemeente {gemeente} kan meldingen indienen")
    for name in names:
        answer = plugins.call(
            name,
            gemeente,
            CREATE_HOOK,
            caller=SYSTEM_CALLER,
            melding=melding,
            # The melding's own id: stable across every retry, unique across gemeenten.
            idempotency_key=melding_id,
        )
        if isinstance(answer, UpstreamMelding):
            return name, answer
    raise CapabilityMissing(f"geen plugin van gemeente {gemeente} nam de melding aan")


def _outbox(session: Any, gemeente: str, melding_id: str) -> OutboxRij:
    row: OutboxRij = session.scalars(
        select(OutboxRij).where(OutboxRij.gemeente == gemeente, OutboxRij.melding_id == melding_id)
    ).one()
    return row


def _postpone(store: Store, gemeente: str, melding_id: str, fout: str, pogingen: int) -> None:
    with store.session() as session:
        melding = session.get(MeldingRij, melding_id)
        assert melding is not None
        melding.laatste_fout = fout
        outbox = _outbox(session, gemeente, melding_id)
        outbox.laatste_fout = fout
        outbox.geclaimd_tot = None
        outbox.volgende_poging_op = utcnow() + backoff(pogingen)


def _defer(store: Store, gemeente: str, melding_id: str, exc: CircuitOpen) -> None:
    """Give back the claim and the attempt it counted; due when the breaker lets a probe by."""
    with store.session() as session:
        melding = session.get(MeldingRij, melding_id)
        assert melding is not None
        melding.pogingen = max(0, melding.pogingen - 1)
        melding.laatste_fout = exc.detail
        outbox = _outbox(session, gemeente, melding_id)
        outbox.pogingen = max(0, outbox.pogingen - 1)
        outbox.laatste_fout = exc.detail
        outbox.geclaimd_tot = None
        outbox.volgende_poging_op = utcnow() + timedelta(seconds=exc.retry_after or 1)


def _finish_failed(store: Store, gemeente: str, melding_id: str, fout: str) -> None:
    with store.session() as session:
        melding = session.get(MeldingRij, melding_id)
        assert melding is not None
        melding.status = MISLUKT
        melding.laatste_fout = fout
        outbox = _outbox(session, gemeente, melding_id)
        outbox.verwerkt_op = utcnow()
        outbox.geclaimd_tot = None
        outbox.laatste_fout = fout


def _apply_upstream(row: MeldingRij, upstream: UpstreamMelding) -> None:
    row.extern_id = upstream.extern_id
    row.extern_status = upstream.status
    row.extern_aangemaakt = _aware(upstream.aangemaakt)
    row.extern_afgesloten = _aware(upstream.afgesloten)
    row.extern_bijgewerkt_op = utcnow()


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def pending_outbox(
    store: Store, *, gemeente: str | None = None, limit: int = 100, now: datetime | None = None
) -> list[tuple[str, str]]:
    """(gemeente, melding_id) of rows due for another attempt: for the periodic sweeper that
    re-dispatches work whose message was lost or whose retries ran out."""
    moment = now or utcnow()
    with store.session() as session:
        stmt = (
            select(OutboxRij.gemeente, OutboxRij.melding_id)
            .where(
                OutboxRij.verwerkt_op.is_(None),
                or_(OutboxRij.geclaimd_tot.is_(None), OutboxRij.geclaimd_tot < moment),
                or_(OutboxRij.volgende_poging_op.is_(None), OutboxRij.volgende_poging_op <= moment),
            )
            .order_by(OutboxRij.id)
            .limit(limit)
        )
        if gemeente is not None:
            stmt = stmt.where(OutboxRij.gemeente == gemeente)
        return [(g, m) for g, m in session.execute(stmt)]


def requeue(store: Store, gemeente: str, melding_id: str) -> None:
    """Put a failed melding back in the queue (beheerder, after fixing the cause)."""
    with store.session() as session:
        melding = session.get(MeldingRij, melding_id)
        if melding is None or melding.gemeente != gemeente or melding.status == INGEDIEND:
            return
        melding.status = IN_WACHTRIJ
        outbox = _outbox(session, gemeente, melding_id)
        outbox.verwerkt_op = None
        outbox.volgende_poging_op = None
        outbox.geclaimd_tot = None
