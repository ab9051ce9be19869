"""The wheel: only what runs in production, and it runs on its own in a clean environment.

Built with uv, installed into a fresh venv with the project's locked runtime dependencies
(from uv's cache when it has them, so it works without a network), then started from a
directory outside the checkout so nothing of the checkout can be imported by accident.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fixtures import LOGBOEK_KEYS

REPO = Path(__file__).resolve().parents[1]
UV = REPO / ".tools" / "bin" / "uv"

pytestmark = pytest.mark.slow

_GEMEENTE = """
naam = "Proefstad"

[plugins.brp]
backend = "stufbg"

[plugins.brp.stufbg]
endpoint = "http://127.0.0.1:8722/StUFBGSynchroon"

[[doelen]]
code = "kcc-identificatie"
omschrijving = "Vaststellen wie de beller is"
verwerkingsactiviteit = "https://register.proefstad.nl/verwerkingsactiviteiten/kcc"
rollen = ["kcc-medewerker", "backoffice"]

[privacy]
hmac_sleutel = "${KCC_LOGBOEK_HMAC_SLEUTEL}"
encryptie_sleutel = "${KCC_LOGBOEK_ENCRYPTIE_SLEUTEL}"
"""


def _uv() -> str:
    found = str(UV) if UV.exists() else shutil.which("uv")
    if found is None:
        pytest.skip("uv is not installed (make env installs it in .tools/)")
    return found


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(the wheel, the venv it is installed in)."""
    uv = _uv()
    work = tmp_path_factory.mktemp("wheel")
    _run(uv, "build", "--wheel", "--out-dir", work / "dist", cwd=REPO)
    [wheel] = (work / "dist").glob("kcc_hub-*.whl")
    requirements = work / "requirements.txt"
    _run(
        uv,
        "export",
        "--frozen",
        "--no-dev",
        "--no-emit-project",
        "--no-hashes",
        "--output-file",
        requirements,
        cwd=REPO,
    )
    venv = work / "venv"
    _run(uv, "venv", "--python", sys.executable, venv, cwd=work)
    install = [uv, "pip", "install", "--python", venv / "bin" / "python", "-r", requirements, wheel]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    try:
        _run(*install, "--offline", cwd=work, env=env)
    except AssertionError:
        # Not everything in uv's cache yet: the registry has it.
        _run(*install, cwd=work, env=env)
    yield wheel, venv


def _kcc_hub(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH") and not k.startswith("KCC_")
    }
    return subprocess.run(
        [str(venv / "bin" / "kcc-hub"), *args],
        cwd=cwd,
        env={**env, **LOGBOEK_KEYS},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_wheel_holds_no_tests_no_doubles_and_no_devkit(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/", 1)[0] for name in names}
    assert top == {"hub", "plugins", "kcc_hub-0.1.0.dist-info"}
    assert not [n for n in names if "/tests/" in n or "/double/" in n or n.startswith("tests/")]


def test_the_installed_stufbg_default_wsdl_resolves_inside_the_package(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    _, venv = installed
    code = "from plugins.brp.config import DEFAULT_WSDL; print(DEFAULT_WSDL)"
    out = _run(venv / "bin" / "python", "-c", code, cwd=tmp_path).strip()
    wsdl = Path(out)
    assert wsdl.is_file() and venv in wsdl.parents
    assert (wsdl.parent.parent / "0204" / "stuf0204.xsd").is_file()  # what the WSDL imports


def test_the_installed_hub_lists_its_plugins(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, venv = installed
    result = _kcc_hub(venv, tmp_path, "plugins")
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("ad", "brp", "exchange", "fixi", "openklant", "zaak"):
        assert name in result.stdout


def test_the_installed_hub_checks_a_stufbg_config_with_the_default_wsdl(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    _, venv = installed
    config = tmp_path / "config"
    (config / "gemeenten").mkdir(parents=True)
    (config / "privacy").mkdir()
    shutil.copy(REPO / "config" / "privacy" / "masking.toml", config / "privacy")
    (config / "hub.toml").write_text("", encoding="utf-8")
    (config / "gemeenten" / "1234.toml").write_text(_GEMEENTE, encoding="utf-8")
    result = _kcc_hub(venv, tmp_path, "config", "check", "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1234 Proefstad" in result.stdout


def test_the_installed_hub_says_the_demo_needs_a_checkout(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    _, venv = installed
    result = _kcc_hub(venv, tmp_path, "demo")
    assert result.returncode != 0
    assert "needs a checkout" in result.stderr
    assert "Traceback" not in result.stderr
