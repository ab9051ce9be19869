"""Recognising person data in free text: BSNs, e-mail addresses and telephone numbers.

The log formatter, problem bodies and trace ids use these to keep person data
out of everything the hub writes or answers besides the data itself.
"""

from __future__ import annotations

import re

from hub.bsn import is_valid_bsn

_NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# A Dutch or international number: +31 6 1234 5678, 0031..., 06-12345678, 020 123 4567.
# At least ten digits, so times, dates, counts and sequence numbers stay readable.
_PHONE = re.compile(r"(?<![\w.:/-])(?:\+|00)?\d(?:[ -]?\d){9,13}(?![\w:])")


def _phone(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group(0))
    return "[TELEFOON]" if 10 <= digits <= 14 else match.group(0)


def carries_bsn(text: str) -> bool:
    """A nine-digit run in ``text`` that passes the 11-proof."""
    return any(is_valid_bsn(m) for m in _NINE_DIGITS.findall(text))


def redact(text: str) -> str:
    """``text`` with BSNs, e-mail addresses and telephone numbers replaced."""
    text = _NINE_DIGITS.sub(lambda m: "[BSN]" if is_valid_bsn(m.group(0)) else m.group(0), text)
    text = _EMAIL.sub("[E-MAIL]", text)
    return _PHONE.sub(_phone, text)


def carries_person_data(text: str) -> bool:
    return redact(text) != text
