"""An EWS SOAP endpoint on loopback that answers what exchangelib really sends.

Shaped after Microsoft's published EWS schema (messages.xsd / types.xsd): element names,
namespaces, ResponseClass/ResponseCode, SOAP faults with ``BackOffMilliseconds`` for
``ErrorServerBusy``, and the ``ServerVersionInfo`` header exchangelib reads to settle the
server version. Operations: ConvertId (exchangelib's version probe), GetServerTimeZones,
GetUserAvailability (here), GetUserOofSettings and GetMailTips (:mod:`.ews_oof`), GetFolder
(distinguished folders), FindItem (sent items by extended property) and CreateItem
(SendAndSaveCopy) (:mod:`.ews_mail`).

Requests that are off-schema for what this double knows (unknown operation, more than 100
mailboxes in one GetUserAvailability or GetMailTips, a missing element) get HTTP 400 with a
plain reason, so a test sees client drift immediately.
"""

from __future__ import annotations

import base64
import itertools
import socket
import time
from datetime import UTC, date, datetime, timedelta
from html import escape
from http.server import BaseHTTPRequestHandler
from typing import Any
from xml.etree import ElementTree as ET

from plugins.exchange.double.ews_mail import MailOperations
from plugins.exchange.double.ews_oof import AutomaticReplies
from plugins.exchange.double.ews_soap import (
    MAX_MAILBOXES,
    NS,
    E,
    M,
    OffSpecError,
    S,
    T,
    error_message,
    text_of,
)
from plugins.exchange.double.kalenders import WEEKDAYS, Kalenders
from plugins.exchange.double.tokens import TokenIssuer

VERSION_HEADER = (
    f'<h:ServerVersionInfo xmlns:h="{T}" MajorVersion="15" MinorVersion="1" '
    'MajorBuildNumber="2507" MinorBuildNumber="6" Version="Exchange2016"/>'
)

W_EUROPE = """<t:TimeZoneDefinition Id="W. Europe Standard Time"
 Name="(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna">
 <t:Periods>
  <t:Period Bias="-PT1H" Name="Standard"
   Id="trule:Microsoft/Registry/W. Europe Standard Time/1-Standard"/>
  <t:Period Bias="-PT2H" Name="Daylight"
   Id="trule:Microsoft/Registry/W. Europe Standard Time/1-Daylight"/>
 </t:Periods>
 <t:TransitionsGroups>
  <t:TransitionsGroup Id="0">
   <t:RecurringDayTransition>
    <t:To Kind="Period">trule:Microsoft/Registry/W. Europe Standard Time/1-Daylight</t:To>
    <t:TimeOffset>PT2H</t:TimeOffset><t:Month>3</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek>
    <t:Occurrence>-1</t:Occurrence>
   </t:RecurringDayTransition>
   <t:RecurringDayTransition>
    <t:To Kind="Period">trule:Microsoft/Registry/W. Europe Standard Time/1-Standard</t:To>
    <t:TimeOffset>PT3H</t:TimeOffset><t:Month>10</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek>
    <t:Occurrence>-1</t:Occurrence>
   </t:RecurringDayTransition>
  </t:TransitionsGroup>
 </t:TransitionsGroups>
 <t:Transitions><t:Transition><t:To Kind="Group">0</t:To></t:Transition></t:Transitions>
</t:TimeZoneDefinition>"""

# The mailbox time zone as GetUserAvailability's WorkingHours carries it (SerializableTimeZone).
W_EUROPE_SERIALIZABLE = (
    "<t:TimeZone><t:Bias>-60</t:Bias>"
    "<t:StandardTime><t:Bias>0</t:Bias><t:Time>03:00:00</t:Time><t:DayOrder>5</t:DayOrder>"
    "<t:Month>10</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek></t:StandardTime>"
    "<t:DaylightTime><t:Bias>-60</t:Bias><t:Time>02:00:00</t:Time><t:DayOrder>5</t:DayOrder>"
    "<t:Month>3</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek></t:DaylightTime></t:TimeZone>"
)


class SerializableZone:
    """Local time for a UTC instant under an EWS SerializableTimeZone (Bias + two yearly rules)."""

    def __init__(self, elem: ET.Element | None) -> None:
        self.bias = 0
        self.rules: dict[str, tuple[int, int, int, int, int]] = {}
        if elem is None:
            return
        self.bias = int(text_of(elem, "t:Bias"))
        for name in ("StandardTime", "DaylightTime"):
            rule = elem.find(f"t:{name}", NS)
            if rule is None:
                continue
            hh, mm, *_ = (int(p) for p in text_of(rule, "t:Time").split(":"))
            self.rules[name] = (
                int(text_of(rule, "t:Bias")),
                hh * 60 + mm,
                int(text_of(rule, "t:DayOrder")),
                int(text_of(rule, "t:Month")),
                WEEKDAYS.index(text_of(rule, "t:DayOfWeek")),
            )

    @staticmethod
    def _transition(year: int, rule: tuple[int, int, int, int, int]) -> datetime:
        _bias, minutes, order, month, weekday = rule
        first = date(year, month, 1)
        # EWS weekday: Sunday=0; Python: Monday=0.
        delta = (weekday - (first.weekday() + 1) % 7) % 7
        day = first + timedelta(days=delta + 7 * (order - 1))
        while day.month != month:  # DayOrder 5 means "last"
            day -= timedelta(days=7)
        return datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)

    def to_local(self, moment: datetime) -> datetime:
        utc = moment.astimezone(UTC).replace(tzinfo=None)
        std = self.rules.get("StandardTime")
        dst = self.rules.get("DaylightTime")
        standard_local = utc - timedelta(minutes=self.bias)
        if std and dst and dst[0] != 0:
            daylight_local = standard_local - timedelta(minutes=dst[0])
            # Each rule's time is wall time before the change: standard time for the start
            # of daylight saving, daylight time for its end.
            start = self._transition(utc.year, dst)
            end = self._transition(utc.year, std)
            if standard_local >= start and daylight_local < end:
                return daylight_local
        return standard_local

    def from_local(self, local: datetime) -> datetime:
        guess = local + timedelta(minutes=self.bias)
        offset = self.to_local(guess.replace(tzinfo=UTC)) - guess
        return (local - offset).replace(tzinfo=UTC)


def _local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _parse_dt(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed


class EwsHandler(AutomaticReplies, MailOperations):
    """Turns one SOAP request into (status, body). Pure apart from the shared Kalenders."""

    def __init__(self, kalenders: Kalenders, tokens: TokenIssuer, basic: tuple[str, str] | None):
        self.k = kalenders
        self.tokens = tokens
        self.basic = basic
        self._ids = itertools.count(1)

    def authorized(self, header: str | None) -> bool:
        if not header:
            return False
        if header.startswith("Bearer "):
            return self.tokens.valid(header[7:])
        if header.startswith("Basic ") and self.basic:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            return (user, password) == self.basic
        return False

    def handle(self, body: bytes) -> tuple[int, str]:
        try:
            # Loopback test double: the XML comes from our own client under test.
            root = ET.fromstring(body)  # noqa: S314
        except ET.ParseError as exc:
            return 400, f"request is not XML: {exc}"
        soap_body = root.find("s:Body", NS)
        if root.tag != f"{{{S}}}Envelope" or soap_body is None or len(soap_body) == 0:
            return 400, "not a SOAP 1.1 envelope with a Body"
        header = root.find("s:Header", NS)
        if header is None or header.find("t:RequestServerVersion", NS) is None:
            return 400, "missing t:RequestServerVersion header"
        request = soap_body[0]
        operation = request.tag.split("}")[-1]
        operation = operation.removesuffix("Request")
        if request.tag.split("}")[0].strip("{") != M:
            return 400, f"{operation} is not in the messages namespace"
        impersonated = header.find(
            "t:ExchangeImpersonation/t:ConnectingSID/t:PrimarySmtpAddress", NS
        )
        acting_as = impersonated.text if impersonated is not None and impersonated.text else None
        self.k.record(operation, self._mailbox_count(request), acting_as)
        if self.k.fouten.latency:
            time.sleep(self.k.fouten.latency)
        if self.k.take(self.k.fouten.http_500, operation):
            return 500, "Internal Server Error"
        back_off = self.k.take_throttle(operation)
        if back_off is not None:
            return 500, self._server_busy(back_off)
        handlers = {
            "ConvertId": self.convert_id,
            "GetServerTimeZones": self.get_server_time_zones,
            "GetUserAvailability": self.get_user_availability,
            "GetUserOofSettings": self.get_user_oof_settings,
            "GetMailTips": self.get_mail_tips,
            "GetFolder": self.get_folder,
            "FindItem": self.find_item,
            "CreateItem": self.create_item,
        }
        handler = handlers.get(operation)
        if handler is None:
            return 400, f"operation {operation} is not supported by this double"
        try:
            payload = handler(request, acting_as)
        except OffSpecError as exc:
            return 400, str(exc)
        if self.k.take(self.k.fouten.fail_after_commit, operation):
            return 500, "Internal Server Error"
        return 200, self._envelope(payload)

    @staticmethod
    def _mailbox_count(request: ET.Element) -> int:
        return len(request.findall("m:MailboxDataArray/t:MailboxData", NS)) + len(
            request.findall("m:Recipients/t:Mailbox", NS)
        )

    @staticmethod
    def _envelope(payload: str) -> str:
        return (
            f'<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{S}">'
            f"<s:Header>{VERSION_HEADER}</s:Header>"
            f'<s:Body xmlns:m="{M}" xmlns:t="{T}">{payload}</s:Body></s:Envelope>'
        )

    @staticmethod
    def _server_busy(back_off_ms: int) -> str:
        text = "The server cannot service this request right now. Try again later."
        return (
            f'<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{S}"><s:Body><s:Fault>'
            f'<faultcode xmlns:a="{T}">a:ErrorServerBusy</faultcode>'
            f'<faultstring xml:lang="en-US">{text}</faultstring><detail>'
            f'<e:ResponseCode xmlns:e="{E}">ErrorServerBusy</e:ResponseCode>'
            f'<e:Message xmlns:e="{E}">{text}</e:Message>'
            f'<t:MessageXml xmlns:t="{T}"><t:Value Name="BackOffMilliseconds">{back_off_ms}'
            "</t:Value></t:MessageXml></detail></s:Fault></s:Body></s:Envelope>"
        )

    def convert_id(self, request: ET.Element, _acting_as: str | None) -> str:
        # exchangelib sends a dummy id to learn the server version; real servers call it malformed.
        messages = "".join(
            error_message("ConvertIdResponseMessage", "ErrorInvalidIdMalformed", "Id is malformed.")
            for _ in request.findall("m:SourceIds/*", NS)
        )
        return (
            f"<m:ConvertIdResponse><m:ResponseMessages>{messages}</m:ResponseMessages>"
            "</m:ConvertIdResponse>"
        )

    def get_server_time_zones(self, request: ET.Element, _acting_as: str | None) -> str:
        ids = [i.text for i in request.findall("m:Ids/t:Id", NS)]
        unknown = [i for i in ids if i not in ("W. Europe Standard Time",)]
        if unknown:
            return (
                "<m:GetServerTimeZonesResponse><m:ResponseMessages>"
                + error_message(
                    "GetServerTimeZonesResponseMessage",
                    "ErrorTimeZone",
                    "The time zone is not known to this double.",
                )
                + "</m:ResponseMessages></m:GetServerTimeZonesResponse>"
            )
        return (
            "<m:GetServerTimeZonesResponse><m:ResponseMessages>"
            '<m:GetServerTimeZonesResponseMessage ResponseClass="Success">'
            "<m:ResponseCode>NoError</m:ResponseCode>"
            f"<m:TimeZoneDefinitions>{W_EUROPE}</m:TimeZoneDefinitions>"
            "</m:GetServerTimeZonesResponseMessage></m:ResponseMessages></m:GetServerTimeZonesResponse>"
        )

    def get_user_availability(self, request: ET.Element, _acting_as: str | None) -> str:
        zone = SerializableZone(request.find("t:TimeZone", NS))
        if request.find("t:TimeZone", NS) is None:
            raise OffSpecError("GetUserAvailabilityRequest needs t:TimeZone")
        mailboxes = request.findall("m:MailboxDataArray/t:MailboxData", NS)
        if not mailboxes:
            raise OffSpecError("MailboxDataArray is empty")
        if len(mailboxes) > MAX_MAILBOXES:
            raise OffSpecError(
                f"{len(mailboxes)} mailboxes in one request; EWS allows {MAX_MAILBOXES}"
            )
        options = request.find("t:FreeBusyViewOptions", NS)
        if options is None:
            raise OffSpecError("FreeBusyViewOptions missing")
        start = zone.from_local(
            _parse_dt(text_of(options, "t:TimeWindow/t:StartTime")).replace(tzinfo=None)
        )
        end = zone.from_local(
            _parse_dt(text_of(options, "t:TimeWindow/t:EndTime")).replace(tzinfo=None)
        )
        if end - start > timedelta(days=42):
            raise OffSpecError("the time window exceeds 42 days")
        interval = int(text_of(options, "t:MergedFreeBusyIntervalInMinutes"))
        view = text_of(options, "t:RequestedView")
        responses = []
        for mailbox in mailboxes:
            email = text_of(mailbox, "t:Email/t:Address")
            responses.append(self._free_busy(email, zone, (start, end), interval, view))
        return (
            "<m:GetUserAvailabilityResponse><m:FreeBusyResponseArray>"
            + "".join(responses)
            + "</m:FreeBusyResponseArray></m:GetUserAvailabilityResponse>"
        )

    def _free_busy(
        self,
        email: str,
        zone: SerializableZone,
        window: tuple[datetime, datetime],
        interval: int,
        view: str,
    ) -> str:
        code = self.k.fouten.mailbox_fouten.get(email.lower())
        start, end = window
        box = self.k.get(email)
        if box is None and code is None:
            code = "ErrorMailRecipientNotFound"
        if code is not None:
            return (
                "<m:FreeBusyResponse>"
                + error_message(
                    "ResponseMessage",
                    code,
                    "Unable to resolve e-mail address to an Active Directory object.",
                )
                + "<m:FreeBusyView><t:FreeBusyViewType>None</t:FreeBusyViewType></m:FreeBusyView>"
                "</m:FreeBusyResponse>"
            )
        assert box is not None
        events = [a for a in box.afspraken if a.end > start and a.start < end]
        merged = self._merged(events, start, end, interval)
        detailed = view.startswith("Detailed")
        event_xml = []
        for a in sorted(events, key=lambda a: a.start):
            details = ""
            if detailed:
                details = (
                    "<t:CalendarEventDetails><t:ID>00000000</t:ID>"
                    f"<t:Subject>{escape(a.subject)}</t:Subject>"
                    f"<t:Location>{escape(a.location)}</t:Location>"
                    "<t:IsMeeting>true</t:IsMeeting><t:IsRecurring>false</t:IsRecurring>"
                    "<t:IsException>false</t:IsException><t:IsReminderSet>true</t:IsReminderSet>"
                    "<t:IsPrivate>false</t:IsPrivate></t:CalendarEventDetails>"
                )
            event_xml.append(
                f"<t:CalendarEvent><t:StartTime>{_local(zone.to_local(a.start))}</t:StartTime>"
                f"<t:EndTime>{_local(zone.to_local(a.end))}</t:EndTime>"
                f"<t:BusyType>{a.busy_type}</t:BusyType>{details}</t:CalendarEvent>"
            )
        periods = (
            "<t:WorkingPeriod>"
            f"<t:DayOfWeek>{' '.join(box.werkdagen)}</t:DayOfWeek>"
            f"<t:StartTimeInMinutes>{box.werk_start}</t:StartTimeInMinutes>"
            f"<t:EndTimeInMinutes>{box.werk_eind}</t:EndTimeInMinutes></t:WorkingPeriod>"
        )
        return (
            '<m:FreeBusyResponse><m:ResponseMessage ResponseClass="Success">'
            "<m:ResponseCode>NoError</m:ResponseCode></m:ResponseMessage><m:FreeBusyView>"
            f"<t:FreeBusyViewType>{view}</t:FreeBusyViewType>"
            f"<t:MergedFreeBusy>{merged}</t:MergedFreeBusy>"
            f"<t:CalendarEventArray>{''.join(event_xml)}</t:CalendarEventArray>"
            f"<t:WorkingHours>{W_EUROPE_SERIALIZABLE}"
            f"<t:WorkingPeriodArray>{periods}</t:WorkingPeriodArray></t:WorkingHours>"
            "</m:FreeBusyView></m:FreeBusyResponse>"
        )

    @staticmethod
    def _merged(events: list[Any], start: datetime, end: datetime, interval: int) -> str:
        # 0 free, 1 tentative, 2 busy, 3 OOF, 4 working elsewhere (types.xsd LegacyFreeBusyType).
        rank = {"Free": 0, "Tentative": 1, "Busy": 2, "OOF": 3, "WorkingElsewhere": 4}
        out = []
        slot = start
        step = timedelta(minutes=interval)
        while slot < end:
            value = 0
            for a in events:
                if a.start < slot + step and a.end > slot:
                    value = max(value, rank.get(a.busy_type, 2))
            out.append(str(value))
            slot += step
        return "".join(out)


def make_handler(ews: EwsHandler, tokens: TokenIssuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in separate writes; without this, Nagle plus delayed
            # ACKs add 40 ms to every keep-alive request.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _ews_reply(self, status: int, body: str, content_type: str) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if ews.k.fouten.down:
                self.close_connection = True
                self.connection.close()
                return
            if self.path.endswith("/oauth2/v2.0/token"):
                status, text = tokens.handle(body)
                ews.k.tokens_uitgegeven = tokens.issued
                self._ews_reply(status, text, "application/json")
                return
            if not self.path.lower().startswith("/ews/exchange.asmx"):
                self._ews_reply(404, "not found", "text/plain")
                return
            if not ews.authorized(self.headers.get("Authorization")):
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="ews", Bearer')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status, text = ews.handle(body)
            ctype = "text/xml; charset=utf-8" if text.startswith("<?xml") else "text/plain"
            self._ews_reply(status, text, ctype)

    return Handler
