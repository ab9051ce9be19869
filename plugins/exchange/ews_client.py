"""On-premises Exchange through EWS (exchangelib): availability, automatic replies, mail.

Everything EWS-specific lives here; the rest of the plugin sees :class:`MailboxAgenda`.
exchangelib runs with ``FailFast`` so throttling surfaces here and is honoured through
the core's retry policy (:mod:`plugins.exchange.throttling`) with the server's
``BackOffMilliseconds``.
"""

from __future__ import annotations

import threading
import time as monotonic_time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, TypeVar

import requests
from exchangelib import (
    BASIC,
    DELEGATE,
    IMPERSONATION,
    NTLM,
    OAUTH2,
    Account,
    Configuration,
    Credentials,
    EWSDateTime,
    EWSTimeZone,
    ExtendedProperty,
    FailFast,
    Identity,
    Mailbox,
    Message,
    OAuth2Credentials,
)
from exchangelib.errors import (
    CASError,
    ErrorAccessDenied,
    ErrorImpersonateUserDenied,
    ErrorServerBusy,
    EWSError,
    ResponseMessageError,
    TransportError,
    UnauthorizedError,
)
from exchangelib.properties import (
    FreeBusyViewOptions,
    MailboxData,
    SendingAs,
    TimeWindow,
    TimeZone,
)
from exchangelib.protocol import Protocol
from exchangelib.services import GetMailTips, GetUserAvailability
from exchangelib.util import add_xml_child
from oauthlib.oauth2 import OAuth2Error  # type: ignore[import-untyped]

from hub.plugin_sdk import Notification, UpstreamRejected, UpstreamUnavailable
from plugins.exchange.afwezigheidstekst import platte_tekst
from plugins.exchange.agenda import Afwezigheid, Blok, MailboxAgenda, Soort, Werkperiode, Werktijden
from plugins.exchange.config import EwsSettings, ExchangeSettings
from plugins.exchange.throttling import ThrottledError, call_throttled

T = TypeVar("T")

MAX_MAILBOXES = 100  # GetUserAvailability's limit per request
MAX_MAIL_TIPS = 100  # GetMailTips' limit of recipients per request
MERGED_INTERVAL = 30

_SOORT = {
    "Busy": Soort.BEZET,
    "Tentative": Soort.VOORLOPIG,
    "OOF": Soort.AFWEZIG,
    "WorkingElsewhere": Soort.ELDERS,
}


class KccNotificatieId(ExtendedProperty):  # type: ignore[misc]
    """A named MAPI property on sent mail: finds an earlier send of the same notification."""

    property_set_id = "6e3f9b5a-2c1d-4f7e-9a8b-0c5d4e3f2a1b"
    property_name = "KccNotificatieId"
    property_type = "String"


if "kcc_notificatie_id" not in {f.name for f in Message.FIELDS}:
    Message.register("kcc_notificatie_id", KccNotificatieId)


class _AvailabilityPerMailbox(GetUserAvailability):  # type: ignore[misc]
    # exchangelib raises most per-mailbox errors for the whole request; one unreadable
    # mailbox must only make that one 'onbekend'.
    ERRORS_TO_CATCH_IN_RESPONSE = (ResponseMessageError,)


class _OutOfOfficeMailTips(GetMailTips):  # type: ignore[misc]
    # One recipient's failed tip must not fail the other 99; exchangelib turns a response
    # code it does not know into a TransportError, which is per recipient here too.
    ERRORS_TO_CATCH_IN_RESPONSE = (ResponseMessageError, TransportError)

    def get_payload(
        self, recipients: Sequence[Mailbox], sending_as: SendingAs, mail_tips_requested: str
    ) -> Any:
        # exchangelib (5.6) appends MailTipsRequested as bare text, which the schema does not
        # allow and Exchange reads as "no tips": write the element it requires.
        payload = super().get_payload(
            recipients=recipients, sending_as=sending_as, mail_tips_requested=None
        )
        add_xml_child(payload, "m:MailTipsRequested", mail_tips_requested)
        return payload


class _ClientCredentials(OAuth2Credentials):  # type: ignore[misc]
    """Client credentials against a configurable authority and scope (not only Microsoft's)."""

    def __init__(self, *, token_endpoint: str, token_scope: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token_endpoint = token_endpoint
        self.token_scope = token_scope

    @property
    def token_url(self) -> str:
        return self.token_endpoint

    @property
    def scope(self) -> list[str]:
        return [self.token_scope]


class RegelZone(tzinfo):
    """An EWS SerializableTimeZone (bias plus yearly standard/daylight rules) as a tzinfo."""

    def __init__(self, zone: TimeZone) -> None:
        self.bias = int(zone.bias or 0)
        self.standard = zone.standard_time
        self.daylight = zone.daylight_time

    def _transition(self, year: int, rule: Any) -> datetime:
        month = int(rule.iso_month)
        # exchangelib gives ISO weekday numbers (Monday 1) or names, depending on the path.
        weekday = (
            int(rule.weekday) - 1 if str(rule.weekday).isdigit() else _WEEKDAYS.index(rule.weekday)
        )
        first = date(year, month, 1)
        day = first + timedelta(
            days=(weekday - first.weekday()) % 7 + 7 * (int(rule.occurrence) - 1)
        )
        while day.month != month:  # occurrence 5 means the last one
            day -= timedelta(days=7)
        return datetime.combine(day, rule.time)

    def _in_dst(self, local: datetime) -> bool:
        if self.standard is None or self.daylight is None or not self.daylight.bias:
            return False
        naive = local.replace(tzinfo=None)
        start = self._transition(naive.year, self.daylight)
        end = self._transition(naive.year, self.standard)
        if start < end:
            return start <= naive < end
        return naive >= start or naive < end

    def utcoffset(self, dt: datetime | None) -> timedelta:
        if dt is None:
            return timedelta(minutes=-self.bias)
        extra = self.daylight.bias if self._in_dst(dt) and self.daylight is not None else 0
        return timedelta(minutes=-(self.bias + int(extra)))

    def dst(self, dt: datetime | None) -> timedelta:
        if dt is not None and self._in_dst(dt) and self.daylight is not None:
            return timedelta(minutes=-int(self.daylight.bias))
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "EWS"


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _utc(moment: datetime) -> datetime:
    return datetime.fromtimestamp(moment.timestamp(), tz=UTC)


def _translate(exc: BaseException) -> BaseException:
    """Map an exchangelib/transport error to the hub's error types (no secrets, no addresses)."""
    if isinstance(exc, ErrorServerBusy):
        if str(exc).startswith("Reraised from"):
            # exchangelib relabels connection failures as 'busy': an outage, not throttling.
            return UpstreamUnavailable("EWS endpoint not reachable")
        return ThrottledError(float(exc.back_off or 1.0))
    if isinstance(exc, UnauthorizedError | ErrorAccessDenied | ErrorImpersonateUserDenied):
        return UpstreamRejected("EWS refused the credentials or the impersonation right")
    if isinstance(exc, OAuth2Error):
        return UpstreamRejected("the token endpoint refused the client credentials")
    if isinstance(exc, CASError | TransportError | requests.RequestException):
        return UpstreamUnavailable(f"EWS not available ({type(exc).__name__})")
    if isinstance(exc, EWSError):
        return UpstreamRejected(f"EWS refused the request ({type(exc).__name__})")
    return exc


class EwsClient:
    """One gemeente's EWS connection. Thread-safe; exchangelib caches the protocol and token."""

    def __init__(self, settings: ExchangeSettings) -> None:
        if settings.ews is None:
            raise ValueError("EWS settings missing")
        self.settings = settings
        self.ews: EwsSettings = settings.ews
        self.zone = EWSTimeZone(settings.tijdzone)
        self.config = Configuration(
            service_endpoint=str(self.ews.service_endpoint),
            credentials=self._credentials(),
            auth_type={"oauth2": OAUTH2, "ntlm": NTLM, "basic": BASIC}[self.ews.auth],
            retry_policy=FailFast(),
            max_connections=settings.afwezigheid_parallel,
        )
        self._server_zone: dict[int, TimeZone] = {}
        self._oof: dict[str, tuple[float, Afwezigheid | None]] = {}
        self._lock = threading.Lock()
        self._sender: Account | None = None

    def _credentials(self) -> Any:
        ews = self.ews
        if ews.auth == "oauth2":
            assert ews.oauth2 is not None
            return _ClientCredentials(
                client_id=ews.oauth2.client_id,
                client_secret=ews.oauth2.client_secret.resolve(),
                tenant_id=ews.oauth2.tenant_id,
                # App-only tokens must act as a mailbox; server-wide calls act as the sender.
                identity=Identity(primary_smtp_address=self.settings.afzender),
                token_endpoint=ews.oauth2.token_url(),
                token_scope=ews.scope,
            )
        assert ews.username is not None and ews.password is not None
        return Credentials(username=ews.username, password=ews.password.resolve())

    # -- plumbing -------------------------------------------------------------------------
    def _call(self, fn: Callable[[], T]) -> T:
        def attempt() -> T:
            try:
                return fn()
            except Exception as exc:
                translated = _translate(exc)
                if translated is exc:
                    raise
                raise translated from exc

        return call_throttled(attempt)

    def _account(self, email: str) -> Account:
        return Account(
            primary_smtp_address=email,
            config=self.config,
            autodiscover=False,
            access_type=IMPERSONATION if self.ews.impersonation else DELEGATE,
            default_timezone=self.zone,
        )

    @property
    def _protocol(self) -> Any:
        # exchangelib caches one Protocol (sessions, token, server version) per configuration.
        return Protocol(config=self.config)

    def _server_timezone(self, year: int) -> TimeZone:
        # Fetched once per year per client: GetUserAvailability needs the rules, not a name.
        with self._lock:
            cached = self._server_zone.get(year)
        if cached is not None:
            return cached
        definitions = self._call(lambda: list(self._protocol.get_timezones([self.zone], True)))
        definition = definitions[0]
        if isinstance(definition, Exception):
            raise UpstreamRejected("EWS does not know the configured time zone")
        zone = TimeZone.from_server_timezone(tz_definition=definition, for_year=year)
        with self._lock:
            self._server_zone[year] = zone
        return zone

    # -- availability ---------------------------------------------------------------------
    def agendas(self, emails: Sequence[str], van: datetime, tot: datetime) -> list[MailboxAgenda]:
        """Calendars and automatic replies of these mailboxes between ``van`` and ``tot``."""
        start = EWSDateTime.from_datetime(van.astimezone(UTC)).astimezone(self.zone)
        end = EWSDateTime.from_datetime(tot.astimezone(UTC)).astimezone(self.zone)
        server_zone = self._server_timezone(start.year)
        agendas: dict[str, MailboxAgenda] = {}
        for batch in _chunks(list(dict.fromkeys(emails)), MAX_MAILBOXES):

            def ask(batch: list[str] = batch) -> list[Any]:
                return self._free_busy(batch, start, end, server_zone)

            views = self._call(ask)
            for email, view in zip(batch, views, strict=True):
                agendas[email] = self._agenda(email, view)
        readable = [e for e, a in agendas.items() if a.fout is None]
        for email, afwezigheid in zip(readable, self._afwezigheden(readable), strict=True):
            agendas[email] = MailboxAgenda(
                email=email,
                blokken=agendas[email].blokken,
                werktijden=agendas[email].werktijden,
                afwezigheid=afwezigheid,
            )
        return [agendas[e] for e in dict.fromkeys(emails)]

    def _free_busy(
        self, batch: Sequence[str], start: datetime, end: datetime, server_zone: TimeZone
    ) -> list[Any]:
        service = _AvailabilityPerMailbox(
            protocol=self._protocol,
            chunk_size=MAX_MAILBOXES,
            timeout=self.settings.timeout_seconden,
        )
        return list(
            service.call(
                tzinfo=self.zone,
                mailbox_data=[
                    MailboxData(email=email, attendee_type="Required", exclude_conflicts=False)
                    for email in batch
                ],
                timezone=server_zone,
                # FreeBusyMerged: times and busy types only. Subjects never leave Exchange.
                free_busy_view_options=FreeBusyViewOptions(
                    time_window=TimeWindow(start=start, end=end),
                    merged_free_busy_interval=MERGED_INTERVAL,
                    requested_view="FreeBusyMerged",
                ),
            )
        )

    @staticmethod
    def _agenda(email: str, view: Any) -> MailboxAgenda:
        if isinstance(view, Exception):
            return MailboxAgenda(email=email, fout=type(view).__name__)
        blokken = tuple(
            Blok(_utc(event.start), _utc(event.end), _SOORT[event.busy_type])
            for event in view.calendar_events or []
            if event.busy_type in _SOORT and event.start and event.end
        )
        werktijden = None
        if view.working_hours and view.working_hours_timezone is not None:
            werktijden = Werktijden(
                perioden=tuple(
                    Werkperiode(
                        dagen=frozenset(int(d) for d in period.weekdays),
                        start_minuut=period.start.hour * 60 + period.start.minute,
                        eind_minuut=period.end.hour * 60 + period.end.minute,
                    )
                    for period in view.working_hours
                ),
                zone=RegelZone(view.working_hours_timezone),
            )
        return MailboxAgenda(email=email, blokken=blokken, werktijden=werktijden)

    def _afwezigheden(self, emails: Sequence[str]) -> list[Afwezigheid | None]:
        # GetMailTips answers up to 100 recipients per request; automatic replies change
        # rarely, so answers are cached too. Failed or pending tips are not cached.
        now = monotonic_time.monotonic()
        with self._lock:
            cached = {e: v for e, (exp, v) in self._oof.items() if exp > now}
        missing = [e for e in emails if e not in cached]
        expires = now + self.settings.afwezigheid_cache_seconden
        for batch in _chunks(missing, MAX_MAIL_TIPS):

            def ask(batch: list[str] = batch) -> list[Any]:
                return self._mail_tips(batch)

            tips = self._call(ask)
            if len(tips) != len(batch):
                raise UpstreamUnavailable("EWS left mail tips unanswered")
            for email, tip in zip(batch, tips, strict=True):
                value, lasting = _afwezigheid(tip)
                cached[email] = value
                if lasting and self.settings.afwezigheid_cache_seconden:
                    with self._lock:
                        self._oof[email] = (expires, value)
        return [cached[e] for e in emails]

    def _mail_tips(self, batch: Sequence[str]) -> list[Any]:
        service = _OutOfOfficeMailTips(
            protocol=self._protocol,
            chunk_size=MAX_MAIL_TIPS,
            timeout=self.settings.timeout_seconden,
        )
        return list(
            service.call(
                # Asked as the sending mailbox: Exchange answers with the reply that this
                # (internal) sender would get, i.e. the internal automatic reply.
                sending_as=SendingAs(email_address=self.settings.afzender),
                recipients=[Mailbox(email_address=email) for email in batch],
                mail_tips_requested="OutOfOfficeMessage",
            )
        )

    # -- mail -----------------------------------------------------------------------------
    def _sender_account(self) -> Account:
        with self._lock:
            if self._sender is None:
                self._sender = self._account(self.settings.afzender)
            return self._sender

    def _already_sent(self, notification_id: str) -> str | None:
        account = self._sender_account()
        ids = self._call(
            lambda: list(
                account.sent.filter(kcc_notificatie_id=notification_id).values_list("id", flat=True)
            )
        )
        return str(ids[0]) if ids else None

    def send(self, notification: Notification) -> str:
        """Send once per notification id: an earlier send found in Sent Items is not repeated."""
        existing = self._already_sent(notification.id)
        if existing is not None:
            return existing
        account = self._sender_account()
        message = Message(
            account=account,
            subject=notification.subject,
            body=notification.body_text,
            to_recipients=[Mailbox(email_address=address) for address in notification.to],
            kcc_notificatie_id=notification.id,
        )
        self._call(message.send_and_save)
        return self._already_sent(notification.id) or f"ews:{notification.id}"

    def ping(self) -> None:
        """One light request: the server's definition of the configured time zone."""
        self._call(lambda: list(self._protocol.get_timezones([self.zone], False)))


def _afwezigheid(tip: Any) -> tuple[Afwezigheid | None, bool]:
    """One recipient's mail tip as automatic replies, and whether the answer may be cached.

    A tip with a message means automatic replies are on now (with ``Duration`` when
    scheduled); an empty one means off. A failed or pending tip leaves the calendar without
    automatic replies for this refresh only.
    """
    if isinstance(tip, Exception):
        return None, False
    if tip.pending_mail_tips in ("OutOfOfficeMessage", "All"):
        return None, False
    oof = tip.out_of_office
    bericht = platte_tekst(oof.reply_body) if oof is not None else None
    if oof is None or bericht is None:
        return Afwezigheid(aan=False), True
    return Afwezigheid(
        aan=True,
        van=_utc(oof.start) if oof.start else None,
        tot=_utc(oof.end) if oof.end else None,
        bericht=bericht,
    ), True


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
