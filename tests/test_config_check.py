"""`kcc-hub config check`: every problem with file, key and reason; non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub.settings_errors import ConfigError
from hub.tenants import load_tenants
from tests.support.entrypoints import install_plugin_distribution
from tests.support.fixtures import LOGBOEK_KEYS
from tests.support.notities_plugin import NotitiesSettings

REPO = Path(__file__).resolve().parents[1]
BROKEN = REPO / "tests" / "fixtures" / "config-broken"


def problems() -> list[str]:
    with pytest.raises(ConfigError) as exc:
        load_tenants(BROKEN, {"notities": NotitiesSettings})
    return [str(p) for p in exc.value.problems]


def test_unknown_plugin_is_reported_with_file_and_key() -> None:
    assert any(
        "0001.toml: plugins.faxmachine: unknown plugin 'faxmachine'" in p for p in problems()
    )


def test_missing_required_setting_is_reported() -> None:
    assert any(
        "0002.toml: plugins.notities.bron: required setting is missing" in p for p in problems()
    )


def test_wrong_type_is_reported() -> None:
    assert any("0003.toml: plugins.notities.aantal: " in p and "integer" in p for p in problems())


def test_literal_secret_is_rejected_without_echoing_it() -> None:
    found = [p for p in problems() if "0004.toml: plugins.notities.token" in p]
    assert found and "literal secret is not allowed" in found[0]
    assert not any("hunter2" in p for p in problems())


def test_all_problems_are_reported_in_one_pass() -> None:
    assert len(problems()) == 4


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def test_config_check_cli_fails_on_broken_fixtures(tmp_path: Path) -> None:
    site = install_plugin_distribution(
        tmp_path / "site",
        "kcc-notities",
        "notities",
        "kcc_thirdparty_notities",
        (REPO / "tests" / "support" / "notities_plugin.py").read_text(),
    )
    result = _cli(
        "config",
        "check",
        "--config",
        str(BROKEN),
        env={"PYTHONPATH": f"{site}{os.pathsep}{REPO}", **LOGBOEK_KEYS},
    )
    assert result.returncode == 1
    assert "0001.toml: plugins.faxmachine: unknown plugin 'faxmachine'" in result.stdout
    assert "0002.toml: plugins.notities.bron: required setting is missing" in result.stdout
    assert "0003.toml: plugins.notities.aantal: " in result.stdout
    assert "0004.toml: plugins.notities.token: a literal secret is not allowed" in result.stdout
    assert "hunter2" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_config_check_reports_missing_logboek_keys() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KCC_LOGBOEK_")}
    result = subprocess.run(
        [sys.executable, "-m", "hub", "config", "check", "--config", str(REPO / "config")],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "9999.toml: privacy: " in result.stdout and "KCC_LOGBOEK_" in result.stdout


def test_config_check_cli_passes_on_the_shipped_config() -> None:
    result = _cli("config", "check", "--config", str(REPO / "config"), env=LOGBOEK_KEYS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "9999 Voorbeeldstad" in result.stdout
