"""`kcc-hub demo` (what `make demo` runs): one process serving the API for gemeente 9999
over the project's own test doubles."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    workdir = tmp_path_factory.mktemp("demo")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
        "KCC_HUB_CONFIG": str(REPO / "config"),
        "PYTHONPATH": str(REPO),
        "KCC_HUB_LOG_LEVEL": "WARNING",
    }
    log = (workdir / "demo.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "hub", "demo", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        output = ""
        while time.monotonic() < deadline and proc.poll() is None:
            output = (workdir / "demo.log").read_text()
            if "Press Ctrl+C to stop." in output:
                break
            time.sleep(0.3)
        assert "Press Ctrl+C to stop." in output, output[-3000:]
        yield base, output
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


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
