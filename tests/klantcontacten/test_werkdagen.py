"""Deadlines in working days (issue 9, acceptance 2): exact on fixed dates around weekends and
Dutch public holidays, as the maintained ``holidays`` library knows them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hub.domain.klantcontacten import Urgentie
from hub.klantcontacten.werkdagen import deadline_voor, is_werkdag, werkdagen_na
from hub.klantcontacten_settings import KlantcontactenSettings

AMS = ZoneInfo("Europe/Amsterdam")
STANDAARD = KlantcontactenSettings()  # hoog 1, normaal 2, laag 5 working days; 17:00


@pytest.mark.parametrize(
    ("geregistreerd", "werkdagen", "deadline", "waarom"),
    [
        (date(2026, 3, 6), 1, date(2026, 3, 9), "Friday + 1 skips the weekend"),
        (date(2026, 3, 7), 2, date(2026, 3, 10), "on a Saturday, counting starts Monday"),
        (date(2026, 4, 24), 1, date(2026, 4, 28), "Koningsdag Monday 27 April 2026"),
        (date(2025, 4, 25), 1, date(2025, 4, 28), "Koningsdag 2025 fell on Saturday the 26th"),
        (date(2026, 4, 2), 1, date(2026, 4, 7), "Goede Vrijdag and Tweede Paasdag 2026"),
        (date(2026, 5, 13), 1, date(2026, 5, 15), "Hemelvaartsdag Thursday 14 May 2026"),
        (date(2026, 5, 22), 1, date(2026, 5, 26), "Tweede Pinksterdag Monday 25 May 2026"),
        (date(2026, 12, 24), 1, date(2026, 12, 28), "Christmas Friday 25, Saturday 26 Dec 2026"),
        (date(2025, 12, 24), 2, date(2025, 12, 30), "Christmas Thursday and Friday 2025"),
        (date(2026, 12, 31), 1, date(2027, 1, 4), "Nieuwjaarsdag Friday 1 January 2027"),
        (date(2026, 4, 27), 0, date(2026, 4, 28), "zero days on Koningsdag: the next working day"),
    ],
)
def test_working_days_skip_weekends_and_public_holidays(
    geregistreerd: date, werkdagen: int, deadline: date, waarom: str
) -> None:
    assert werkdagen_na(geregistreerd, werkdagen) == deadline, waarom


def test_public_holidays_come_from_the_holidays_library() -> None:
    assert not is_werkdag(date(2026, 4, 27))  # Koningsdag
    assert not is_werkdag(date(2026, 4, 5))  # Eerste Paasdag (a Sunday anyway)
    assert not is_werkdag(date(2026, 5, 25))  # Tweede Pinksterdag
    assert is_werkdag(date(2026, 4, 28))


def test_the_deadline_is_the_end_of_the_working_day_per_urgentie() -> None:
    friday_morning = datetime(2026, 4, 24, 10, 15, tzinfo=AMS)

    assert deadline_voor(friday_morning, Urgentie.HOOG, STANDAARD) == datetime(
        2026, 4, 28, 17, 0, tzinfo=AMS
    )
    assert deadline_voor(friday_morning, Urgentie.NORMAAL, STANDAARD) == datetime(
        2026, 4, 29, 17, 0, tzinfo=AMS
    )
    assert deadline_voor(friday_morning, Urgentie.LAAG, STANDAARD) == datetime(
        2026, 5, 4, 17, 0, tzinfo=AMS
    )


def test_the_day_is_the_gemeentes_local_day() -> None:
    # 23:30 UTC on Friday 6 March is 00:30 on Saturday in Amsterdam.
    late = datetime(2026, 3, 6, 23, 30, tzinfo=ZoneInfo("UTC"))

    assert deadline_voor(late, Urgentie.HOOG, STANDAARD).date() == date(2026, 3, 9)
    assert deadline_voor(late, Urgentie.NORMAAL, STANDAARD).date() == date(2026, 3, 10)


def test_the_gemeente_sets_working_days_and_end_of_day() -> None:
    eigen = KlantcontactenSettings.model_validate(
        {"deadline_werkdagen": {"normaal": 3}, "werkdag_einde": "16:30"}
    )

    assert deadline_voor(
        datetime(2026, 5, 12, 9, 0, tzinfo=AMS), Urgentie.NORMAAL, eigen
    ) == datetime(2026, 5, 18, 16, 30, tzinfo=AMS)
