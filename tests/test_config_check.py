"""`kcc-hub config check`: every problem with file, key and reason; non-zero exit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devkit.demo import DEMO_ENV
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


def _check_shipped(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``config check`` of the shipped configuration with exactly ``env`` for secrets."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("KCC_")}
    return subprocess.run(
        [sys.executable, "-m", "hub", "config", "check", "--config", str(REPO / "config")],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**base, **env},
        timeout=120,
        check=False,
    )


def test_config_check_reports_missing_logboek_keys() -> None:
    env = {k: v for k, v in DEMO_ENV.items() if not k.startswith("KCC_LOGBOEK_")}
    result = _check_shipped(env)
    assert result.returncode == 1
    assert "9999.toml: privacy.hmac_sleutel: " in result.stdout
    assert "9999.toml: privacy.encryptie_sleutel: " in result.stdout
    assert "KCC_LOGBOEK_HMAC_SLEUTEL" in result.stdout


def test_config_check_reports_every_missing_secret_in_one_run() -> None:
    result = _check_shipped({})
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert sorted(line.split(": ")[1] for line in lines) == [
        "auth.dev_key",
        "plugins.exchange.graph.oauth2.client_secret",
        "plugins.fixi.client_secret",
        "plugins.zaak.bronnen.0.secret",
        "privacy.encryptie_sleutel",
        "privacy.hmac_sleutel",
    ]
    assert "6 problem(s)" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_check_cli_passes_on_the_shipped_config_with_the_demo_environment() -> None:
    result = _check_shipped(DEMO_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "9999 Voorbeeldstad" in result.stdout


def test_config_check_reads_the_environment_from_an_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / "demo.env"
    env_file.write_text("".join(f"{k}='{v}'\n" for k, v in DEMO_ENV.items()))
    base = {k: v for k, v in os.environ.items() if not k.startswith("KCC_")}
    result = subprocess.run(
        [sys.executable, "-m", "hub", "--env-file", str(env_file), "config", "check"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=base,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _ad_gemeente(directory: Path, code: str, extra: str) -> None:
    (directory / "gemeenten" / f"{code}.toml").write_text(
        'naam = "Adstad"\n'
        "[plugins.ad]\n"
        'servers = ["dc1.gemeente.test"]\n'
        'bind_user = "svc-kcc@gemeente.test"\n'
        'search_bases = ["OU=Gemeente,DC=gemeente,DC=test"]\n' + extra,
        encoding="utf-8",
    )


def _config_with(tmp_path: Path) -> Path:
    directory = tmp_path / "config"
    (directory / "gemeenten").mkdir(parents=True)
    shutil.copy(REPO / "config" / "hub.toml", directory / "hub.toml")
    return directory


def test_a_missing_ca_file_and_an_unset_password_fail_the_check(tmp_path: Path) -> None:
    directory = _config_with(tmp_path)
    _ad_gemeente(
        directory,
        "0001",
        f'ca_file = "{tmp_path / "weg.pem"}"\nbind_password = "${{KCC_TEST_UNSET_VAR}}"\n',
    )
    result = _check(directory)
    assert result.returncode == 1
    assert "0001.toml: plugins.ad.ca_file: file " in result.stdout
    assert "does not exist" in result.stdout
    assert (
        "0001.toml: plugins.ad.bind_password: environment variable KCC_TEST_UNSET_VAR is not set"
        in result.stdout
    )


def test_a_broken_gemeente_does_not_hide_another_gemeentes_missing_secret(
    tmp_path: Path,
) -> None:
    directory = _config_with(tmp_path)
    _ad_gemeente(directory, "0001", 'bind_password = "${KCC_TEST_UNSET_VAR}"\n')
    _ad_gemeente(directory, "0002", 'bind_password = "${KCC_TEST_AD_PW}"\nport = "geen"\n')
    (directory / "gemeenten" / "0003.toml").write_text("naam = \n", encoding="utf-8")
    result = _check(directory, KCC_TEST_AD_PW="x")
    keys = {tuple(line.split(": ")[:2]) for line in result.stdout.splitlines()}
    assert {k for _f, k in keys} >= {"plugins.ad.bind_password", "plugins.ad.port", "(file)"}
    assert result.returncode == 1


def test_a_secret_file_that_cannot_be_read_is_reported(tmp_path: Path) -> None:
    directory = _config_with(tmp_path)
    _ad_gemeente(directory, "0001", f'bind_password = "file:{tmp_path / "geheim"}"\n')
    result = _check(directory)
    assert "0001.toml: plugins.ad.bind_password: secret file " in result.stdout


def _check(directory: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("KCC_TEST_")}
    return subprocess.run(
        [sys.executable, "-m", "hub", "config", "check", "--config", str(directory)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**base, **LOGBOEK_KEYS, "KCC_HUB_DEV_KEY": "k" * 40, **env},
        timeout=120,
        check=False,
    )


def _with_tsa_witness(directory: Path, anchors: Path, ca_file: Path) -> None:
    hub = directory / "hub.toml"
    hub.write_text(
        hub.read_text(encoding="utf-8")
        + '\n[witness]\ntype = "rfc3161"\ntsa_url = "https://tsa.example.test/tsr"\n'
        f'tsa_ca_file = "{ca_file}"\ndirectory = "{anchors}"\n',
        encoding="utf-8",
    )


def test_the_witness_anchor_directory_is_checked_as_a_directory(tmp_path: Path) -> None:
    directory = _config_with(tmp_path)
    ca_file = tmp_path / "tsa-ca.pem"
    ca_file.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    (tmp_path / "anker").mkdir()
    _with_tsa_witness(directory, tmp_path / "anker", ca_file)
    assert _check(directory).returncode == 0, _check(directory).stdout


def test_a_witness_directory_that_is_a_file_and_a_missing_ca_file_fail_the_check(
    tmp_path: Path,
) -> None:
    directory = _config_with(tmp_path)
    not_a_directory = tmp_path / "anker"
    not_a_directory.write_text("", encoding="utf-8")
    _with_tsa_witness(directory, not_a_directory, tmp_path / "weg.pem")
    result = _check(directory)
    assert result.returncode == 1
    assert "hub.toml: witness.directory: " in result.stdout
    assert "is not a directory" in result.stdout
    assert "hub.toml: witness.tsa_ca_file: file " in result.stdout


def test_an_invalid_rate_limit_of_a_gemeente_is_reported_beside_its_missing_secret(
    tmp_path: Path,
) -> None:
    directory = _config_with(tmp_path)
    _ad_gemeente(
        directory,
        "0001",
        'bind_password = "${KCC_TEST_UNSET_VAR}"\n'
        '[rate_limits.persoon_bevragingen]\nkcc-medewerker = "heel veel"\n',
    )
    result = _check(directory)
    assert result.returncode == 1
    assert "0001.toml: rate_limits" in result.stdout and "heel veel" in result.stdout
    assert "0001.toml: plugins.ad.bind_password: " in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
