"""Volume and breadth: per-user limits on person lookups (shared through Redis by every API
process), stricter limits on wildcard and address searches, and the bulk-lookup signal."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from hub.privacy import inzage
from hub.privacy.logboek import chain as logboek_chain
from hub.privacy.settings import privacy_for
from hub.runtime import Runtime
from hub.store.migrate import upgrade
from tests.privacy.persons import BSN
from tests.privacy.test_api import BASE, _client, _config
from tests.support.fixtures import DEV_KEY, LOGBOEK_KEYS

REPO = Path(__file__).resolve().parents[2]


def _limits(config: Path, text: str) -> Path:
    with (config / "hub.toml").open("a") as fh:
        fh.write("\n" + text)
    return config


@pytest.fixture
def limited(
    tmp_path: Path, database_url: str, dev_key: str, keys_env: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "testbrp")
    config = _limits(
        _config(tmp_path),
        '[rate_limits.persoon_bevragingen]\nkcc-medewerker = "4/minute"\n'
        '[rate_limits.bulk_signaal]\nkcc-medewerker = "2/minute"\n'
        '[rate_limits.wildcard_zoeken]\nkcc-medewerker = "0"\nbackoffice = "1/minute"\n',
    )
    yield from _client(config, database_url)


def _auth(token_for: Callable[..., str], rol: str = "kcc-medewerker") -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(rol)}"}


def _raadpleeg() -> dict[str, Any]:
    return {
        "type": "RaadpleegMetBurgerservicenummer",
        "burgerservicenummer": [BSN],
        "doel": "kcc-identificatie",
    }


def _wildcard() -> dict[str, Any]:
    return {
        "type": "ZoekMetGeslachtsnaamEnGeboortedatum",
        "geslachtsnaam": "Dij*",
        "geboortedatum": "1980-01-01",
        "doel": "kcc-identificatie",
    }


def test_lookups_over_the_limit_get_a_429_problem_with_retry_after_and_are_logged(
    limited: TestClient, token_for: Callable[..., str]
) -> None:
    statuses = [
        limited.post(f"{BASE}/personen", json=_raadpleeg(), headers=_auth(token_for)).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 200]
    r = limited.post(f"{BASE}/personen", json=_raadpleeg(), headers=_auth(token_for))
    assert r.status_code == 429
    assert r.headers["content-type"] == "application/problem+json"
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    runtime: Runtime = limited.app_state  # type: ignore[attr-defined]
    with runtime.store.session() as s:
        regels = inzage.inzage(s, privacy_for(runtime.tenants.gemeenten["9999"]).sleutels, BSN)
    assert regels[-1].resultaat == "te_veel_verzoeken"


def test_the_bulk_signal_flags_the_logboek_record_and_counts_in_a_metric(
    limited: TestClient, token_for: Callable[..., str]
) -> None:
    def bulk_count() -> float:
        value = REGISTRY.get_sample_value(
            "kcc_hub_bulk_lookups_total", {"gemeente": "9999", "rol": "kcc-medewerker"}
        )
        return value or 0.0

    before = bulk_count()
    for _ in range(3):
        assert (
            limited.post(
                f"{BASE}/personen", json=_raadpleeg(), headers=_auth(token_for)
            ).status_code
            == 200
        )
    assert bulk_count() == before + 1
    r = limited.post(
        f"{BASE}/logboek/_zoek",
        json={"signaal": "bulk"},
        headers=_auth(token_for, "privacy-officer"),
    )
    assert r.status_code == 200, r.text
    [regel] = r.json()["regels"]
    assert regel["signalen"] == ["bulk"] and regel["activiteit"] == "personen-bevragen"
    with limited.app_state.store.session() as s:  # type: ignore[attr-defined]
        keys = privacy_for(limited.app_state.tenants.gemeenten["9999"]).sleutels  # type: ignore[attr-defined]
        assert logboek_chain.verify(s, keys).intact


def test_wildcard_searches_are_limited_per_role(
    limited: TestClient, token_for: Callable[..., str]
) -> None:
    r = limited.post(f"{BASE}/personen", json=_wildcard(), headers=_auth(token_for))
    assert r.status_code == 403 and "wildcard_zoeken" in r.json()["detail"]
    backoffice = _auth(token_for, "backoffice")
    assert limited.post(f"{BASE}/personen", json=_wildcard(), headers=backoffice).status_code == 200
    assert limited.post(f"{BASE}/personen", json=_wildcard(), headers=backoffice).status_code == 429


def test_a_gemeente_overrides_the_limits_of_its_roles(
    tmp_path: Path, sqlite_url: str, dev_key: str, keys_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.tenants import load_tenants

    config = _config(tmp_path, plugin=False)
    _limits(config, '[rate_limits.persoon_bevragingen]\nkcc-medewerker = "4/minute"\n')
    with (config / "gemeenten" / "9999.toml").open("a") as fh:
        fh.write('\n[rate_limits.persoon_bevragingen]\nkcc-medewerker = "9/hour"\n')
    limits = load_tenants(config, {}).gemeenten["9999"].rate_limits
    assert limits.limit("persoon_bevragingen", "kcc-medewerker") == "9/hour"
    assert limits.limit("persoon_bevragingen", "backoffice") == "120/minute;2000/hour"


# ---------------------------------------------------------------------------------------------
# Two API processes sharing Redis


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def two_processes(tmp_path: Path, redis_url: str) -> Iterator[list[str]]:
    """Two real uvicorn processes on loopback: one config, one SQLite store, one Redis."""
    config = _limits(
        _config(tmp_path, plugin=False),
        '[rate_limits.persoon_bevragingen]\nkcc-medewerker = "3/minute"\n',
    )
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KCC_")},
        **LOGBOEK_KEYS,
        "KCC_HUB_CONFIG": str(config),
        "KCC_HUB_DEV_KEY": DEV_KEY,
        "KCC_HUB_LOAD_PLUGINS": "geen",
        "KCC_HUB_LOG_LEVEL": "WARNING",
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "PYTHONPATH": str(REPO),
    }
    processes, bases = [], []
    for _ in range(2):
        port = _free_port()
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--factory",
                    "hub.api.app:app_from_env",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--http",
                    "hub.api.server:ProblemH11Protocol",
                    "--no-access-log",
                ],
                env=env,
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        for base in bases:
            while True:
                try:
                    if httpx.get(base + "/livez", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the API processes did not start"
                time.sleep(0.2)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(10)


def test_the_limit_holds_across_two_api_processes_sharing_redis(
    two_processes: list[str], token_for: Callable[..., str]
) -> None:
    headers = {"Authorization": f"Bearer {token_for('kcc-medewerker')}"}
    body = {
        "burgerservicenummer": BSN,
        "doel": "kcc-identificatie",
    }
    statuses = []
    for n in range(5):
        base = two_processes[n % 2]
        r = httpx.post(f"{base}{BASE}/zaken/_zoek", json=body, headers=headers, timeout=10)
        statuses.append(r.status_code)
        last = r
    # Three lookups anywhere (no zaaksysteem here: 404 after the count), then 429 on both.
    assert statuses == [404, 404, 404, 429, 429]
    assert last.headers["content-type"] == "application/problem+json"
    assert int(last.headers["Retry-After"]) >= 1
