"""The circuit breaker per gemeente × plugin (issue 12, acceptance 2), through the real app.

A zaaksysteem (the ZGW double) fails; after K consecutive failures the breaker opens and
the API answers 503 with ``Retry-After`` without asking the upstream; after the reset time
one probe goes through and a success closes it. ``/plugins`` and ``/metrics`` show it.
"""

from __future__ import annotations

import base64
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.api.app import create_app
from hub.auth import issue_dev_token
from hub.runtime import Runtime
from hub.store.migrate import upgrade
from hub.tenants import AuthSettings
from plugins.zaak.double import ZgwDouble, run_zgw_double

REPO = Path(__file__).resolve().parents[2]
DEV_KEY = "breaker-test-dev-key-" + "k" * 40
SECRET = "geheim-van-het-zaaksysteem-0123456789abcdef"
PLUGINS = "/api/v1/gemeenten/9999/plugins"
K = 3
# Long enough that a loaded CI machine answers the few requests after a (re)opening within it.
RESET_SECONDS = 3.0


@pytest.fixture
def zaaksysteem() -> Iterator[ZgwDouble]:
    with run_zgw_double(prefix="ZAAK", clients={"kcc-hub": SECRET}) as double:
        yield double


@pytest.fixture
def client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zaaksysteem: ZgwDouble
) -> Iterator[TestClient]:
    monkeypatch.setenv("KCC_HUB_DEV_KEY", DEV_KEY)
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "zaak")
    monkeypatch.setenv("ZGW_SECRET", SECRET)
    monkeypatch.setenv("KCC_LOGBOEK_HMAC_SLEUTEL", base64.b64encode(b"h" * 32).decode())
    monkeypatch.setenv("KCC_LOGBOEK_ENCRYPTIE_SLEUTEL", base64.b64encode(b"e" * 32).decode())
    config = tmp_path / "config"
    (config / "gemeenten").mkdir(parents=True)
    shutil.copy(REPO / "config" / "hub.toml", config / "hub.toml")
    hub_toml = (config / "hub.toml").read_text(encoding="utf-8")
    # One attempt per call, so each request is one failure the breaker counts.
    hub_toml = hub_toml.replace("plugin_retry_attempts = 3", "plugin_retry_attempts = 1")
    hub_toml = hub_toml.replace(
        "plugin_retry_attempts = 1",
        "plugin_retry_attempts = 1\n"
        f"plugin_breaker_failures = {K}\n"
        f"plugin_breaker_reset_seconds = {RESET_SECONDS}",
    )
    (config / "hub.toml").write_text(hub_toml, encoding="utf-8")
    (config / "gemeenten" / "9999.toml").write_text(
        'naam = "Voorbeeldstad"\n'
        "[[plugins.zaak.bronnen]]\n"
        'naam = "Open Zaak"\n'
        f'zaken_url = "{zaaksysteem.zaken_url}"\n'
        f'catalogi_urls = ["{zaaksysteem.catalogi_url}"]\n'
        'client_id = "kcc-hub"\n'
        'secret = "${ZGW_SECRET}"\n'
        "timeout_seconds = 2\n",
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    runtime = Runtime.build(config_dir=config, database_url=url)
    # From loopback, as a Prometheus on the same machine scrapes /metrics.
    app = create_app(runtime)
    with TestClient(app, raise_server_exceptions=False, client=("127.0.0.1", 50000)) as c:
        yield c


def headers(*roles: str) -> dict[str, str]:
    auth = AuthSettings.model_validate({"dev_key": "${KCC_HUB_DEV_KEY}"})
    token = issue_dev_token(
        auth, subject="m.devries", gemeenten=["9999"], roles=list(roles or ["kcc-medewerker"])
    )
    return {"Authorization": f"Bearer {token}"}


def zaak(client: TestClient, identificatie: str) -> object:
    return client.get(f"/api/v1/gemeenten/9999/zaken/{identificatie}", headers=headers())


def upstream_calls(double: ZgwDouble) -> int:
    return sum(double.requests.values())


def circuit(client: TestClient) -> dict[str, object]:
    plugins = client.get(PLUGINS, headers=headers("beheerder")).json()["plugins"]
    return next(p for p in plugins if p["naam"] == "zaak")


def gauge(client: TestClient) -> float:
    text = client.get("/metrics").text
    found = re.search(
        r'^kcc_hub_plugin_circuit_state\{gemeente="9999",plugin="zaak"\} (\S+)$', text, re.M
    )
    assert found, "no circuit gauge for 9999 × zaak"
    return float(found.group(1))


def test_after_k_failures_the_breaker_opens_answers_503_with_retry_after_then_a_probe_closes_it(
    client: TestClient, zaaksysteem: ZgwDouble
) -> None:
    bestaand = zaaksysteem.add_zaken(bsn="999991929", aantal=1)[0]
    zaaksysteem.faults.status = 503
    for _ in range(K):
        assert zaak(client, bestaand).status_code == 503  # type: ignore[attr-defined]
    asked = upstream_calls(zaaksysteem)
    assert asked >= K

    refused = zaak(client, bestaand)

    assert refused.status_code == 503  # type: ignore[attr-defined]
    assert refused.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    assert 1 <= int(refused.headers["Retry-After"]) <= RESET_SECONDS  # type: ignore[attr-defined]
    assert upstream_calls(zaaksysteem) == asked  # the upstream was not called
    assert circuit(client)["circuit"] == "open"
    assert gauge(client) == 2.0

    zaaksysteem.faults.reset()  # the zaaksysteem is back
    time.sleep(RESET_SECONDS + 0.1)
    assert circuit(client)["circuit"] == "half-open"

    probe = zaak(client, bestaand)

    assert probe.status_code == 200  # type: ignore[attr-defined]
    assert upstream_calls(zaaksysteem) > asked
    assert circuit(client)["circuit"] == "closed"
    assert gauge(client) == 0.0


def test_a_failed_probe_opens_the_breaker_again(client: TestClient, zaaksysteem: ZgwDouble) -> None:
    zaaksysteem.faults.status = 503
    for _ in range(K):
        zaak(client, "ZAAK-ONBEKEND")
    time.sleep(RESET_SECONDS + 0.1)

    probe = zaak(client, "ZAAK-ONBEKEND")
    asked = upstream_calls(zaaksysteem)
    again = zaak(client, "ZAAK-ONBEKEND")

    assert probe.status_code == 503 and again.status_code == 503  # type: ignore[attr-defined]
    assert "Retry-After" in again.headers  # type: ignore[attr-defined]
    assert upstream_calls(zaaksysteem) == asked
    assert circuit(client)["circuit"] == "open"


def test_refusals_and_unknown_zaken_do_not_open_the_breaker(
    client: TestClient, zaaksysteem: ZgwDouble
) -> None:
    for _ in range(K + 1):
        assert zaak(client, "ZAAK-ONBEKEND").status_code == 404  # type: ignore[attr-defined]

    assert circuit(client)["circuit"] == "closed"
