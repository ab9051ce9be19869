"""`kcc-hub token`: prints a dev token, refuses without a dev key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jwt

REPO = Path(__file__).resolve().parents[1]


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "KCC_HUB_DEV_KEY"} | env
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=full_env,
        timeout=120,
        check=False,
    )


def test_token_command_prints_a_verifiable_dev_token() -> None:
    key = "cli-test-key-" + "x" * 40
    result = run(
        "token",
        "--gemeente",
        "9999",
        "--role",
        "kcc-medewerker",
        "--sub",
        "agent-1",
        env={"KCC_HUB_DEV_KEY": key},
    )
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), key, algorithms=["HS256"], audience="kcc-hub")
    assert claims["sub"] == "agent-1"
    assert claims["roles"] == ["kcc-medewerker"] and claims["gemeenten"] == ["9999"]


def test_token_command_refuses_without_a_dev_key(tmp_path: Path) -> None:
    (tmp_path / "gemeenten").mkdir()
    (tmp_path / "gemeenten" / "9999.toml").write_text('naam = "Voorbeeldstad"\n')
    (tmp_path / "hub.toml").write_text("[auth]\n")
    result = run(
        "token", "--config", str(tmp_path), "--gemeente", "9999", "--role", "beheerder", env={}
    )
    assert result.returncode == 1
    assert "refused" in result.stderr and "dev key" in result.stderr
    assert result.stdout == ""
