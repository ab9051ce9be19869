"""Every ``kcc-hub`` error is one line that names what is missing and how to provide it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli import main
from tests.privacy.test_api import _config

REPO = Path(__file__).resolve().parents[1]


def run(*args: str, env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, list(args), prog_name="kcc-hub", env=env, catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in stderr
    return lines[0]


def test_a_bare_group_prints_its_help() -> None:
    code, out, _err = run("logboek")
    assert code == 0 and "Usage: kcc-hub logboek" in out and "verify" in out


def test_a_missing_option_is_one_line_pointing_at_help() -> None:
    code, _out, err = run("logboek", "verify")
    line = one_line(err)
    assert code == 2 and "--gemeente" in line and "kcc-hub logboek verify --help" in line


def test_a_missing_secret_names_the_variable_and_the_demo_env_file(tmp_path: Path) -> None:
    env: dict[str, str | None] = {
        "KCC_LOGBOEK_HMAC_SLEUTEL": None,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "KCC_HUB_LOAD_PLUGINS": "geen",
    }
    from hub.store.migrate import upgrade

    upgrade(env["DATABASE_URL"])
    code, _out, err = run(
        "logboek",
        "inzage",
        "999993653",
        "-g",
        "9999",
        "--config",
        str(_config(tmp_path, plugin=False)),
        env=env,
    )
    line = one_line(err)
    assert code == 1
    assert "KCC_LOGBOEK_HMAC_SLEUTEL is not set" in line and "--env-file var/demo.env" in line


def test_an_unmigrated_database_says_to_upgrade_it(tmp_path: Path) -> None:
    env: dict[str, str | None] = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'leeg.sqlite3'}",
        "KCC_HUB_LOAD_PLUGINS": "geen",
    }
    code, _out, err = run(
        "logboek", "verify", "-g", "9999", "--config", str(_config(tmp_path, plugin=False)), env=env
    )
    assert code == 1 and "kcc-hub db upgrade" in one_line(err)


def test_a_missing_configuration_directory_says_how_to_name_one(tmp_path: Path) -> None:
    code, _out, err = run("jobs", "dead", "--config", str(tmp_path / "nergens"))
    line = one_line(err)
    assert code == 2 and "--config DIR" in line and "KCC_HUB_CONFIG" in line


def test_an_env_file_that_does_not_exist_is_one_line(tmp_path: Path) -> None:
    code, _out, err = run("--env-file", str(tmp_path / "demo.env"), "plugins")
    assert code == 1 and "make demo" in one_line(err)


def test_an_unknown_gemeente_says_how_to_add_it(tmp_path: Path) -> None:
    code, _out, err = run(
        "logboek", "verify", "-g", "0001", "--config", str(_config(tmp_path, plugin=False)),
        env={"KCC_HUB_LOAD_PLUGINS": "geen"},
    )  # fmt: skip
    assert code == 1 and "gemeenten/0001.toml" in one_line(err)


@pytest.mark.parametrize("value", ["", "1"])
def test_the_env_file_values_win_over_the_shell(tmp_path: Path, value: str) -> None:
    env_file = tmp_path / "demo.env"
    env_file.write_text("KCC_HUB_DEV_KEY='" + "d" * 40 + "'\n", encoding="utf-8")
    code, out, err = run(
        "--env-file", str(env_file), "token", "-g", "9999", "--role", "beheerder",
        "--config", str(REPO / "config"),
        env={"KCC_HUB_DEV_KEY": "shell-value" + value},
    )  # fmt: skip
    assert code == 0, err
    import jwt

    jwt.decode(out.strip(), "d" * 40, algorithms=["HS256"], audience="kcc-hub")
