"""Lead times of a contactverzoek: calendar time and working time, fixed when it is handled."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hub.klantcontacten.doorlooptijd import werkseconden
from hub.klantcontacten_settings import KlantcontactenSettings

AMS = ZoneInfo("Europe/Amsterdam")
STANDAARD = KlantcontactenSettings()  # 08:30–17:00
UUR = 3600


def test_within_one_working_day_working_time_is_calendar_time() -> None:
    van = datetime(2026, 3, 10, 9, 0, tzinfo=AMS)
    assert werkseconden(van, datetime(2026, 3, 10, 11, 30, tzinfo=AMS), STANDAARD) == 2.5 * UUR


def test_the_night_and_the_weekend_do_not_count() -> None:
    # Friday 16:00 to Monday 09:30: one hour on Friday, one on Monday.
    van = datetime(2026, 3, 13, 16, 0, tzinfo=AMS)
    assert werkseconden(van, datetime(2026, 3, 16, 9, 30, tzinfo=AMS), STANDAARD) == 2 * UUR


def test_a_public_holiday_does_not_count() -> None:
    # Koningsdag 2026 is Monday 27 April: Friday 16:00 to Tuesday 09:30 is two hours.
    van = datetime(2026, 4, 24, 16, 0, tzinfo=AMS)
    assert werkseconden(van, datetime(2026, 4, 28, 9, 30, tzinfo=AMS), STANDAARD) == 2 * UUR


def test_time_before_and_after_working_hours_does_not_count() -> None:
    van = datetime(2026, 3, 10, 6, 0, tzinfo=AMS)
    assert werkseconden(van, datetime(2026, 3, 10, 22, 0, tzinfo=AMS), STANDAARD) == 8.5 * UUR


def test_the_switch_to_summer_time_falls_outside_working_hours() -> None:
    # Sunday 29 March 2026 02:00 → 03:00; Friday 17:00 to Monday 08:30 is no working time.
    van = datetime(2026, 3, 27, 17, 0, tzinfo=AMS)
    assert werkseconden(van, datetime(2026, 3, 30, 8, 30, tzinfo=AMS), STANDAARD) == 0


def test_the_gemeente_sets_its_working_hours() -> None:
    eigen = KlantcontactenSettings(werkdag_begin="07:00", werkdag_einde="15:00")
    van = datetime(2026, 3, 10, 6, 0, tzinfo=AMS)
    assert werkseconden(van, datetime(2026, 3, 10, 22, 0, tzinfo=AMS), eigen) == 8 * UUR


def test_an_end_before_the_start_is_no_time() -> None:
    van = datetime(2026, 3, 10, 12, 0, tzinfo=AMS)
    assert werkseconden(van, datetime(2026, 3, 10, 10, 0, tzinfo=AMS), STANDAARD) == 0
