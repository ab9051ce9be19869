"""The specifications in specs/ are the official ones in ../shared/specs, unchanged."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "specs"


def test_vendored_specs_match_the_shared_originals() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared/specs is not present next to this clone")
    for original in SHARED.rglob("*"):
        if original.is_file():
            copy = REPO / "specs" / original.relative_to(SHARED)
            assert copy.is_file(), f"missing vendored spec {copy.relative_to(REPO)}"
            assert filecmp.cmp(original, copy, shallow=False), f"{copy.relative_to(REPO)} differs"
