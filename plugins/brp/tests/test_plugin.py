"""The BRP plugin's hooks, through the hub's own plugin loading and gemeente config."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from hub.caller import Caller
from hub.plugin_api import Capability, HealthState, HookContext
from hub.pluginmanager import PluginHost, load_plugins
from hub.tenants import load_tenants
from plugins.brp import plugin
from plugins.brp.config import BrpSettings
from plugins.brp.double import persons
from plugins.brp.double.haalcentraal import HaalCentraalDouble
from plugins.brp.double.stufbg import StufBgDouble, run_stufbg_double
from plugins.brp.fields import DEFAULT_FIELDS

CALLER = Caller(
    subject="medewerker-42",
    display_name="Medewerker 42",
    roles=frozenset({"kcc-medewerker"}),
    gemeenten=frozenset({"9999"}),
)


@pytest.fixture
def stuf_double() -> Iterator[StufBgDouble]:
    with run_stufbg_double() as double:
        yield double
        assert double.spec_violations == []


def settings(backend: str, hc: HaalCentraalDouble | None, stuf: StufBgDouble | None) -> BrpSettings:
    raw: dict[str, Any] = {"backend": backend}
    if hc is not None:
        raw["haalcentraal"] = {"base_url": hc.base_url}
    if stuf is not None:
        raw["stufbg"] = {"endpoint": stuf.endpoint}
    return BrpSettings.model_validate(raw)


def ctx(s: BrpSettings, gemeente: str = "9999") -> HookContext:
    return HookContext(
        gemeente=gemeente,
        settings=s,
        caller=CALLER,
        doel="KCC-identificatie",
        verwerkingsactiviteit="https://register.voorbeeldstad.nl/verwerkingen/kcc",
    )


def test_plugin_info() -> None:
    info = plugin.kcc_plugin_info()
    assert info.name == "brp"
    assert info.capabilities == frozenset({Capability.PERSONEN})
    assert info.settings_model is BrpSettings


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"backend": "stufbg"}, "needs a [plugins.brp.stufbg] table"),
        ({"haalcentraal": {"base_url": "http://brp.example.nl"}}, "https"),
        (
            {
                "haalcentraal": {
                    "base_url": "https://brp.example.nl",
                    "auth": {"type": "apikey", "key": "letterlijk-geheim"},
                }
            },
            "literal secret",
        ),
        (
            {
                "haalcentraal": {
                    "base_url": "https://brp.example.nl",
                    "tls": {"client_key": "/k.pem"},
                }
            },
            "go together",
        ),
        (
            {"haalcentraal": {"base_url": "https://brp.example.nl", "tijdslimiet": 3}},
            "Extra inputs",
        ),
    ],
)
def test_settings_refuse_unsafe_or_incomplete_configuration(
    raw: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        BrpSettings.model_validate(raw)
    assert message in str(caught.value)


def test_haalcentraal_backend_passes_doelbinding_and_medewerker(
    hc_double: HaalCentraalDouble,
) -> None:
    answer = plugin.kcc_get_personen(
        ctx(settings("haalcentraal", hc_double, None)),
        {"type": "RaadpleegMetBurgerservicenummer", "burgerservicenummer": [persons.DEMO_BSN]},
        ["naam.voornamen"],
    )
    assert answer == {
        "type": "RaadpleegMetBurgerservicenummer",
        "personen": [{"naam": {"voornamen": "Suzanne Maria"}}],
    }
    headers = hc_double.personen_requests[-1].headers
    assert headers["x-doelbinding"] == "KCC-identificatie"
    assert headers["x-verwerking"] == "https://register.voorbeeldstad.nl/verwerkingen/kcc"
    assert headers["x-gebruiker"] == "medewerker-42"


def test_stufbg_backend_passes_the_medewerker(stuf_double: StufBgDouble) -> None:
    answer = plugin.kcc_get_personen(
        ctx(settings("stufbg", None, stuf_double), gemeente="9998"),
        {"type": "RaadpleegMetBurgerservicenummer", "burgerservicenummer": [persons.DEMO_BSN]},
        ["naam.voornamen"],
    )
    assert answer is not None and answer["personen"] == [{"naam": {"voornamen": "Suzanne Maria"}}]
    assert stuf_double.questions[-1].zender["gebruiker"] == "medewerker-42"


def _without_what_stufbg_0204_cannot_carry(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_what_stufbg_0204_cannot_carry(v)
            for k, v in value.items()
            if k not in ("inOnderzoek", "rni", "verificatie")
        }
    if isinstance(value, list):
        return [_without_what_stufbg_0204_cannot_carry(v) for v in value]
    return value


def test_both_backends_give_the_same_person_for_the_default_fields(
    hc_double: HaalCentraalDouble, stuf_double: StufBgDouble
) -> None:
    bsns = [p["burgerservicenummer"] for p in persons.PERSONEN]
    hc_ctx = ctx(settings("haalcentraal", hc_double, None), "9997")
    stuf_ctx = ctx(settings("stufbg", None, stuf_double), "9996")
    hc: dict[str, Any] = {"personen": []}
    stuf: dict[str, Any] = {"personen": []}
    for first in range(0, len(bsns), 20):  # the API takes at most 20 BSNs per question
        query = {
            "type": "RaadpleegMetBurgerservicenummer",
            "burgerservicenummer": bsns[first : first + 20],
        }
        hc["personen"] += plugin.kcc_get_personen(hc_ctx, query, list(DEFAULT_FIELDS))["personen"]
        stuf["personen"] += plugin.kcc_get_personen(stuf_ctx, query, list(DEFAULT_FIELDS))[
            "personen"
        ]
    assert len(hc["personen"]) == len(persons.PERSONEN)
    for from_hc, from_stuf in zip(hc["personen"], stuf["personen"], strict=True):
        assert _without_what_stufbg_0204_cannot_carry(from_hc) == from_stuf


def test_healthcheck_ok_and_down(hc_double: HaalCentraalDouble, stuf_double: StufBgDouble) -> None:
    for c in (
        ctx(settings("haalcentraal", hc_double, None), "9995"),
        ctx(settings("stufbg", None, stuf_double), "9994"),
    ):
        health = plugin.kcc_healthcheck(c)
        assert health.state is HealthState.OK and health.latency_ms is not None
    hc_double.faults.status = 500
    down = plugin.kcc_healthcheck(ctx(settings("haalcentraal", hc_double, None), "9995"))
    assert down.state is HealthState.DOWN and "500" in down.detail
    # The health check asks nothing about any person.
    assert hc_double.personen_requests[0].body["burgerservicenummer"] == ["000000000"]


def test_a_missing_client_certificate_file_is_reported_not_raised(
    hc_double: HaalCentraalDouble,
) -> None:
    s = BrpSettings.model_validate(
        {
            "haalcentraal": {
                "base_url": hc_double.base_url,
                "tls": {
                    "client_certificate": "/nonexistent/c.pem",
                    "client_key": "/nonexistent/k.pem",
                },
            }
        }
    )
    health = plugin.kcc_healthcheck(ctx(s, "9993"))
    assert health.state is HealthState.DOWN and "verkeerd ingesteld" in health.detail


def test_loaded_through_the_hub_with_a_gemeente_config_file(
    tmp_path: Path, hc_double: HaalCentraalDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "brp")
    (tmp_path / "gemeenten").mkdir()
    (tmp_path / "gemeenten" / "9999.toml").write_text(
        f'naam = "Voorbeeldstad"\n\n[plugins.brp]\nbackend = "haalcentraal"\n\n'
        f'[plugins.brp.haalcentraal]\nbase_url = "{hc_double.base_url}"\n',
        encoding="utf-8",
    )
    loaded = load_plugins()
    assert "brp" in loaded.infos, loaded.failures
    tenants = load_tenants(tmp_path, loaded.settings_models())
    host = PluginHost(loaded, tenants.gemeenten)
    answer = host.call(
        "brp",
        "9999",
        "kcc_get_personen",
        caller=CALLER,
        doel="KCC",
        query={
            "type": "RaadpleegMetBurgerservicenummer",
            "burgerservicenummer": [persons.DEMO_BSN],
        },
        fields=["naam.geslachtsnaam"],
    )
    assert copy.deepcopy(answer)["personen"] == [{"naam": {"geslachtsnaam": "Jansen"}}]


def test_derived_and_family_fields_match_across_backends(
    hc_double: HaalCentraalDouble, stuf_double: StufBgDouble
) -> None:
    from plugins.brp.config import HaalCentraalSettings, StufBgSettings
    from plugins.brp.haalcentraal_client import HaalCentraalClient
    from plugins.brp.stufbg_client import StufBgClient
    from plugins.brp.tests.conftest import PEILDATUM

    fields = [
        "burgerservicenummer",
        "naam",
        "geboorte.datum",
        "adressering",
        "leeftijd",
        "geslacht",
    ]
    hc = HaalCentraalClient(HaalCentraalSettings(base_url=hc_double.base_url))
    stuf = StufBgClient(StufBgSettings(endpoint=stuf_double.endpoint), today=lambda: PEILDATUM)
    bsns = [p["burgerservicenummer"] for p in persons.PERSONEN]
    for first in range(0, len(bsns), 20):
        query = {
            "type": "RaadpleegMetBurgerservicenummer",
            "burgerservicenummer": bsns[first : first + 20],
        }
        from_hc = _without_what_stufbg_0204_cannot_carry(hc.personen(query, fields)["personen"])
        assert from_hc == stuf.personen(query, fields)["personen"]
