"""A Microsoft Graph v1.0 endpoint on loopback for the calls the exchange plugin makes.

getSchedule (at most 20 schedules, window under 42 days), mailboxSettings, JSON ``$batch``
(at most 20 requests), sendMail and the sent-items lookup by single-value extended property.
Errors use Graph's ``{"error": {"code", "message"}}`` shape; throttling is HTTP 429 with
``Retry-After``. Off-spec requests get 400 with a plain reason.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

from plugins.exchange.double.kalenders import WINDOWS_ZONE, Kalenders, Mailbox, VerzondenMail
from plugins.exchange.double.tokens import TokenIssuer

MAX_SCHEDULES = 20
MAX_BATCH = 20
ZONES = {"UTC": ZoneInfo("UTC"), WINDOWS_ZONE: ZoneInfo("Europe/Berlin")}
STATUS = {
    "Free": "free",
    "Tentative": "tentative",
    "Busy": "busy",
    "OOF": "oof",
    "WorkingElsewhere": "workingElsewhere",
}
OOF_STATUS = {"Disabled": "disabled", "Enabled": "alwaysEnabled", "Scheduled": "scheduled"}
_FILTER = re.compile(
    r"^singleValueExtendedProperties/any\(ep:\s*ep/id eq '(?P<id>[^']+)' and "
    r"ep/value eq '(?P<value>[^']*)'\)$"
)


class GraphProblemError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def _error(status: int, code: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": "00000000-0000-0000-0000-000000000000",
            },
        }
    }


def _graph_dt(moment: datetime, zone: str) -> dict[str, str]:
    local = moment.astimezone(ZONES[zone])
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": zone}


def _parse_graph_dt(value: Any, field: str) -> datetime:
    if not isinstance(value, dict) or "dateTime" not in value or "timeZone" not in value:
        raise GraphProblemError(
            400, "ErrorInvalidParameter", f"{field} needs dateTime and timeZone"
        )
    zone = ZONES.get(value["timeZone"])
    if zone is None:
        raise GraphProblemError(
            400, "ErrorInvalidTimeZone", f"time zone {value['timeZone']} unknown here"
        )
    text = value["dateTime"].split(".")[0]
    return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)


class GraphApi:
    def __init__(self, kalenders: Kalenders, tokens: TokenIssuer):
        self.k = kalenders
        self.tokens = tokens
        self._ids = itertools.count(1)

    # -- routing -------------------------------------------------------------------------
    def dispatch(
        self, method: str, path: str, query: dict[str, str], body: Any, prefer: str | None
    ) -> tuple[int, Any, dict[str, str]]:
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if parts[:1] != ["v1.0"]:
            raise GraphProblemError(404, "NotFound", "only v1.0 is served")
        parts = parts[1:]
        if method == "POST" and parts == ["$batch"]:
            return self.batch(body, prefer)
        if len(parts) < 3 or parts[0] != "users":
            raise GraphProblemError(400, "BadRequest", f"unsupported resource {path}")
        user = parts[1]
        rest = parts[2:]
        if method == "POST" and rest == ["calendar", "getSchedule"]:
            return 200, self.get_schedule(user, body, prefer), {}
        if method == "GET" and rest[:1] == ["mailboxSettings"]:
            return 200, self.mailbox_settings(user, rest[1:], query), {}
        if method == "POST" and rest == ["sendMail"]:
            self.send_mail(user, body)
            return 202, None, {}
        if method == "GET" and rest == ["mailFolders", "sentitems", "messages"]:
            return 200, self.sent_items(user, query), {}
        raise GraphProblemError(400, "BadRequest", f"unsupported {method} {path}")

    def operation_of(self, method: str, path: str) -> str:
        tail = path.rstrip("/").split("/")
        if tail[-1] == "$batch":
            return "batch"
        if "mailboxSettings" in tail:
            return "mailboxSettings"
        if tail[-1] == "messages":
            return "sentItems"
        return tail[-1]

    # -- operations ------------------------------------------------------------------------
    def _mailbox(self, user: str) -> Mailbox:
        code = self.k.fouten.mailbox_fouten.get(user.lower())
        if code == "ErrorAccessDenied":
            raise GraphProblemError(
                403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
            )
        box = self.k.get(user)
        if box is None or code is not None:
            raise GraphProblemError(404, "ErrorInvalidUser", "The requested user is invalid.")
        return box

    def get_schedule(self, user: str, body: Any, prefer: str | None) -> dict[str, Any]:
        self._mailbox(user)
        if not isinstance(body, dict):
            raise GraphProblemError(400, "BadRequest", "a JSON object body is required")
        schedules = body.get("schedules")
        if not isinstance(schedules, list) or not schedules:
            raise GraphProblemError(
                400, "ErrorInvalidParameter", "schedules must be a non-empty array"
            )
        if len(schedules) > MAX_SCHEDULES:
            raise GraphProblemError(
                400, "ErrorInvalidParameter", f"at most {MAX_SCHEDULES} schedules per request"
            )
        start = _parse_graph_dt(body.get("startTime"), "startTime")
        end = _parse_graph_dt(body.get("endTime"), "endTime")
        if not start < end or end - start >= timedelta(days=42):
            raise GraphProblemError(
                400, "ErrorInvalidParameter", "the window must be positive and under 42 days"
            )
        interval = int(body.get("availabilityViewInterval", 30))
        if not 5 <= interval <= 1440:
            raise GraphProblemError(
                400, "ErrorInvalidParameter", "availabilityViewInterval must be 5..1440"
            )
        zone = "UTC"
        if prefer:
            match = re.search(r'outlook\.timezone="([^"]+)"', prefer)
            if match:
                zone = match.group(1)
                if zone not in ZONES:
                    raise GraphProblemError(
                        400, "ErrorInvalidTimeZone", "Prefer time zone unknown here"
                    )
        return {"value": [self._schedule(s, start, end, interval, zone) for s in schedules]}

    def _schedule(
        self, email: str, start: datetime, end: datetime, interval: int, zone: str
    ) -> dict[str, Any]:
        code = self.k.fouten.mailbox_fouten.get(email.lower())
        box = self.k.get(email)
        if box is None or code is not None:
            return {
                "scheduleId": email,
                "error": {
                    "message": "The specified SMTP address cannot be resolved.",
                    "responseCode": code or "ErrorMailRecipientNotFound",
                },
            }
        events = sorted(
            (a for a in box.afspraken if a.end > start and a.start < end), key=lambda a: a.start
        )
        view = []
        slot = start
        rank = {"Free": 0, "Tentative": 1, "Busy": 2, "OOF": 3, "WorkingElsewhere": 4}
        while slot < end:
            value = 0
            for a in events:
                if a.start < slot + timedelta(minutes=interval) and a.end > slot:
                    value = max(value, rank.get(a.busy_type, 2))
            view.append(str(value))
            slot += timedelta(minutes=interval)
        days = {
            "Sunday": "sunday",
            "Monday": "monday",
            "Tuesday": "tuesday",
            "Wednesday": "wednesday",
            "Thursday": "thursday",
            "Friday": "friday",
            "Saturday": "saturday",
        }
        return {
            "scheduleId": email,
            "availabilityView": "".join(view),
            "scheduleItems": [
                {
                    "isPrivate": False,
                    "status": STATUS.get(a.busy_type, "busy"),
                    "subject": a.subject,
                    "location": a.location,
                    "isMeeting": True,
                    "isRecurring": False,
                    "isException": False,
                    "isReminderSet": True,
                    "start": _graph_dt(a.start, zone),
                    "end": _graph_dt(a.end, zone),
                }
                for a in events
            ],
            "workingHours": {
                "daysOfWeek": [days[d] for d in box.werkdagen],
                "startTime": f"{box.werk_start // 60:02d}:{box.werk_start % 60:02d}:00.0000000",
                "endTime": f"{box.werk_eind // 60:02d}:{box.werk_eind % 60:02d}:00.0000000",
                "timeZone": {"name": WINDOWS_ZONE},
            },
        }

    def mailbox_settings(self, user: str, rest: list[str], query: dict[str, str]) -> dict[str, Any]:
        box = self._mailbox(user)
        oof = box.afwezigheid
        reply: dict[str, Any] = {
            "status": OOF_STATUS[oof.state],
            "externalAudience": "all",
            "internalReplyMessage": oof.internal_reply,
            "externalReplyMessage": oof.external_reply,
        }
        if oof.start and oof.end:
            reply["scheduledStartDateTime"] = _graph_dt(oof.start, "UTC")
            reply["scheduledEndDateTime"] = _graph_dt(oof.end, "UTC")
        settings: dict[str, Any] = {
            "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#users('{user}')/mailboxSettings",
            "timeZone": WINDOWS_ZONE,
            "automaticRepliesSetting": reply,
            "language": {"locale": "nl-NL", "displayName": "Nederlands (Nederland)"},
        }
        if rest:
            if rest[0] not in settings:
                raise GraphProblemError(
                    400, "BadRequest", f"unknown mailboxSettings property {rest[0]}"
                )
            value = settings[rest[0]]
            return value if isinstance(value, dict) else {"value": value}
        select = query.get("$select")
        if select:
            fields = {f.strip() for f in select.split(",")}
            unknown = fields - set(settings)
            if unknown:
                raise GraphProblemError(400, "BadRequest", f"unknown $select {sorted(unknown)}")
            return {k: v for k, v in settings.items() if k in fields or k.startswith("@")}
        return settings

    def batch(self, body: Any, prefer: str | None) -> tuple[int, Any, dict[str, str]]:
        if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
            raise GraphProblemError(400, "BadRequest", "a $batch body needs a requests array")
        requests = body["requests"]
        if not requests or len(requests) > MAX_BATCH:
            raise GraphProblemError(400, "BadRequest", f"a $batch holds 1..{MAX_BATCH} requests")
        responses = []
        for request in requests:
            rid = request.get("id")
            method = request.get("method")
            url = request.get("url", "")
            if not rid or method not in ("GET", "POST") or not url.startswith("/"):
                raise GraphProblemError(
                    400, "BadRequest", "each batch request needs id, method and a relative url"
                )
            split = urlsplit(url)
            query = {k: v[0] for k, v in parse_qs(split.query).items()}
            wait_ms = self.k.take_throttle("batch:" + self.operation_of(method, split.path))
            if wait_ms is not None:
                status, payload = _error(429, "ApplicationThrottled", "Too many requests.")
                headers = {"Retry-After": str(max(0, round(wait_ms / 1000)))}
                responses.append({"id": rid, "status": status, "headers": headers, "body": payload})
                continue
            try:
                status, payload, headers = self.dispatch(
                    method, "/v1.0" + split.path, query, request.get("body"), prefer
                )
            except GraphProblemError as problem:
                status, payload = _error(problem.status, problem.code, problem.message)
                headers = problem.headers
            responses.append({"id": rid, "status": status, "headers": headers, "body": payload})
        return 200, {"responses": responses}, {}

    def send_mail(self, user: str, body: Any) -> None:
        self._mailbox(user)
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, dict):
            raise GraphProblemError(400, "ErrorInvalidRequest", "sendMail needs a message")
        to = tuple(r["emailAddress"]["address"] for r in message.get("toRecipients", []))
        if not to:
            raise GraphProblemError(
                400, "ErrorInvalidRecipients", "At least one recipient is not valid."
            )
        if message.get("body", {}).get("contentType") not in ("text", "html", "Text", "HTML"):
            raise GraphProblemError(
                400, "ErrorInvalidRequest", "body.contentType must be text or html"
            )
        notification_id = None
        for prop in message.get("singleValueExtendedProperties", []):
            if prop.get("id", "").endswith("Name KccNotificatieId"):
                notification_id = prop.get("value")
        self.k.send(
            VerzondenMail(
                id=f"AAMkAG{next(self._ids):08d}=",
                sender=user,
                to=to,
                subject=message.get("subject", ""),
                body=message["body"]["content"],
                notification_id=notification_id,
            )
        )

    def sent_items(self, user: str, query: dict[str, str]) -> dict[str, Any]:
        self._mailbox(user)
        match = _FILTER.match(query.get("$filter", ""))
        if not match:
            raise GraphProblemError(
                400, "BadRequest", "only the extended-property $filter is supported here"
            )
        found = self.k.sent_with(user, match.group("value"))
        return {"value": [{"id": found.id, "subject": found.subject}] if found else []}


def make_handler(api: GraphApi, tokens: TokenIssuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in separate writes; without this, Nagle plus delayed
            # ACKs add 40 ms to every keep-alive request.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _graph_reply(
            self, status: int, payload: Any, headers: dict[str, str] | None = None
        ) -> None:
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            if payload is not None:
                self.send_header("Content-Type", "application/json")
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _graph_handle(self, method: str) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length) if length else b""
            k = api.k
            if k.fouten.down:
                self.close_connection = True
                self.connection.close()
                return
            split = urlsplit(self.path)
            if method == "POST" and split.path.endswith("/oauth2/v2.0/token"):
                status, text = tokens.handle(raw)
                k.tokens_uitgegeven = tokens.issued
                self._graph_reply(status, json.loads(text))
                return
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("Bearer ") or not tokens.valid(auth[7:]):
                self._graph_reply(
                    *_error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
                )
                return
            operation = api.operation_of(method, split.path)
            body: Any = None
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    self._graph_reply(*_error(400, "BadRequest", "body is not JSON"))
                    return
            mailboxes = len(body.get("schedules", [])) if isinstance(body, dict) else 0
            if operation == "batch" and isinstance(body, dict):
                mailboxes = len(body.get("requests", []))
            k.record(operation, mailboxes)
            if k.fouten.latency:
                time.sleep(k.fouten.latency)
            if k.take(k.fouten.http_500, operation):
                self._graph_reply(*_error(500, "InternalServerError", "Internal server error."))
                return
            wait_ms = k.take_throttle(operation)
            if wait_ms is not None:
                status, payload = _error(429, "ApplicationThrottled", "Too many requests.")
                self._graph_reply(
                    status, payload, {"Retry-After": str(max(0, round(wait_ms / 1000)))}
                )
                return
            query = {key: v[0] for key, v in parse_qs(split.query).items()}
            try:
                status, payload, headers = api.dispatch(
                    method, split.path, query, body, self.headers.get("Prefer")
                )
            except GraphProblemError as problem:
                status, payload = _error(problem.status, problem.code, problem.message)
                headers = problem.headers
            if k.take(k.fouten.fail_after_commit, operation):
                self._graph_reply(*_error(500, "InternalServerError", "Internal server error."))
                return
            self._graph_reply(status, payload, headers)

        def do_GET(self) -> None:
            self._graph_handle("GET")

        def do_POST(self) -> None:
            self._graph_handle("POST")

    return Handler
