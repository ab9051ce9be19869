"""The backend-neutral availability rules, with explicit clocks (no dependence on today)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.domain.beschikbaarheid import BeschikbaarheidStatus as S
from plugins.exchange.agenda import (
    Afwezigheid,
    Blok,
    MailboxAgenda,
    Soort,
    Werkperiode,
    Werktijden,
    bereken,
    werk_intervallen,
)

AMS = ZoneInfo("Europe/Amsterdam")
KANTOOR = Werktijden((Werkperiode(frozenset({1, 2, 3, 4, 5}), 8 * 60, 17 * 60),), AMS)


def at(text: str) -> datetime:
    """A local Amsterdam time, as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=AMS).astimezone(UTC)


def status(agenda: MailboxAgenda, nu: str, uren: int = 72):
    moment = at(nu)
    return bereken(
        agenda,
        nu=moment,
        van=moment,
        tot=moment + timedelta(hours=uren),
        min_vrij=timedelta(minutes=15),
        zone=AMS,
    )


def test_free_colleague_is_free_until_the_next_meeting() -> None:
    agenda = MailboxAgenda(
        "a@x.nl", (Blok(at("2026-11-23T11:00"), at("2026-11-23T12:00"), Soort.BEZET),), KANTOOR
    )
    result = status(agenda, "2026-11-23T10:00")
    assert result.status == S.VRIJ
    assert result.tot == at("2026-11-23T11:00")
    assert result.volgend_vrij_moment == at("2026-11-23T10:00")


def test_back_to_back_meetings_are_one_busy_stretch() -> None:
    agenda = MailboxAgenda(
        "a@x.nl",
        (
            Blok(at("2026-11-23T09:00"), at("2026-11-23T10:00"), Soort.BEZET),
            Blok(at("2026-11-23T10:00"), at("2026-11-23T10:30"), Soort.VOORLOPIG),
            Blok(at("2026-11-23T10:40"), at("2026-11-23T11:00"), Soort.BEZET),
        ),
        KANTOOR,
    )
    result = status(agenda, "2026-11-23T09:30")
    assert result.status == S.BEZET
    assert result.tot == at("2026-11-23T10:30")
    # The ten-minute gap is shorter than the 15 minutes asked for.
    assert result.volgend_vrij_moment == at("2026-11-23T11:00")


def test_working_elsewhere_is_shown_but_not_busy() -> None:
    agenda = MailboxAgenda(
        "a@x.nl", (Blok(at("2026-11-23T09:00"), at("2026-11-23T12:00"), Soort.ELDERS),), KANTOOR
    )
    result = status(agenda, "2026-11-23T10:00")
    assert result.status == S.VRIJ
    assert [b.soort for b in result.bezet] == ["elders"]


def test_automatic_replies_make_a_colleague_absent_with_the_reply_text() -> None:
    agenda = MailboxAgenda(
        "a@x.nl",
        (),
        KANTOOR,
        Afwezigheid(True, at("2026-11-20T00:00"), at("2026-11-25T00:00"), "Tot woensdag."),
    )
    result = status(agenda, "2026-11-23T10:00")
    assert result.status == S.AFWEZIG
    assert result.tot == at("2026-11-25T00:00")
    assert result.afwezigheidsbericht == "Tot woensdag."
    assert result.volgend_vrij_moment == at("2026-11-25T08:00")


def test_automatic_replies_scheduled_later_do_not_count_yet() -> None:
    agenda = MailboxAgenda(
        "a@x.nl", (), KANTOOR, Afwezigheid(True, at("2026-11-24T00:00"), at("2026-11-26T00:00"))
    )
    result = status(agenda, "2026-11-23T10:00")
    assert result.status == S.VRIJ
    assert result.tot == at("2026-11-23T17:00")
    assert result.afwezigheidsbericht is None


def test_outside_working_hours_until_the_next_working_morning() -> None:
    result = status(MailboxAgenda("a@x.nl", (), KANTOOR), "2026-11-20T18:30")  # a Friday
    assert result.status == S.BUITEN_WERKTIJD
    assert result.tot == at("2026-11-23T08:00")
    assert result.volgend_vrij_moment == at("2026-11-23T08:00")


def test_unreadable_mailbox_is_unknown_and_says_nothing_else() -> None:
    result = status(MailboxAgenda("a@x.nl", fout="ErrorMailRecipientNotFound"), "2026-11-23T10:00")
    assert result.status == S.ONBEKEND
    assert result.tot is None and result.volgend_vrij_moment is None and result.bezet == []


def test_working_hours_follow_the_clock_change_in_october() -> None:
    # Summer time ends on Sunday 25 October 2026: 08:00 is 06:00 UTC before and 07:00 UTC after.
    days = werk_intervallen(KANTOOR, at("2026-10-23T00:00"), at("2026-10-27T00:00"))
    assert (datetime(2026, 10, 23, 6, tzinfo=UTC), datetime(2026, 10, 23, 15, tzinfo=UTC)) in days
    assert (datetime(2026, 10, 26, 7, tzinfo=UTC), datetime(2026, 10, 26, 16, tzinfo=UTC)) in days


def test_working_hours_follow_the_clock_change_in_march() -> None:
    days = werk_intervallen(KANTOOR, at("2027-03-26T00:00"), at("2027-03-30T00:00"))
    assert (datetime(2027, 3, 26, 7, tzinfo=UTC), datetime(2027, 3, 26, 16, tzinfo=UTC)) in days
    assert (datetime(2027, 3, 29, 6, tzinfo=UTC), datetime(2027, 3, 29, 15, tzinfo=UTC)) in days


def test_times_carry_the_amsterdam_offset_of_their_own_date() -> None:
    result = status(MailboxAgenda("a@x.nl", (), KANTOOR), "2026-10-23T18:00")
    assert result.tot is not None
    assert result.tot.isoformat() == "2026-10-26T08:00:00+01:00"
    assert result.peilmoment.isoformat() == "2026-10-23T18:00:00+02:00"


def test_day_ending_at_23_59_runs_on_into_the_next_day() -> None:
    altijd = Werktijden((Werkperiode(frozenset(range(1, 8)), 0, 23 * 60 + 59),), AMS)
    result = status(MailboxAgenda("a@x.nl", (), altijd), "2026-11-23T23:59")
    assert result.status == S.VRIJ
    assert result.volgend_vrij_moment == at("2026-11-23T23:59")
