"""Fuzzing the API over the real plugins: the demo gemeente 9999 with every upstream double
running. Generated requests reach the BRP, ZGW, Fixi and Exchange clients and doubles; none
may produce a 5xx other than the honest 502/503/504 of an upstream refusing or failing."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from devkit.demo import DEMO_ENV, running_doubles
from hub.api.app import create_app
from hub.runtime import Runtime

REPO = Path(__file__).resolve().parents[1]
DOUBLE_PORTS = (8711, 8712, 8713, 8714, 8722, 8723)
# Upstream outcomes the API reports as such; anything else >= 500 is a hub bug.
UPSTREAM_STATUSES = {502, 503, 504}


def _open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def doubles() -> Iterator[None]:
    with running_doubles(True):
        deadline = time.monotonic() + 60
        while not all(_open(p) for p in DOUBLE_PORTS) and time.monotonic() < deadline:
            time.sleep(0.2)
        yield


@pytest.fixture
def demo_runtime(doubles: None, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    """The demo configuration on a migrated store: SQLite, then PostgreSQL."""
    for key, value in DEMO_ENV.items():
        monkeypatch.setenv(key, value)
    return Runtime.build(config_dir=REPO / "config", database_url=database_url)


# Per operation and database; PostgreSQL repeats the run with fewer examples.
EXAMPLES = {"sqlite": 25, "postgresql": 8}


def test_no_request_over_the_real_plugins_gets_a_hub_error(
    demo_runtime: Runtime, token_for: Callable[..., str]
) -> None:
    examples = EXAMPLES[demo_runtime.store.dialect]
    os.environ["KCC_HUB_DEV_KEY"] = DEMO_ENV["KCC_HUB_DEV_KEY"]
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(demo_runtime))
    tokens = {
        role: token_for(role)
        for role in ("kcc-medewerker", "backoffice", "privacy-officer", "beheerder", "teamleider")
    }
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case: Any) -> None:
            if case.path_parameters and "gemeentecode" in case.path_parameters:
                case.path_parameters["gemeentecode"] = "9999"
            for token in tokens.values():
                response = case.call(headers={"Authorization": f"Bearer {token}"})
                status = response.status_code
                assert status < 500 or status in UPSTREAM_STATUSES, (
                    case.method,
                    case.path,
                    status,
                    response.text[:500],
                )

        check()
