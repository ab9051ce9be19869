"""The live ``anr`` search against the DC (diagnostics and benchmarks)."""

from __future__ import annotations

import pytest

from hub.errors import InvalidRequest
from hub.plugin_api import HookContext
from plugins.ad import plugin
from plugins.ad.tests.conftest import Directory

pytestmark = pytest.mark.samba


def _search(directory: Directory, zoek: str, limit: int = 10) -> list[str]:
    ctx = HookContext(gemeente="9999", settings=directory.settings())
    found = plugin.kcc_search_medewerkers(ctx, zoek, limit)
    assert found is not None
    return [m.account_naam or "" for m in found]


def test_anr_finds_a_medewerker_by_surname(directory: Directory) -> None:
    person = directory.people[3]
    assert person.sam in _search(directory, person.sn, limit=200)


def test_anr_finds_by_account_name(directory: Directory) -> None:
    person = directory.people[5]
    assert _search(directory, person.sam) == [person.sam]


def test_the_limit_is_respected(directory: Directory) -> None:
    assert len(_search(directory, "Jan", limit=3)) <= 3


@pytest.mark.parametrize("zoek", ["*)(uid=*", "*", "' OR 1=1 --", "\\00", ")(", "Иван", "山田"])
def test_ldap_metacharacters_are_escaped_not_interpreted(directory: Directory, zoek: str) -> None:
    found = _search(directory, zoek, limit=50)
    # "*" escaped is a literal asterisk: it never turns into "everyone".
    assert len(found) < 50


def test_nul_characters_are_dropped_from_the_query(directory: Directory) -> None:
    person = directory.people[5]
    assert _search(directory, person.sam + "\x00") == [person.sam]


@pytest.mark.parametrize("zoek", ["", "   ", "\x00", "x" * 257])
def test_empty_or_very_long_input_is_an_invalid_request(directory: Directory, zoek: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        _search(directory, zoek)
    assert info.value.field == "zoek"
