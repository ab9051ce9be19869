"""The ``[klantcontacten]`` section and ``[outbox]``: validated at start-up, every problem named."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.klantcontacten_settings import KlantcontactenSettings
from hub.pluginmanager import load_plugins
from hub.settings_errors import ConfigError
from hub.tenants import HubSettings, load_tenants


def load(tmp_path: Path, section: str) -> list[str]:
    (tmp_path / "gemeenten").mkdir(exist_ok=True)
    (tmp_path / "gemeenten" / "9999.toml").write_text(
        f'naam = "Voorbeeldstad"\n{section}', encoding="utf-8"
    )
    try:
        load_tenants(tmp_path, load_plugins().settings_models())
    except ConfigError as exc:
        return [f"{p.key}: {p.reason}" for p in exc.problems]
    return []


def test_defaults_need_no_section() -> None:
    settings = KlantcontactenSettings()
    assert settings.deadline_werkdagen.normaal == 2 and settings.bewaartermijn_dagen == 365


@pytest.mark.parametrize(
    ("section", "key"),
    [
        (
            '[klantcontacten]\nlink_sjabloon = "https://kcc.test/{bsn}"\n',
            "klantcontacten.link_sjabloon",
        ),
        (
            '[klantcontacten]\nlink_sjabloon = "ftp://kcc.test/{id}"\n',
            "klantcontacten.link_sjabloon",
        ),
        (
            '[klantcontacten.afdelingen]\n"Burgerzaken" = "geen-adres"\n',
            "klantcontacten.afdelingen",
        ),
        ('[klantcontacten]\nwerkdag_einde = "25:00"\n', "klantcontacten.werkdag_einde"),
        (
            '[klantcontacten]\nwerkdag_begin = "17:00"\nwerkdag_einde = "09:00"\n',
            "klantcontacten.werkdag_einde",
        ),
        ('[klantcontacten]\nwerkdag_begin = "8:30"\n', "klantcontacten.werkdag_begin"),
        ("[klantcontacten]\nnorm_direct_procent = 120\n", "klantcontacten.norm_direct_procent"),
        ('[klantcontacten]\ndoel = "bestaat-niet"\n', "klantcontacten.doel"),
        ("[klantcontacten]\nonbekend = 1\n", "klantcontacten.onbekend"),
    ],
)
def test_a_wrong_setting_is_named(tmp_path: Path, section: str, key: str) -> None:
    problems = load(tmp_path, section)

    assert any(p.startswith(key) for p in problems), problems


def test_the_outbox_lease_stays_under_a_minute_and_outlasts_a_plugin_call() -> None:
    with pytest.raises(ValueError, match="lease_seconds"):
        HubSettings.model_validate({"plugin_timeout_seconds": 50, "outbox": {"lease_seconds": 45}})
    with pytest.raises(ValueError):
        HubSettings.model_validate({"outbox": {"lease_seconds": 90}})
    assert HubSettings().outbox.lease_seconds < 60
