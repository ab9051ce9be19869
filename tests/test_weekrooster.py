"""The weekly ochtend/middag grid from the stored calendar availability."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hub.beschikbaarheid import Opgeslagen
from hub.beschikbaarheid.weekrooster import DAGEN, weekrooster
from hub.domain.beschikbaarheid import Beschikbaarheid, BeschikbaarheidStatus, BezetBlok, Werktijd

ZONE = ZoneInfo("Europe/Amsterdam")
MAANDAG_9 = datetime(2026, 11, 30, 9, 0, tzinfo=ZONE)  # a Monday
KANTOOR = [Werktijd(dagen=[1, 2, 3, 4, 5], van="08:30", tot="17:00")]


def stored(
    nu: datetime,
    *,
    werktijden: list[Werktijd] | None = KANTOOR,
    bezet: list[BezetBlok] | None = None,
    status: BeschikbaarheidStatus = BeschikbaarheidStatus.VRIJ,
    tot: datetime | None = None,
) -> Opgeslagen:
    b = Beschikbaarheid(
        email="jan@gemeente.test",
        status=status,
        tot=tot,
        peilmoment=nu,
        bezet=bezet or [],
        werktijden=werktijden,
    )
    return Opgeslagen(b, nu, venster_tot=nu + timedelta(hours=96))


def all_days(value: bool) -> dict[str, dict[str, bool]]:
    return {dag: {"ochtend": value, "middag": value} for dag in DAGEN}


def test_without_anything_known_every_half_day_counts() -> None:
    assert weekrooster(None, MAANDAG_9) == all_days(True)
    assert weekrooster(stored(MAANDAG_9, werktijden=None), MAANDAG_9) == all_days(True)


def test_working_hours_decide_the_days_and_half_days() -> None:
    part_time = [
        Werktijd(dagen=[1, 2], van="08:30", tot="17:00"),
        Werktijd(dagen=[3], van="08:00", tot="12:00"),
    ]
    grid = weekrooster(stored(MAANDAG_9, werktijden=part_time), MAANDAG_9)
    assert grid["dinsdag"] == {"ochtend": True, "middag": True}
    assert grid["woensdag"] == {"ochtend": True, "middag": False}
    assert grid["donderdag"] == grid["vrijdag"] == {"ochtend": False, "middag": False}


def test_a_day_out_of_office_this_week_is_not_available() -> None:
    woensdag = MAANDAG_9 + timedelta(days=2)
    vrij = BezetBlok(
        van=woensdag.replace(hour=0),
        tot=woensdag.replace(hour=23, minute=59),
        soort="afwezig",
    )
    grid = weekrooster(stored(MAANDAG_9, bezet=[vrij]), MAANDAG_9)
    assert grid["woensdag"] == {"ochtend": False, "middag": False}
    assert grid["dinsdag"] == grid["donderdag"] == {"ochtend": True, "middag": True}


def test_a_busy_meeting_is_not_an_absence() -> None:
    dinsdag = MAANDAG_9 + timedelta(days=1)
    vergadering = BezetBlok(van=dinsdag.replace(hour=8), tot=dinsdag.replace(hour=12))
    assert weekrooster(stored(MAANDAG_9, bezet=[vergadering]), MAANDAG_9) == all_days(True)


def test_automatic_replies_without_end_cover_the_rest_of_the_window() -> None:
    dinsdag_10 = MAANDAG_9 + timedelta(days=1, hours=1)
    grid = weekrooster(stored(dinsdag_10, status=BeschikbaarheidStatus.AFWEZIG), dinsdag_10)
    # Monday is past: the calendar reading says nothing about it.
    assert grid["maandag"] == {"ochtend": True, "middag": True}
    assert grid["dinsdag"] == {"ochtend": False, "middag": False}
    assert grid["vrijdag"] == {"ochtend": False, "middag": False}


def test_an_absence_ending_at_noon_leaves_the_afternoon() -> None:
    grid = weekrooster(
        stored(
            MAANDAG_9,
            status=BeschikbaarheidStatus.AFWEZIG,
            tot=MAANDAG_9.replace(hour=12),
        ),
        MAANDAG_9,
    )
    assert grid["maandag"] == {"ochtend": False, "middag": True}
