"""The burgerservicenummer (BSN): the 11-proof, a partial form for display, synthetic numbers.

A BSN is nine digits d1…d9 with ``9·d1 + 8·d2 + … + 2·d8 − 1·d9 ≡ 0 (mod 11)``;
``000000000`` is not a BSN. The API accepts BSNs only as nine-digit strings (an
8-digit number from an old system must be zero-padded by whoever holds it), so
``is_valid_bsn`` does not pad: padding silently would hide a truncated number.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
BSN_LENGTH = 9
VISIBLE_DIGITS = 4


def is_valid_bsn(value: object) -> bool:
    """True when ``value`` is a nine-digit string that passes the 11-proof."""
    if not isinstance(value, str) or len(value) != BSN_LENGTH:
        return False
    # str.isdigit accepts other Unicode digits (e.g. '٣'); only ASCII digits are a BSN.
    if not value.isascii() or not value.isdigit():
        return False
    if value == "0" * BSN_LENGTH:
        return False
    total = sum(w * int(d) for w, d in zip(_WEIGHTS, value, strict=True))
    return total % 11 == 0


def mask_bsn(value: str) -> str:
    """The partial form shown to roles that may recognise but not read a BSN: ``*****3653``.

    Any input yields a string of the same length with all but the last four
    characters replaced, so a wrong-length value never leaks more than four digits.
    """
    if len(value) <= VISIBLE_DIGITS:
        return "*" * len(value)
    return "*" * (len(value) - VISIBLE_DIGITS) + value[-VISIBLE_DIGITS:]


def complete_bsn(first_eight: str) -> str | None:
    """The BSN that starts with these eight digits, or None when no ninth digit fits.

    ``d9 = (9·d1 + … + 2·d8) mod 11``; a remainder of 10 has no digit.
    """
    if len(first_eight) != BSN_LENGTH - 1 or not first_eight.isascii():
        raise ValueError("expected eight ASCII digits")
    if not first_eight.isdigit():
        raise ValueError("expected eight ASCII digits")
    partial = sum(w * int(d) for w, d in zip(_WEIGHTS[:-1], first_eight, strict=True))
    check = partial % 11
    if check == 10:
        return None
    candidate = first_eight + str(check)
    return candidate if is_valid_bsn(candidate) else None


def synthetic_bsns(seed: int = 0, prefix: str = "99999") -> Iterator[str]:
    """Yield distinct valid BSNs for tests and test doubles, deterministic per ``seed``.

    The default prefix ``99999`` is the range that test environments of the BRP
    use for fictitious persons, so a generated number is recognisably synthetic.
    """
    if not prefix.isdigit() or len(prefix) >= BSN_LENGTH - 1:
        raise ValueError("prefix must be at most seven digits")
    free = BSN_LENGTH - 1 - len(prefix)
    bodies = list(range(10**free))
    random.Random(seed).shuffle(bodies)  # noqa: S311 - test data, not a secret
    for number in bodies:
        bsn = complete_bsn(prefix + str(number).zfill(free))
        if bsn is not None:
            yield bsn
