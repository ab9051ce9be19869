"""The ``[meldingen]`` section of a gemeente file: a default term, and a wrong one named."""

from __future__ import annotations

from pathlib import Path

from hub.meldingen.settings import MeldingenSettings
from hub.pluginmanager import load_plugins
from hub.settings_errors import ConfigError
from hub.tenants import load_tenants


def problems_of(tmp_path: Path, section: str) -> list[str]:
    (tmp_path / "gemeenten").mkdir(exist_ok=True)
    (tmp_path / "gemeenten" / "9999.toml").write_text(
        f'naam = "Voorbeeldstad"\n{section}', encoding="utf-8"
    )
    try:
        load_tenants(tmp_path, load_plugins().settings_models())
    except ConfigError as exc:
        return [f"{p.key}: {p.reason}" for p in exc.problems]
    return []


def test_a_gemeente_without_the_section_keeps_melders_ninety_days_after_closing() -> None:
    assert MeldingenSettings().melder_bewaartermijn_dagen == 90


def test_a_term_of_zero_days_is_named_as_the_wrong_setting(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, "[meldingen]\nmelder_bewaartermijn_dagen = 0\n")

    assert any(p.startswith("meldingen.melder_bewaartermijn_dagen") for p in problems), problems


def test_an_unknown_key_in_the_section_is_named(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, "[meldingen]\nbewaartermijn = 30\n")

    assert any(p.startswith("meldingen.bewaartermijn") for p in problems), problems
