"""`kcc-hub demo` (what `make demo` runs): one process serving the API for gemeente 9999
over the project's own test doubles."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from dotenv import dotenv_values

from devkit.demo import env_var_for_token
from tests.support.demo_process import DemoProcess, running_demo

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoProcess]:
    with running_demo(tmp_path_factory.mktemp("demo")) as process:
        yield process


@pytest.fixture(scope="module")
def demo(demo_process: DemoProcess) -> tuple[str, str]:
    return demo_process.base, demo_process.output()


def token_from(output: str, role: str) -> str:
    match = re.search(rf"  {role}:\n    (\S+)", output)
    assert match, output
    return match.group(1)


def test_demo_serves_livez_and_the_openapi_document(demo: tuple[str, str]) -> None:
    base, output = demo
    assert httpx.get(f"{base}/livez").json() == {"status": "ok"}
    assert httpx.get(f"{base}/api/v1/openapi.json").json()["openapi"] == "3.1.0"
    assert f"{base}/api/v1/docs" in output


def test_demo_prints_a_working_token_per_role(demo: tuple[str, str]) -> None:
    base, output = demo
    for role in ("kcc-medewerker", "backoffice", "privacy-officer", "beheerder", "teamleider"):
        response = httpx.get(
            f"{base}/api/v1/gemeenten/9999/plugins",
            headers={"Authorization": f"Bearer {token_from(output, role)}"},
        )
        assert response.status_code == 200, response.text


def test_demo_plugins_reach_their_doubles(demo: tuple[str, str]) -> None:
    base, output = demo
    token = token_from(output, "beheerder")
    deadline = time.monotonic() + 60
    while True:
        plugins = httpx.get(
            f"{base}/api/v1/gemeenten/9999/plugins", headers={"Authorization": f"Bearer {token}"}
        ).json()["plugins"]
        health = {p["naam"]: p["gezondheid"] for p in plugins}
        if all(v == "ok" for v in health.values()) or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert health == dict.fromkeys(health, "ok") and len(health) >= 4, health


def test_demo_directory_answers_from_the_store_with_its_sync_time(demo: tuple[str, str]) -> None:
    base, output = demo
    response = httpx.get(
        f"{base}/api/v1/gemeenten/9999/medewerkers",
        params={"zoek": "jan"},
        headers={"Authorization": f"Bearer {token_from(output, 'kcc-medewerker')}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["totaal"] > 0
    assert all(r["gesynchroniseerdOp"] for r in body["resultaten"])


def test_demo_registers_no_klantcontact_and_sends_no_mail_by_itself(
    demo: tuple[str, str],
) -> None:
    base, output = demo
    headers = {"Authorization": f"Bearer {token_from(output, 'kcc-medewerker')}"}
    for resource in ("klantcontacten", "contactverzoeken"):
        response = httpx.get(f"{base}/api/v1/gemeenten/9999/{resource}", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["totaal"] == 0
    # The Exchange double shows what it was sent (docs/klantcontacten.md): nothing yet.
    assert httpx.get("http://127.0.0.1:8711/_double/verzonden").json() == {"verzonden": []}


def bearer(output: str, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_from(output, role)}"}


def test_right_after_the_tokens_every_search_result_has_an_availability_status(
    demo: tuple[str, str],
) -> None:
    base, output = demo
    assert "availability: 250 mailboxes refreshed" in output
    response = httpx.get(
        f"{base}/api/v1/gemeenten/9999/medewerkers",
        params={"zoek": "Jan Janssen", "paginaGrootte": 100},
        headers=bearer(output, "kcc-medewerker"),
    )
    assert response.status_code == 200, response.text
    results = response.json()["resultaten"]
    assert results[0]["voornaam"] == "Jan" and results[0]["achternaam"] == "Janssen"
    assert all(r["beschikbaarheid"] and r["beschikbaarheid"]["status"] for r in results)


def test_the_exchange_synchronisation_starts_an_availability_refresh(
    demo: tuple[str, str],
) -> None:
    base, output = demo
    url = f"{base}/api/v1/gemeenten/9999/plugins/exchange/synchronisaties"
    before = httpx.get(url, headers=bearer(output, "beheerder")).json()["synchronisaties"]
    started = httpx.post(url, headers=bearer(output, "beheerder"))
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = httpx.get(url, headers=bearer(output, "beheerder")).json()["synchronisaties"]
        new = [r for r in runs if r["id"] not in {b["id"] for b in before}]
        if new and new[0]["status"] == "ok":
            break
        time.sleep(0.5)
    assert new and new[0]["status"] == "ok" and new[0]["aantalRecords"] == 250, runs


def test_the_demo_writes_its_environment_for_the_cli_readable_only_by_its_owner(
    demo_process: DemoProcess,
) -> None:
    env_file = demo_process.env_file
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    text = env_file.read_text()
    for key in ("KCC_HUB_CONFIG=", "DATABASE_URL=", "KCC_LOGBOEK_HMAC_SLEUTEL=",
                "KCC_DEMO_TOKEN_KCC_MEDEWERKER=", f"KCC_DEMO_URL={demo_process.base}"):  # fmt: skip
        assert key in text


def test_the_environment_file_holds_the_printed_token_of_every_role(
    demo_process: DemoProcess,
) -> None:
    values = dotenv_values(demo_process.env_file)
    output = demo_process.output()
    for role in ("kcc-medewerker", "backoffice", "privacy-officer", "beheerder", "teamleider"):
        assert values[env_var_for_token(role)] == token_from(output, role)


def _fresh_shell_cli(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``kcc-hub`` in a shell that knows nothing of the demo (no KCC_ variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KCC_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        capture_output=True,
        text=True,
        cwd=workdir,
        env={**env, "PYTHONPATH": str(REPO)},
        timeout=180,
        check=False,
    )


@pytest.mark.parametrize(
    "command",
    [
        "config check",
        "logboek verify --gemeente 9999",
        "logboek export --gemeente 9999 -o export.jsonl",
        "logboek inzage 999993653 --gemeente 9999 -o inzage.json",
        "jobs dead --gemeente 9999",
        "sync exchange --gemeente 9999",
        "token --gemeente 9999 --role beheerder",
        "plugins",
    ],
)
def test_the_documented_cli_commands_run_against_the_demo(
    demo_process: DemoProcess, command: str
) -> None:
    result = _fresh_shell_cli(demo_process.workdir, "--env-file", "var/demo.env", *command.split())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("command", "missing"),
    [
        ("logboek inzage 999993653 --gemeente 9999", "KCC_LOGBOEK_"),
        ("token --gemeente 9999 --role beheerder", "KCC_HUB_DEV_KEY"),
        ("config check", "KCC_DEMO_SECRET"),
    ],
)
def test_without_the_demo_environment_the_cli_names_what_is_missing_in_one_line(
    demo_process: DemoProcess, command: str, missing: str
) -> None:
    config = ["--config", str(REPO / "config")]
    result = _fresh_shell_cli(demo_process.workdir, *command.split(), *config)
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    assert missing in result.stdout + result.stderr
    if command != "config check":  # the check's report is one line per problem, on stdout
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("error: ") and "--env-file var/demo.env" in line


def test_demo_offers_the_beheer_pages_with_a_dev_login_over_loopback_http(
    demo: tuple[str, str],
) -> None:
    base, output = demo
    assert f"{base}/beheer/" in output
    with httpx.Client(base_url=base, follow_redirects=True) as browser:
        page = browser.get("/beheer/inloggen")
        assert page.status_code == 200 and "Ontwikkel-login" in page.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        # Plain http on loopback: the demo's cookie is not Secure, so a browser sends it back.
        assert "secure" not in page.headers["set-cookie"].lower()
        login = browser.post(
            "/beheer/inloggen/dev",
            data={"csrf": csrf.group(1), "gemeente": "9999", "rol": "beheerder", "naam": "Demo"},
        )
        assert login.status_code == 200 and "Plugins" in login.text
