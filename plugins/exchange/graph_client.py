"""Exchange Online through Microsoft Graph (httpx): getSchedule, mailboxSettings, sendMail.

All Graph wire format lives here. Calendar times are requested in UTC (``Prefer:
outlook.timezone="UTC"``); working hours come with a Windows or IANA zone name and are
evaluated in that zone. Throttling (HTTP 429 with ``Retry-After``) is honoured through
the core's retry policy (``UpstreamUnavailable.retry_after``), per request and per ``$batch``
member (members already answered are cached and not asked again).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from functools import partial
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from exchangelib.winzone import MS_TIMEZONE_TO_IANA_MAP

from hub.plugin_sdk import (
    InvalidRequest,
    Notification,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
    http_transport,
    retry_after_seconds,
)
from plugins.exchange.afwezigheidstekst import platte_tekst
from plugins.exchange.agenda import Afwezigheid, Blok, MailboxAgenda, Soort, Werkperiode, Werktijden
from plugins.exchange.config import ExchangeSettings, GraphSettings
from plugins.exchange.throttling import ThrottledError, call_throttled

MAX_SCHEDULES = 20  # getSchedule: keep to 20 mailboxes per request
MAX_BATCH = 20  # JSON batching limit
MAX_WINDOW = timedelta(days=42)
VIEW_INTERVAL = 30
TOKEN_MARGIN = 300.0  # renew this many seconds before the token expires
# Same property set as the EWS client, so either backend finds mail the other sent.
NOTIFICATIE_PROPERTY = "String {6e3f9b5a-2c1d-4f7e-9a8b-0c5d4e3f2a1b} Name KccNotificatieId"

_SOORT = {
    "busy": Soort.BEZET,
    "tentative": Soort.VOORLOPIG,
    "oof": Soort.AFWEZIG,
    "workingElsewhere": Soort.ELDERS,
}
_DAGEN = {
    "monday": 1,
    "tuesday": 2,
    "wednesday": 3,
    "thursday": 4,
    "friday": 5,
    "saturday": 6,
    "sunday": 7,
}


def _retry_after(response: httpx.Response | dict[str, Any]) -> float:
    headers = response.headers if isinstance(response, httpx.Response) else response
    value = {k.lower(): v for k, v in dict(headers or {}).items()}.get("retry-after")
    asked = retry_after_seconds(value)
    return 1.0 if asked is None else asked  # Graph's throttling without a wait: one second


def _graph_time(value: dict[str, Any]) -> datetime:
    text = value["dateTime"]
    head, _, frac = text.partition(".")
    moment = datetime.fromisoformat(head).replace(microsecond=int((frac + "000000")[:6] or 0))
    return moment.replace(tzinfo=_zone(value.get("timeZone", "UTC"), ZoneInfo("UTC"))).astimezone(
        UTC
    )


def _zone(name: str | None, fallback: ZoneInfo) -> ZoneInfo:
    if not name:
        return fallback
    try:
        return ZoneInfo(MS_TIMEZONE_TO_IANA_MAP.get(name, name))
    except (ZoneInfoNotFoundError, ValueError):
        return fallback


def _minutes(text: str) -> int:
    parsed = clock.fromisoformat(text.split(".", maxsplit=1)[0])
    return parsed.hour * 60 + parsed.minute


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class GraphClient:
    """One gemeente's Graph connection; caches its client-credentials token until expiry."""

    def __init__(self, settings: ExchangeSettings) -> None:
        if settings.graph is None:
            raise ValueError("Graph settings missing")
        self.settings = settings
        self.graph: GraphSettings = settings.graph
        self.base = str(self.graph.base_url).rstrip("/")
        self.zone = ZoneInfo(settings.tijdzone)
        self.http = http_transport.new_http_client(timeout_seconds=settings.timeout_seconden)
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()
        self._oof: dict[str, tuple[float, Afwezigheid | None]] = {}

    def close(self) -> None:
        self.http.close()

    # -- plumbing -------------------------------------------------------------------------
    def _access_token(self, renew: bool = False) -> str:
        with self._lock:
            if not renew and self._token and self._token[1] > time.monotonic():
                return self._token[0]
            oauth = self.graph.oauth2
            try:
                response = self.http.post(
                    oauth.token_url(),
                    data={
                        "grant_type": "client_credentials",
                        "client_id": oauth.client_id,
                        "client_secret": oauth.client_secret.resolve(),
                        "scope": self.graph.scope,
                    },
                )
            except httpx.TimeoutException as exc:
                raise UpstreamTimeout("token endpoint did not answer in time") from exc
            except httpx.TransportError as exc:
                raise UpstreamUnavailable("token endpoint not reachable") from exc
            if response.status_code >= 500:
                raise UpstreamUnavailable(f"token endpoint answered {response.status_code}")
            if response.status_code != 200:
                raise UpstreamRejected("the token endpoint refused the client credentials")
            body = response.json()
            lifetime = float(body.get("expires_in", 3600))
            expires = time.monotonic() + max(lifetime - TOKEN_MARGIN, lifetime / 2)
            self._token = (body["access_token"], expires)
            return self._token[0]

    def _send(
        self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None
    ) -> httpx.Response:
        headers = {"Prefer": 'outlook.timezone="UTC"'}
        for renewed in (False, True):
            headers["Authorization"] = f"Bearer {self._access_token(renew=renewed)}"
            try:
                response = self.http.request(
                    method, self.base + path, json=json, params=params, headers=headers
                )
            except httpx.TimeoutException as exc:
                raise UpstreamTimeout("Microsoft Graph did not answer in time") from exc
            except httpx.TransportError as exc:
                raise UpstreamUnavailable("Microsoft Graph not reachable") from exc
            if response.status_code != 401:
                break
        if response.status_code == 429 or (
            response.status_code == 503 and "retry-after" in response.headers
        ):
            raise ThrottledError(_retry_after(response))
        if response.status_code >= 500:
            raise UpstreamUnavailable(f"Microsoft Graph answered {response.status_code}")
        if response.status_code in (401, 403):
            raise UpstreamRejected("Microsoft Graph refused access (permissions or access policy)")
        if response.status_code >= 400:
            code = _error_code(response)
            raise UpstreamRejected(f"Microsoft Graph refused the request ({code})")
        return response

    def _call(
        self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None
    ) -> httpx.Response:
        return call_throttled(lambda: self._send(method, path, json=json, params=params))

    def _user(self, email: str) -> str:
        return "/users/" + quote(email, safe="@.")

    # -- availability ---------------------------------------------------------------------
    def agendas(self, emails: Sequence[str], van: datetime, tot: datetime) -> list[MailboxAgenda]:
        """Calendars and automatic replies of these mailboxes between ``van`` and ``tot``."""
        if tot - van >= MAX_WINDOW:
            raise InvalidRequest("the window must be shorter than 42 days", field="tot")
        unique = list(dict.fromkeys(emails))
        agendas: dict[str, MailboxAgenda] = {}
        for batch in _chunks(unique, MAX_SCHEDULES):
            response = self._call(
                "POST",
                self._user(self.settings.afzender) + "/calendar/getSchedule",
                json={
                    "schedules": batch,
                    "startTime": {"dateTime": _iso(van), "timeZone": "UTC"},
                    "endTime": {"dateTime": _iso(tot), "timeZone": "UTC"},
                    "availabilityViewInterval": VIEW_INTERVAL,
                },
            )
            by_id = {item.get("scheduleId", "").lower(): item for item in response.json()["value"]}
            for email in batch:
                agendas[email] = self._agenda(email, by_id.get(email.lower()))
        readable = [e for e, a in agendas.items() if a.fout is None]
        afwezigheden = self._afwezigheden(readable)
        for email in readable:
            agenda = agendas[email]
            agendas[email] = MailboxAgenda(
                email=email,
                blokken=agenda.blokken,
                werktijden=agenda.werktijden,
                afwezigheid=afwezigheden.get(email),
            )
        return [agendas[e] for e in unique]

    def _agenda(self, email: str, item: dict[str, Any] | None) -> MailboxAgenda:
        if item is None:
            return MailboxAgenda(email=email, fout="NotReturned")
        if "error" in item:
            return MailboxAgenda(email=email, fout=str(item["error"].get("responseCode", "error")))
        # Only times and the kind of busy: subject, location and attendees are dropped here.
        blokken = tuple(
            Blok(_graph_time(s["start"]), _graph_time(s["end"]), _SOORT[s["status"]])
            for s in item.get("scheduleItems", [])
            if s.get("status") in _SOORT
        )
        werktijden = None
        hours = item.get("workingHours")
        if hours and hours.get("daysOfWeek"):
            zone = _zone((hours.get("timeZone") or {}).get("name"), self.zone)
            werktijden = Werktijden(
                perioden=(
                    Werkperiode(
                        dagen=frozenset(_DAGEN[d.lower()] for d in hours["daysOfWeek"]),
                        start_minuut=_minutes(hours["startTime"]),
                        eind_minuut=_minutes(hours["endTime"]),
                    ),
                ),
                zone=zone,
            )
        return MailboxAgenda(email=email, blokken=blokken, werktijden=werktijden)

    def _afwezigheden(self, emails: Sequence[str]) -> dict[str, Afwezigheid | None]:
        now = time.monotonic()
        with self._lock:
            result = {e: v for e, (exp, v) in self._oof.items() if exp > now and e in set(emails)}
        missing = [e for e in emails if e not in result]

        def ask(pending: list[str]) -> None:
            answers = self._batch_mailbox_settings(pending)
            waits = []
            for email, (status, body, headers) in answers.items():
                if status == 429:
                    waits.append(_retry_after(headers))
                    continue
                result[email] = _afwezigheid(body) if status == 200 else None
            if waits:
                raise ThrottledError(max(waits))

        try:
            for batch in _chunks(missing, MAX_BATCH):
                call_throttled(partial(ask, list(batch)))
        finally:
            # Also when throttled half-way: the core's retry then asks only for the rest.
            if self.settings.afwezigheid_cache_seconden:
                expires = now + self.settings.afwezigheid_cache_seconden
                with self._lock:
                    for email in missing:
                        if email in result:
                            self._oof[email] = (expires, result[email])
        return result

    def _batch_mailbox_settings(
        self, emails: Sequence[str]
    ) -> dict[str, tuple[int, Any, dict[str, Any]]]:
        requests = [
            {
                "id": str(i),
                "method": "GET",
                "url": self._user(email) + "/mailboxSettings/automaticRepliesSetting",
            }
            for i, email in enumerate(emails)
        ]
        response = self._send("POST", "/$batch", json={"requests": requests})
        answers: dict[str, tuple[int, Any, dict[str, Any]]] = {}
        for answer in response.json().get("responses", []):
            email = emails[int(answer["id"])]
            answers[email] = (
                int(answer.get("status", 500)),
                answer.get("body"),
                answer.get("headers") or {},
            )
        missing = [e for e in emails if e not in answers]
        if missing:
            raise UpstreamUnavailable("Microsoft Graph left batch requests unanswered")
        return answers

    # -- mail -----------------------------------------------------------------------------
    def _already_sent(self, notification_id: str) -> str | None:
        escaped = notification_id.replace("'", "''")
        response = self._call(
            "GET",
            self._user(self.settings.afzender) + "/mailFolders/sentitems/messages",
            params={
                "$filter": (
                    f"singleValueExtendedProperties/any(ep: ep/id eq '{NOTIFICATIE_PROPERTY}' "
                    f"and ep/value eq '{escaped}')"
                ),
                "$select": "id",
            },
        )
        found = response.json().get("value", [])
        return str(found[0]["id"]) if found else None

    def send(self, notification: Notification) -> str:
        """Send once per notification id: an earlier send found in Sent Items is not repeated."""
        existing = self._already_sent(notification.id)
        if existing is not None:
            return existing
        self._call(
            "POST",
            self._user(self.settings.afzender) + "/sendMail",
            json={
                "message": {
                    "subject": notification.subject,
                    "body": {"contentType": "Text", "content": notification.body_text},
                    "toRecipients": [{"emailAddress": {"address": a}} for a in notification.to],
                    "singleValueExtendedProperties": [
                        {"id": NOTIFICATIE_PROPERTY, "value": notification.id}
                    ],
                },
                "saveToSentItems": True,
            },
        )
        # sendMail answers 202 without an id; the copy in Sent Items may appear a little later.
        return self._already_sent(notification.id) or f"graph:{notification.id}"

    def ping(self) -> None:
        """One light request with a fresh look at the token: the sender's time zone setting."""
        self._call("GET", self._user(self.settings.afzender) + "/mailboxSettings/timeZone")


def _afwezigheid(body: Any) -> Afwezigheid | None:
    if not isinstance(body, dict) or "status" not in body:
        return None
    status = body["status"]
    if status == "disabled":
        return Afwezigheid(aan=False)
    scheduled = status == "scheduled"
    start = body.get("scheduledStartDateTime")
    end = body.get("scheduledEndDateTime")
    return Afwezigheid(
        aan=True,
        van=_graph_time(start) if scheduled and start else None,
        tot=_graph_time(end) if scheduled and end else None,
        # The internal reply: what EWS mail tips give the sending mailbox, and what any
        # colleague sees in Outlook's mail tip, so both backends show the same text.
        bericht=platte_tekst(body.get("internalReplyMessage")),
    )


def _error_code(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return str(response.status_code)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
