"""Synthetic calendars served by both doubles (EWS and Graph), so their answers can be compared.

All persons are invented. Times are kept in UTC; each double renders them the way its
protocol does (EWS: local time of the requested time zone; Graph: the Prefer time zone).
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
WINDOWS_ZONE = "W. Europe Standard Time"


@dataclass
class Afspraak:
    start: datetime
    end: datetime
    busy_type: str = "Busy"  # Free, Tentative, Busy, OOF, WorkingElsewhere, NoData
    subject: str = "Overleg"
    location: str = "Kamer 1.01"


@dataclass
class Afwezigheid:
    state: str = "Disabled"  # Enabled, Scheduled, Disabled
    start: datetime | None = None
    end: datetime | None = None
    internal_reply: str = ""
    external_reply: str = ""


@dataclass
class Mailbox:
    email: str
    afspraken: list[Afspraak] = field(default_factory=list)
    # Weekday names as EWS writes them; minutes since local midnight (W. Europe Standard Time).
    werkdagen: tuple[str, ...] = WEEKDAYS[1:6]
    werk_start: int = 8 * 60
    werk_eind: int = 17 * 60
    afwezigheid: Afwezigheid = field(default_factory=Afwezigheid)


@dataclass
class Fouten:
    """What a test wants the doubles to do wrong, consumed as calls arrive."""

    latency: float = 0.0
    # Next N calls of an operation answer a throttling response: (count, back-off ms).
    throttle: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Next N calls of an operation answer HTTP 500.
    http_500: dict[str, int] = field(default_factory=dict)
    # Next N calls of an operation are carried out and then answered with HTTP 500.
    fail_after_commit: dict[str, int] = field(default_factory=dict)
    # Mailboxes that answer with a per-mailbox error code.
    mailbox_fouten: dict[str, str] = field(default_factory=dict)
    # EWS GetMailTips: recipients answered with an error code, or with their tip still pending.
    mailtip_fouten: dict[str, str] = field(default_factory=dict)
    mailtips_pending: set[str] = field(default_factory=set)
    down: bool = False


@dataclass
class Aanroep:
    operation: str
    mailboxes: int = 0
    at: float = 0.0
    # EWS: the mailbox named in the ExchangeImpersonation header, if any.
    acting_as: str | None = None


@dataclass
class VerzondenMail:
    id: str
    sender: str
    to: tuple[str, ...]
    subject: str
    body: str
    notification_id: str | None


class Kalenders:
    """The shared state of a double: mailboxes, injected faults, recorded calls and sent mail."""

    def __init__(self, mailboxes: Iterable[Mailbox] = (), *, elk_adres: bool = False) -> None:
        self.mailboxes: dict[str, Mailbox] = {m.email.lower(): m for m in mailboxes}
        # Demo mode: any address (except onbekend@…) gets a calendar derived from its name,
        # so the demo works with whatever the directory holds.
        self.elk_adres = elk_adres
        self.anchor = _quarter(datetime.now(UTC))
        self.fouten = Fouten()
        self.aanroepen: list[Aanroep] = []
        self.verzonden: list[VerzondenMail] = []
        self.tokens_uitgegeven = 0
        self._lock = threading.Lock()

    def add(self, mailbox: Mailbox) -> None:
        self.mailboxes[mailbox.email.lower()] = mailbox

    def get(self, email: str) -> Mailbox | None:
        key = email.lower()
        box = self.mailboxes.get(key)
        if box is None and self.elk_adres and "@" in key and not key.startswith("onbekend@"):
            box = _generated(key, self.anchor)
            with self._lock:
                box = self.mailboxes.setdefault(key, box)
        return box

    def record(self, operation: str, mailboxes: int = 0, acting_as: str | None = None) -> None:
        with self._lock:
            self.aanroepen.append(Aanroep(operation, mailboxes, time.monotonic(), acting_as))

    def count(self, operation: str) -> int:
        return sum(1 for a in self.aanroepen if a.operation == operation)

    def take(self, table: dict[str, int], operation: str) -> bool:
        with self._lock:
            left = table.get(operation, 0)
            if left <= 0:
                return False
            table[operation] = left - 1
            return True

    def take_throttle(self, operation: str) -> int | None:
        with self._lock:
            left, back_off = self.fouten.throttle.get(operation, (0, 0))
            if left <= 0:
                return None
            self.fouten.throttle[operation] = (left - 1, back_off)
            return back_off

    def send(self, mail: VerzondenMail) -> None:
        with self._lock:
            self.verzonden.append(mail)

    def sent_with(self, sender: str, notification_id: str) -> VerzondenMail | None:
        with self._lock:
            for mail in self.verzonden:
                if (
                    mail.sender.lower() == sender.lower()
                    and mail.notification_id == notification_id
                ):
                    return mail
        return None

    def reset_calls(self) -> None:
        with self._lock:
            self.aanroepen.clear()


def _quarter(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def _generated(email: str, anchor: datetime) -> Mailbox:
    seed = zlib.crc32(email.encode())
    afspraken = []
    for k in range(3):
        start = anchor + timedelta(minutes=15 * ((seed >> (4 * k)) % 32) - 120 + 180 * k)
        kind = ("Busy", "Busy", "Tentative", "WorkingElsewhere")[(seed >> (8 + k)) % 4]
        afspraken.append(Afspraak(start, start + timedelta(minutes=30 + 15 * (k % 3)), kind))
    afwezigheid = Afwezigheid()
    if seed % 9 == 0:
        afwezigheid = Afwezigheid(
            state="Enabled",
            internal_reply="<p>Ik ben deze week afwezig. Mail mijn team voor dringende zaken.</p>",
            external_reply="<p>Ik ben deze week afwezig. Bel 14 020 voor het KCC.</p>",
        )
    if seed % 7 == 0:  # office hours, Monday to Friday
        return Mailbox(email=email, afspraken=afspraken, afwezigheid=afwezigheid)
    # Most demo colleagues work every day, so a demo on any day shows all statuses.
    return Mailbox(
        email=email,
        afspraken=afspraken,
        afwezigheid=afwezigheid,
        werkdagen=WEEKDAYS,
        werk_start=7 * 60,
        werk_eind=21 * 60,
    )


def demo_kalenders(
    anchor: datetime | None = None, n: int = 50, domein: str = "gemeente.test"
) -> Kalenders:
    """A deterministic set of ``n`` mailboxes around ``anchor`` (default: now), plus named cases.

    ``medewerker0000@…`` … are ordinary colleagues who work around the clock (so their status
    does not depend on when a test runs) with meetings spread around the anchor. Named cases:
    ``afwezig@`` (automatic replies on), ``kantoor@`` (Mon–Fri 08:00–17:00), ``vrij@`` (empty
    calendar, always working), ``kcc@`` (the sending mailbox). ``onbekend@`` does not exist.
    """
    anchor = _quarter(anchor or datetime.now(UTC))
    always = WEEKDAYS
    mailboxes: list[Mailbox] = []
    for i in range(n):
        afspraken = []
        # Deterministic variety: some busy now, some later, some tentative.
        offset = (i % 7) - 2  # hours relative to the anchor
        length = 30 + 15 * (i % 4)
        start = anchor + timedelta(hours=offset, minutes=15 * (i % 3))
        afspraken.append(Afspraak(start, start + timedelta(minutes=length), "Busy", f"Overleg {i}"))
        if i % 5 == 0:
            s2 = anchor + timedelta(hours=3)
            afspraken.append(Afspraak(s2, s2 + timedelta(minutes=45), "Tentative", "Misschien"))
        if i % 6 == 0:
            s3 = anchor - timedelta(minutes=15)
            afspraken.append(Afspraak(s3, s3 + timedelta(minutes=60), "Busy", "Loket"))
        mailboxes.append(
            Mailbox(
                email=f"medewerker{i:04d}@{domein}",
                afspraken=afspraken,
                werkdagen=always,
                werk_start=0,
                werk_eind=23 * 60 + 59,
            )
        )
    mailboxes.append(
        Mailbox(
            email=f"afwezig@{domein}",
            werkdagen=always,
            werk_start=0,
            werk_eind=23 * 60 + 59,
            afwezigheid=Afwezigheid(
                state="Scheduled",
                start=anchor - timedelta(days=1),
                end=anchor + timedelta(days=2),
                internal_reply=(
                    "<html><head><style>p{color:red}</style></head><body><p>Ik ben tot en met "
                    "vrijdag afwezig.<br>Dringende vragen: team Vergunningen.</p></body></html>"
                ),
                external_reply=(
                    "<html><head><style>p{color:red}</style></head><body><p>Ik ben tot en met "
                    "vrijdag afwezig.<br>Voor dringende zaken: bel 14 020.</p></body></html>"
                ),
            ),
        )
    )
    mailboxes.append(Mailbox(email=f"kantoor@{domein}"))
    mailboxes.append(Mailbox(email=f"kcc@{domein}"))
    mailboxes.append(
        Mailbox(email=f"vrij@{domein}", werkdagen=always, werk_start=0, werk_eind=23 * 60 + 59)
    )
    return Kalenders(mailboxes)
