"""Doelbinding: a configured purpose per request, checked against the role."""

from __future__ import annotations

import pytest

from hub.errors import Forbidden, InvalidRequest
from hub.privacy.doelbinding import load_doelen
from hub.settings_errors import ConfigError
from tests.privacy.conftest import DOELEN


def test_a_known_doel_for_the_role_resolves_to_its_processing_activity() -> None:
    doel = load_doelen(DOELEN, "9999.toml").resolve("kcc-identificatie", "kcc-medewerker")
    assert doel.verwerkingsactiviteit == "https://register.voorbeeldstad.nl/verwerkingen/kcc-1"


@pytest.mark.parametrize("code", [None, "", "onbekend", 12])
def test_a_missing_or_unknown_doel_is_a_400_on_field_doel(code: object) -> None:
    with pytest.raises(InvalidRequest) as err:
        load_doelen(DOELEN, "9999.toml").resolve(code, "kcc-medewerker")
    assert err.value.field == "doel"


def test_a_doel_not_allowed_for_the_role_is_forbidden() -> None:
    with pytest.raises(Forbidden):
        load_doelen(DOELEN, "9999.toml").resolve("zaakbehandeling", "kcc-medewerker")


def test_invalid_doelen_are_reported_with_file_and_key() -> None:
    raw = [
        {
            "code": "Kcc Identificatie",
            "omschrijving": "x",
            "verwerkingsactiviteit": "register-1",
            "rollen": ["baliemedewerker"],
        },
        {
            "code": "a",
            "omschrijving": "x",
            "verwerkingsactiviteit": "https://r/1",
            "rollen": ["backoffice"],
        },
        {
            "code": "a",
            "omschrijving": "x",
            "verwerkingsactiviteit": "https://r/2",
            "rollen": ["backoffice"],
        },
    ]
    with pytest.raises(ConfigError) as err:
        load_doelen(raw, "0363.toml")
    keys = [p.key for p in err.value.problems]
    assert keys == [
        "doelen[0].code",
        "doelen[0].rollen",
        "doelen[0].verwerkingsactiviteit",
        "doelen[2].code",
    ]
    assert all(p.file == "0363.toml" for p in err.value.problems)
