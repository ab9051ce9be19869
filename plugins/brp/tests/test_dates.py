"""Polymorphic BRP dates from GBA digits and from StUF with indOnvolledigeDatum."""

from __future__ import annotations

from datetime import date

import pytest

from plugins.brp.dates import from_gba, from_stuf, leeftijd, stuf_indicator, to_gba

VOLLEDIG = {"type": "Datum", "datum": "1980-09-15", "langFormaat": "15 september 1980"}
JAAR_MAAND = {"type": "JaarMaandDatum", "jaar": 1960, "maand": 7, "langFormaat": "juli 1960"}
JAAR = {"type": "JaarDatum", "jaar": 1960, "langFormaat": "1960"}
ONBEKEND = {"type": "DatumOnbekend", "onbekend": True, "langFormaat": "onbekend"}


@pytest.mark.parametrize(
    ("digits", "expected"),
    [("19800915", VOLLEDIG), ("19600700", JAAR_MAAND), ("19600000", JAAR), ("00000000", ONBEKEND)],
)
def test_gba_zeros_mean_unknown_parts(digits: str, expected: dict) -> None:
    assert from_gba(digits) == expected
    assert to_gba(expected) == digits


@pytest.mark.parametrize(
    ("value", "indicator", "expected"),
    [
        ("19800915", None, VOLLEDIG),
        ("19800915", "V", VOLLEDIG),
        ("19600701", "D", JAAR_MAAND),
        ("19600701", "M", JAAR),  # the indicator wins over arbitrary digits
        ("19600701", "J", ONBEKEND),
        (19600700, "V", JAAR_MAAND),  # GBA zeros behind a complete indicator
        ("0", "M", ONBEKEND),
    ],
)
def test_stuf_indicator_decides_which_parts_are_known(
    value: object, indicator: str | None, expected: dict
) -> None:
    assert from_stuf(value, indicator) == expected  # type: ignore[arg-type]


def test_indicator_round_trip() -> None:
    assert [stuf_indicator(d) for d in (VOLLEDIG, JAAR_MAAND, JAAR, ONBEKEND)] == [
        "V",
        "D",
        "M",
        "J",
    ]


def test_lang_formaat_fits_the_spec_pattern_for_the_longest_month() -> None:
    assert from_gba("20000930")["langFormaat"] == "30 september 2000"
    assert len("30 september 2000") <= 17


def test_malformed_digits_are_refused() -> None:
    with pytest.raises(ValueError):
        from_gba("1980-09-15")


def test_age_only_for_complete_birth_dates() -> None:
    assert leeftijd(VOLLEDIG, date(2026, 9, 14)) == 45
    assert leeftijd(VOLLEDIG, date(2026, 9, 15)) == 46
    assert leeftijd(JAAR, date(2026, 1, 1)) is None
