"""Polymorphic BRP dates as Haal Centraal BRP Personen v2 delivers them.

The BRP records dates that are partly unknown. Haal Centraal says which part is
known with ``type``: ``Datum`` (complete), ``JaarMaandDatum`` (day unknown),
``JaarDatum`` (month and day unknown) or ``DatumOnbekend``; each carries a
``langFormaat`` for display. The GBA stores unknown parts as ``00``; StUF marks
them with the attribute ``StUF:indOnvolledigeDatum`` (``D``: day unknown,
``M``: month and day unknown, ``J``: everything unknown, ``V``: complete), often
with the unknown parts filled in arbitrarily — the indicator wins over the digits.
"""

from __future__ import annotations

from datetime import date
from typing import Any

MAANDEN = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

Datum = dict[str, Any]


def volledige_datum(value: date) -> Datum:
    """A complete date: ``{"type": "Datum", "datum": "1980-09-15", "langFormaat": ...}``."""
    return {
        "type": "Datum",
        "datum": value.isoformat(),
        "langFormaat": f"{value.day} {MAANDEN[value.month - 1]} {value.year}",
    }


def jaar_maand_datum(jaar: int, maand: int) -> Datum:
    """A date whose day is unknown."""
    return {
        "type": "JaarMaandDatum",
        "jaar": jaar,
        "maand": maand,
        "langFormaat": f"{MAANDEN[maand - 1]} {jaar}",
    }


def jaar_datum(jaar: int) -> Datum:
    """A date of which only the year is known."""
    return {"type": "JaarDatum", "jaar": jaar, "langFormaat": str(jaar)}


def datum_onbekend() -> Datum:
    """A date that is entirely unknown."""
    return {"type": "DatumOnbekend", "onbekend": True, "langFormaat": "onbekend"}


def _parts(digits: str) -> tuple[int, int, int]:
    if len(digits) != 8 or not digits.isascii() or not digits.isdigit():
        raise ValueError("a BRP date has eight digits (yyyymmdd)")
    return int(digits[:4]), int(digits[4:6]), int(digits[6:8])


def from_gba(digits: str) -> Datum:
    """A GBA date ``yyyymmdd`` with ``00`` for unknown parts (``19800000`` is 1980)."""
    jaar, maand, dag = _parts(digits)
    if jaar == 0:
        return datum_onbekend()
    if maand == 0:
        return jaar_datum(jaar)
    if dag == 0:
        return jaar_maand_datum(jaar, maand)
    return volledige_datum(date(jaar, maand, dag))


def from_stuf(value: str | int, ind_onvolledige_datum: str | None = None) -> Datum:
    """A StUF date (``yyyymmdd``, possibly without leading zeros) with its indicator."""
    digits = str(value).strip().zfill(8)
    indicator = (ind_onvolledige_datum or "V").upper()
    jaar, maand, _dag = _parts(digits)
    if indicator == "J" or jaar == 0:
        return datum_onbekend()
    if indicator == "M":
        return jaar_datum(jaar)
    if indicator == "D":
        return jaar_maand_datum(jaar, maand) if maand else jaar_datum(jaar)
    # Complete by indicator, but a GBA-sourced 00 still means unknown.
    return from_gba(digits)


def to_gba(datum: Datum) -> str:
    """The ``yyyymmdd`` form with ``00`` for unknown parts (for StUF and GBA-style upstreams)."""
    kind = datum.get("type")
    if kind == "Datum":
        return str(datum["datum"]).replace("-", "")
    if kind == "JaarMaandDatum":
        return f"{int(datum['jaar']):04d}{int(datum['maand']):02d}00"
    if kind == "JaarDatum":
        return f"{int(datum['jaar']):04d}0000"
    return "00000000"


def stuf_indicator(datum: Datum) -> str:
    """The ``StUF:indOnvolledigeDatum`` value for a polymorphic date."""
    return {"Datum": "V", "JaarMaandDatum": "D", "JaarDatum": "M"}.get(str(datum.get("type")), "J")


def leeftijd(geboortedatum: Datum, peildatum: date) -> int | None:
    """Age in whole years on ``peildatum``; None when the birth date is not complete.

    Haal Centraal omits ``leeftijd`` when it cannot be determined exactly, so we do too.
    """
    if geboortedatum.get("type") != "Datum":
        return None
    born = date.fromisoformat(str(geboortedatum["datum"]))
    years = peildatum.year - born.year
    if (peildatum.month, peildatum.day) < (born.month, born.day):
        years -= 1
    return years
