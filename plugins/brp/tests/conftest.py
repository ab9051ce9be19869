"""Fixtures for the BRP plugin: the two test doubles and settings pointing at them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from plugins.brp.double.haalcentraal import HaalCentraalDouble, run_haalcentraal_double
from plugins.brp.tests.certs import Pki, make_pki

# Fixed so ages in assertions do not change with the calendar.
PEILDATUM = date(2026, 11, 22)


@pytest.fixture
def hc_double() -> Iterator[HaalCentraalDouble]:
    """A Haal Centraal double without authentication; fails the test on off-spec answers."""
    with run_haalcentraal_double(peildatum=PEILDATUM) as double:
        yield double
        assert double.spec_violations == []


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(Path(tmp_path_factory.mktemp("pki")))
