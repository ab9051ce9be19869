"""The plugin describes itself, checks Open Klant's health and refuses unsafe settings."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from hub.plugin_api import Capability, HealthState, HookContext
from plugins.openklant import plugin
from plugins.openklant.config import OpenKlantSettings
from plugins.openklant.double import OpenKlantDouble
from plugins.openklant.tests.conftest import settings


def test_the_plugin_offers_klantinteracties_with_its_settings_model() -> None:
    info = plugin.kcc_plugin_info()

    assert info.name == "openklant"
    assert info.capabilities == frozenset({Capability.KLANTINTERACTIES})
    assert info.settings_model is OpenKlantSettings


def test_a_reachable_open_klant_is_healthy(openklant: OpenKlantDouble) -> None:
    health = plugin.kcc_healthcheck(HookContext(gemeente="9999", settings=settings(openklant)))

    assert health.state is HealthState.OK
    assert health.latency_ms is not None


def test_an_open_klant_that_refuses_the_token_is_down_without_showing_it(
    openklant: OpenKlantDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENKLANT_TOKEN", "verkeerd-token-1234")

    health = plugin.kcc_healthcheck(HookContext(gemeente="9999", settings=settings(openklant)))

    assert health.state is HealthState.DOWN
    assert "verkeerd-token-1234" not in health.detail


def test_plain_http_is_refused_outside_loopback() -> None:
    with pytest.raises(ValidationError, match="https"):
        OpenKlantSettings.model_validate(
            {"base_url": "http://openklant.gemeente.nl/klantinteracties/api/v1", "token": "${T}"}
        )


def test_a_literal_token_is_refused() -> None:
    with pytest.raises(ValidationError, match="literal secret"):
        OpenKlantSettings.model_validate(
            {"base_url": "https://openklant.gemeente.nl/klantinteracties/api/v1", "token": "abc123"}
        )


def test_kiss_identificator_codes_are_the_defaults() -> None:
    codes = OpenKlantSettings.model_validate(
        {"base_url": "https://openklant.gemeente.nl/klantinteracties/api/v1", "token": "${T}"}
    ).codes

    assert (codes.medewerker.code_objecttype, codes.medewerker.code_register) == ("mdw", "obj")
    assert codes.medewerker_email.code_register == "handmatig"
    assert codes.registrerende_medewerker.code_register == "msei"
    assert codes.afdeling.code_objecttype == "afd"
    assert codes.groep.code_objecttype == "grp"
    assert codes.zaak.code_objecttype == "zgw-Zaak"


def test_the_settings_example_in_the_docs_is_valid() -> None:
    doc = (Path(__file__).resolve().parents[3] / "docs" / "openklant.md").read_text()
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]

    parsed = OpenKlantSettings.model_validate(tomllib.loads(example)["plugins"]["openklant"])

    assert parsed.token.reference == "${OPENKLANT_TOKEN}"
