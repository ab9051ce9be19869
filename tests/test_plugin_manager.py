"""The plugin manager: entry points, broken plugins, unknown hooks, KCC_HUB_LOAD_PLUGINS."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.pluginmanager import load_plugins
from tests.support.entrypoints import install_plugin_distribution, on_sys_path

REPO = Path(__file__).resolve().parents[1]
BUILT_INS = {"ad", "exchange", "brp", "zaak", "fixi", "openklant"}

NOTITIES = (REPO / "tests" / "support" / "notities_plugin.py").read_text()

BROKEN_IMPORT = "raise RuntimeError('kapotte plugin')\n"

TYPO_HOOK = """
from hub import hookimpl
from tests.support.notities_plugin import kcc_plugin_info  # noqa: F401

@hookimpl
def kcc_helthcheck(ctx):
    return None
"""


def test_built_in_plugins_load_through_the_entry_point_group() -> None:
    loaded = load_plugins()
    assert set(loaded.infos) >= BUILT_INS
    for name in BUILT_INS:
        assert loaded.sources[name] == f"entry point plugins.{name}.plugin"


def test_a_third_party_plugin_installed_through_an_entry_point_is_loaded(tmp_path: Path) -> None:
    site = install_plugin_distribution(
        tmp_path, "kcc-notities", "notities", "kcc_thirdparty_notities", NOTITIES
    )
    with on_sys_path(site):
        loaded = load_plugins()
    assert "notities" in loaded.infos
    assert loaded.sources["notities"] == "entry point kcc_thirdparty_notities"


def test_a_broken_plugin_is_reported_and_the_others_still_load(tmp_path: Path) -> None:
    site = install_plugin_distribution(
        tmp_path, "kcc-kapot", "kapot", "kcc_thirdparty_kapot", BROKEN_IMPORT
    )
    with on_sys_path(site):
        loaded = load_plugins()
    assert [(f.name, f.error) for f in loaded.failures if f.name == "kapot"] == [
        ("kapot", "RuntimeError: kapotte plugin")
    ]
    assert set(loaded.infos) >= BUILT_INS


def test_a_plugin_with_an_unknown_hook_is_rejected(tmp_path: Path) -> None:
    site = install_plugin_distribution(
        tmp_path, "kcc-typo", "notities", "kcc_thirdparty_typo", TYPO_HOOK
    )
    with on_sys_path(site):
        loaded = load_plugins()
    assert "notities" not in loaded.infos
    failure = next(f for f in loaded.failures if f.name == "notities")
    assert "unknown hooks: kcc_helthcheck" in failure.error


def test_load_plugins_env_restricts_which_plugins_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "ad, brp")
    assert set(load_plugins().infos) == {"ad", "brp"}


def test_kcc_hub_plugins_cli_lists_the_built_ins(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    site = install_plugin_distribution(
        tmp_path, "kcc-kapot", "kapot", "kcc_thirdparty_kapot", BROKEN_IMPORT
    )
    result = subprocess.run(
        [sys.executable, "-m", "hub", "plugins"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{REPO}", "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stderr
    for name in BUILT_INS:
        assert f"plugins.{name}.plugin" in result.stdout
    assert "failed kapot: RuntimeError: kapotte plugin" in result.stdout
