"""CORS: browser front ends on the origins in ``[cors]`` of hub.toml may call the API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from hub.api.app import create_app
from hub.tenants import CorsSettings

PLUGINS = "/api/v1/gemeenten/9999/plugins"
ALLOWED = "http://localhost:5173"
REFUSED = "https://evil.example"


@pytest.fixture
def client(make_runtime: Callable[..., Any]) -> TestClient:
    # The test configuration copies the shipped hub.toml, which allows local dev servers.
    return TestClient(create_app(make_runtime()), raise_server_exceptions=False)


def preflight(client: TestClient, origin: str) -> Any:
    return client.options(
        PLUGINS,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )


def test_a_preflight_from_an_allowed_origin_is_answered(client: TestClient) -> None:
    response = preflight(client, ALLOWED)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "GET" in response.headers["access-control-allow-methods"]
    assert "authorization" in response.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in response.headers


def test_a_preflight_from_another_origin_is_refused_as_a_problem(client: TestClient) -> None:
    response = preflight(client, REFUSED)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "access-control-allow-origin" not in response.headers
    assert "CORS" in response.json()["detail"]


def test_a_get_from_an_allowed_origin_may_be_read_by_the_browser(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    response = client.get(
        PLUGINS, headers={"Origin": ALLOWED, "Authorization": f"Bearer {token_for('beheerder')}"}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    exposed = response.headers["access-control-expose-headers"]
    assert "API-Version" in exposed and "X-Trace-Id" in exposed


def test_a_get_from_another_origin_carries_no_cors_permission(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    response = client.get(
        PLUGINS, headers={"Origin": REFUSED, "Authorization": f"Bearer {token_for('beheerder')}"}
    )
    assert "access-control-allow-origin" not in response.headers


def test_errors_for_an_allowed_origin_are_readable_too(client: TestClient) -> None:
    response = client.get(PLUGINS, headers={"Origin": ALLOWED})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == ALLOWED


def test_without_configured_origins_there_is_no_cors(
    make_runtime: Callable[..., Any], hub_config: Path
) -> None:
    hub_toml = hub_config / "hub.toml"
    text = hub_toml.read_text(encoding="utf-8")
    start = text.index("\n[cors]")
    hub_toml.write_text(text[:start] + text[text.index("\n[auth]") :], encoding="utf-8")
    client = TestClient(create_app(make_runtime()), raise_server_exceptions=False)
    response = preflight(client, ALLOWED)
    assert response.status_code == 405
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    "origin", ["*", "http://localhost:5173/", "localhost:5173", "https://kcc.gemeente.nl/app"]
)
def test_an_origin_that_is_no_origin_is_a_configuration_error(origin: str) -> None:
    with pytest.raises(ValidationError) as info:
        CorsSettings(allowed_origins=[origin])
    assert "origin" in str(info.value) or "wildcard" in str(info.value)
