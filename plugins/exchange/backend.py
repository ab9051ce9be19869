"""Pick the backend a gemeente configured and turn its calendars into Beschikbaarheid."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from hub.plugin_sdk import Beschikbaarheid, InvalidRequest, Notification
from plugins.exchange.agenda import MailboxAgenda, bereken
from plugins.exchange.config import ExchangeSettings
from plugins.exchange.ews_client import EwsClient
from plugins.exchange.graph_client import GraphClient


class Backend(Protocol):
    """What the plugin needs from EWS or Graph."""

    def agendas(
        self, emails: Sequence[str], van: datetime, tot: datetime
    ) -> list[MailboxAgenda]: ...

    def send(self, notification: Notification) -> str: ...

    def ping(self) -> None: ...


def new_backend(settings: ExchangeSettings) -> Backend:
    """The gemeente's client; the core keeps it between calls (``kcc_build_client``) so
    sessions and tokens are reused until expiry."""
    return EwsClient(settings) if settings.backend == "ews" else GraphClient(settings)


def beschikbaarheden(
    backend: Backend,
    settings: ExchangeSettings,
    emails: Sequence[str],
    van: datetime,
    tot: datetime,
    *,
    nu: datetime | None = None,
) -> list[Beschikbaarheid]:
    """Availability of ``emails`` at ``nu`` (default now); busy blocks from ``van`` to ``tot``."""
    if van.tzinfo is None or tot.tzinfo is None:
        raise InvalidRequest("van and tot need a time zone", field="van")
    nu = (nu or datetime.now(UTC)).replace(microsecond=0)
    zone = ZoneInfo(settings.tijdzone)
    # Ask from now at the latest, so status and next free slot are always computable.
    agendas = backend.agendas(emails, min(van, nu), max(tot, nu + timedelta(hours=1)))
    min_vrij = timedelta(minutes=settings.vrij_slot_minuten)
    return [bereken(a, nu=nu, van=van, tot=tot, min_vrij=min_vrij, zone=zone) for a in agendas]
