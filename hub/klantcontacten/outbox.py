"""The klantcontacten outbox: mail and forwarding happen after the commit, at least once here and
exactly once upstream.

A row is written in the transaction of the change it is about, so it exists exactly when the
change does. A worker *claims* a row with a short lease (``[outbox] lease_seconds``, under a
minute), renewed while it works (:mod:`hub.store.claim_lease`, shared with the meldingen
outbox); a worker that dies holding it lets the lease run out and the next sweep (every 15 s)
hands it to another. The row's id is the notification id (``kcc_send_notification`` is
idempotent per id) or the forwarding key, so a second attempt after an upstream accepted the
first finds it instead of doubling it.

Retrying is the outbox's own: one attempt per job, a failed attempt sets the row's next
attempt with exponential backoff, and the sweep dispatches due rows. A down broker or worker
only delays: rows wait in the store. After ``max_attempts`` the row is ``mislukt``, shown as
such on the contactverzoek, and the job fails so that its dead letter is listed per gemeente.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from hub.domain.klantcontacten import VerzendStatus
from hub.errors import InvalidRequest, KccError
from hub.hookspecs import Hook
from hub.klantcontacten.tables import OutboxRij
from hub.store.base import utcnow
from hub.store.claim_lease import renewed_claim
from hub.store.db import Store
from hub.tenants import Gemeente, OutboxSettings

log = logging.getLogger(__name__)

MAIL = "mail"
REGISTRATIE = "registratie"
WIJZIGING = "wijziging"


class PluginCaller(Protocol):
    """What the outbox needs of :class:`hub.pluginmanager.PluginHost`."""

    gemeenten: dict[str, Gemeente]

    def enabled(self, gemeente: str, hook: Hook | None = None) -> list[str]: ...

    def call(self, plugin: str, gemeente: str, hook: Hook, **kwargs: Any) -> Any: ...


class Wacht(Exception):
    """Not yet possible (e.g. a change waits for the registration it updates); no attempt used."""


class OutboxOpgegeven(KccError):
    """The last attempt failed: the row is ``mislukt`` and this job's dead letter is listed."""

    status = 502
    title = "Verzenden definitief mislukt"


@dataclass(frozen=True)
class Beleid:
    """Lease and retry policy (``[outbox]`` in hub.toml)."""

    lease: timedelta
    max_pogingen: int
    eerste_wachttijd: timedelta
    max_wachttijd: timedelta

    @classmethod
    def uit(cls, settings: OutboxSettings) -> Beleid:
        return cls(
            lease=timedelta(seconds=settings.lease_seconds),
            max_pogingen=settings.max_attempts,
            eerste_wachttijd=timedelta(seconds=settings.first_backoff_seconds),
            max_wachttijd=timedelta(seconds=settings.max_backoff_seconds),
        )

    def wachttijd(self, pogingen: int) -> timedelta:
        factor: int = 2 ** max(0, pogingen - 1)
        return min(self.max_wachttijd, self.eerste_wachttijd * factor)


Dispatcher = Callable[[str, str], None]
_dispatch_to: list[Dispatcher] = []


def set_dispatcher(dispatcher: Dispatcher | None) -> None:
    """Install how a new row becomes a job (the jobs layer sends a Dramatiq message)."""
    _dispatch_to.clear()
    if dispatcher is not None:
        _dispatch_to.append(dispatcher)


def dispatch(gemeente: str, rij_ids: list[str]) -> None:
    """Ask for these rows to be worked on now. A failure loses nothing: the sweep finds them."""
    if not _dispatch_to:
        return
    for rij_id in rij_ids:
        try:
            _dispatch_to[0](gemeente, rij_id)
        except Exception as exc:  # a down broker delays the work, it never fails the request
            log.warning("outbox dispatch failed, the sweep will retry: %s", type(exc).__name__)
            return


def nieuw(
    session: Session,
    *,
    gemeente: str,
    soort: str,
    klantcontact_id: str,
    contactverzoek_id: str | None = None,
    mail_soort: str | None = None,
    ontvangers: tuple[str, ...] | None = None,
    plugin: str | None = None,
    uniek: str | None = None,
    nu: datetime | None = None,
) -> str:
    """Add a row to the caller's transaction; returns its id (the notification id)."""
    rij_id = str(uuid.uuid4())
    session.add(
        OutboxRij(
            id=rij_id,
            gemeente=gemeente,
            soort=soort,
            klantcontact_id=klantcontact_id,
            contactverzoek_id=contactverzoek_id,
            mail_soort=mail_soort,
            ontvangers=list(ontvangers) if ontvangers is not None else None,
            plugin=plugin,
            uniek=uniek,
            status=VerzendStatus.IN_WACHTRIJ.value,
            aangemaakt_op=nu or utcnow(),
            pogingen=0,
        )
    )
    return rij_id


def te_doen(store: Store, *, nu: datetime | None = None, limit: int = 500) -> list[tuple[str, str]]:
    """(gemeente, row id) of rows due for an attempt: unclaimed (or lease run out) and due."""
    moment = nu or utcnow()
    with store.session() as session:
        rows = session.execute(
            select(OutboxRij.gemeente, OutboxRij.id)
            .where(
                OutboxRij.status == VerzendStatus.IN_WACHTRIJ.value,
                or_(OutboxRij.geclaimd_tot.is_(None), OutboxRij.geclaimd_tot < moment),
                or_(OutboxRij.volgende_poging_op.is_(None), OutboxRij.volgende_poging_op <= moment),
            )
            .order_by(OutboxRij.aangemaakt_op)
            .limit(limit)
        )
        return [(g, r) for g, r in rows]


def _claim(store: Store, gemeente: str, rij_id: str, beleid: Beleid, nu: datetime) -> bool:
    with store.session() as session:
        result = session.execute(
            update(OutboxRij)
            .where(
                OutboxRij.id == rij_id,
                OutboxRij.gemeente == gemeente,
                OutboxRij.status == VerzendStatus.IN_WACHTRIJ.value,
                or_(OutboxRij.geclaimd_tot.is_(None), OutboxRij.geclaimd_tot < nu),
            )
            .values(geclaimd_tot=nu + beleid.lease)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


Handler = Callable[[Store, PluginCaller, OutboxRij], str | None]
_HANDLERS: dict[str, Handler] = {}


def register_handler(soort: str, handler: Handler) -> None:
    """The function that does one row's work; returns the upstream's id of the result."""
    _HANDLERS[soort] = handler


def verwerk(
    store: Store,
    plugins: PluginCaller,
    gemeente: str,
    rij_id: str,
    beleid: Beleid,
    *,
    nu: Callable[[], datetime] = utcnow,
) -> str:
    """One attempt at one row. Returns ``verzonden``, ``bezet`` (another worker holds it or it
    is done), ``uitgesteld`` (failed, tried again later) or ``wacht``. Raises
    :class:`OutboxOpgegeven` after the last attempt, so the job's dead letter is listed."""
    if not _claim(store, gemeente, rij_id, beleid, nu()):
        return "bezet"
    with store.session() as session:
        rij = session.get(OutboxRij, rij_id)
        assert rij is not None
        session.expunge(rij)
    handler = _HANDLERS[rij.soort]
    try:
        # Renewed while the upstream works (hub.store.claim_lease), so a slow mail server never
        # hands a live worker's row to a second one; a dead worker's claim runs out in a lease.
        with renewed_claim(
            store,
            OutboxRij,
            [OutboxRij.id == rij_id, OutboxRij.status == VerzendStatus.IN_WACHTRIJ.value],
            beleid.lease,
            label=f"outbox row {rij_id} ({rij.soort}, gemeente {gemeente})",
        ):
            extern_id = handler(store, plugins, rij)
    except Wacht:
        _zet(store, rij_id, geclaimd_tot=None, volgende_poging_op=nu() + beleid.eerste_wachttijd)
        return "wacht"
    except InvalidRequest as exc:
        # The content itself is refused (e.g. an address the mail server rejects): not retried.
        _geef_op(store, rij, exc.detail, nu())
        raise OutboxOpgegeven(f"{rij.soort} {rij_id} geweigerd: {exc.detail}") from exc
    except Exception as exc:
        fout = exc.detail if isinstance(exc, KccError) else "onverwachte fout in de hub"
        if not isinstance(exc, KccError):
            log.exception("outbox row %s (%s) failed unexpectedly", rij_id, rij.soort)
        pogingen = rij.pogingen + 1
        if pogingen >= beleid.max_pogingen:
            _geef_op(store, rij, fout, nu(), pogingen=pogingen)
            raise OutboxOpgegeven(
                f"{rij.soort} {rij_id} na {pogingen} pogingen opgegeven: {fout}"
            ) from exc
        _zet(
            store,
            rij_id,
            geclaimd_tot=None,
            pogingen=pogingen,
            laatste_fout=fout,
            volgende_poging_op=nu() + beleid.wachttijd(pogingen),
        )
        log.info(
            "outbox row %s (%s, gemeente %s) waits after attempt %d: %s",
            rij_id,
            rij.soort,
            gemeente,
            pogingen,
            type(exc).__name__,
        )
        return "uitgesteld"
    _zet(
        store,
        rij_id,
        status=VerzendStatus.VERZONDEN.value,
        verwerkt_op=nu(),
        geclaimd_tot=None,
        pogingen=rij.pogingen + 1,
        laatste_fout=None,
        extern_id=extern_id,
    )
    log.info("outbox row %s (%s, gemeente %s) done", rij_id, rij.soort, gemeente)
    return "verzonden"


def _geef_op(
    store: Store, rij: OutboxRij, fout: str, nu: datetime, *, pogingen: int | None = None
) -> None:
    _zet(
        store,
        rij.id,
        status=VerzendStatus.MISLUKT.value,
        verwerkt_op=nu,
        geclaimd_tot=None,
        pogingen=pogingen if pogingen is not None else rij.pogingen + 1,
        laatste_fout=fout,
    )
    log.warning("outbox row %s (%s, gemeente %s) failed for good", rij.id, rij.soort, rij.gemeente)


def _zet(store: Store, rij_id: str, **values: Any) -> None:
    with store.session() as session:
        session.execute(
            update(OutboxRij)
            .where(OutboxRij.id == rij_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def opnieuw(store: Store, gemeente: str, rij_id: str) -> bool:
    """Put a failed row back in the queue (beheerder, after fixing the cause)."""
    with store.session() as session:
        result = session.execute(
            update(OutboxRij)
            .where(
                OutboxRij.id == rij_id,
                OutboxRij.gemeente == gemeente,
                OutboxRij.status == VerzendStatus.MISLUKT.value,
            )
            .values(
                status=VerzendStatus.IN_WACHTRIJ.value,
                verwerkt_op=None,
                volgende_poging_op=None,
                geclaimd_tot=None,
                pogingen=0,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]
