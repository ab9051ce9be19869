"""The BSN 11-proof, its partial form and the synthetic number generator."""

from __future__ import annotations

from itertools import islice

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.bsn import complete_bsn, is_valid_bsn, mask_bsn, synthetic_bsns


@pytest.mark.parametrize("bsn", ["999993653", "999992314", "111222333", "123456782"])
def test_numbers_passing_the_11_proof_are_valid(bsn: str) -> None:
    assert is_valid_bsn(bsn)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("999993654", "checksum off by one"),
        ("123456789", "fails the 11-proof"),
        ("000000000", "all zeros passes the sum but is no BSN"),
        ("99999365", "eight digits are not padded on the API"),
        ("9999936530", "ten digits"),
        ("99999365a", "not a digit"),
        ("٩٩٩٩٩٣٦٥٣", "Arabic-Indic digits are not ASCII"),
        (" 99993653", "leading space"),
        ("", "empty"),
    ],
)
def test_other_values_are_not_valid(value: str, why: str) -> None:
    assert not is_valid_bsn(value), why


def test_non_strings_are_not_valid() -> None:
    assert not is_valid_bsn(999993653)
    assert not is_valid_bsn(None)


def test_mask_shows_only_the_last_four_digits() -> None:
    assert mask_bsn("999993653") == "*****3653"


def test_mask_of_a_short_value_reveals_nothing() -> None:
    assert mask_bsn("3653") == "****"


def test_complete_bsn_finds_the_check_digit() -> None:
    assert complete_bsn("99999365") == "999993653"


def test_generator_yields_distinct_valid_deterministic_numbers() -> None:
    first = list(islice(synthetic_bsns(seed=7), 50))
    again = list(islice(synthetic_bsns(seed=7), 50))
    assert first == again
    assert len(set(first)) == 50
    assert all(is_valid_bsn(b) and b.startswith("99999") for b in first)


def test_generator_stops_when_the_range_is_exhausted() -> None:
    every = list(synthetic_bsns(prefix="9999999"))
    assert 0 < len(every) <= 10
    assert all(is_valid_bsn(b) for b in every)


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_every_completed_number_is_valid(first_eight: str) -> None:
    bsn = complete_bsn(first_eight)
    if bsn is not None:
        assert is_valid_bsn(bsn)
        assert bsn[:8] == first_eight


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_changing_one_digit_breaks_the_proof(bsn: str) -> None:
    if not is_valid_bsn(bsn):
        return
    for i in range(8):
        changed = bsn[:i] + str((int(bsn[i]) + 1) % 10) + bsn[i + 1 :]
        assert not is_valid_bsn(changed)
