"""Authentication, tenancy and errors: 401/403/404/400 as problem+json, API-Version everywhere."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from hub.api.app import create_app

PLUGINS = "/api/v1/gemeenten/9999/plugins"


@pytest.fixture
def client(make_runtime: Callable[..., Any]) -> TestClient:
    return TestClient(create_app(make_runtime()), raise_server_exceptions=False)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["API-Version"] == "1.0.0"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.text
    return body


def test_request_without_token_gets_401(client: TestClient) -> None:
    body = assert_problem(client.get(PLUGINS), 401)
    assert body["detail"] == "een Bearer-token is verplicht"


def test_expired_token_gets_401(client: TestClient, dev_key: str) -> None:
    now = int(time.time())
    token = jwt.encode(
        {
            "iss": "kcc-hub-dev",
            "aud": "kcc-hub",
            "sub": "u",
            "iat": now - 7200,
            "exp": now - 3600,
            "roles": ["beheerder"],
            "gemeenten": ["9999"],
        },
        dev_key,
        algorithm="HS256",
    )
    body = assert_problem(client.get(PLUGINS, headers=bearer(token)), 401)
    assert "verlopen" in body["detail"]


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("exp", "4102444800"),
        ("exp", 1e300),
        ("exp", 4102444800.5),
        ("exp", True),
        ("exp", 10**12),
        ("nbf", "0"),
        ("iat", 10**12),
        ("iat", "now"),
    ],
)
def test_time_claims_must_be_integers_within_sane_bounds(
    client: TestClient, dev_key: str, claim: str, value: Any
) -> None:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "kcc-hub-dev",
        "aud": "kcc-hub",
        "sub": "u",
        "iat": now,
        "exp": now + 600,
        "roles": ["beheerder"],
        "gemeenten": ["9999"],
        claim: value,
    }
    token = jwt.encode(claims, dev_key, algorithm="HS256")
    assert_problem(client.get(PLUGINS, headers=bearer(token)), 401)


def test_token_signed_with_another_key_gets_401(client: TestClient) -> None:
    now = int(time.time())
    token = jwt.encode(
        {
            "iss": "kcc-hub-dev",
            "aud": "kcc-hub",
            "sub": "u",
            "iat": now,
            "exp": now + 60,
            "roles": ["beheerder"],
            "gemeenten": ["9999"],
        },
        "een-andere-sleutel-van-voldoende-lengte-123456",
        algorithm="HS256",
    )
    assert_problem(client.get(PLUGINS, headers=bearer(token)), 401)


def test_garbage_token_gets_401(client: TestClient) -> None:
    assert_problem(client.get(PLUGINS, headers=bearer("niet.een.jwt")), 401)


def test_token_for_another_gemeente_gets_403(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    token = token_for("beheerder", gemeenten=("0363",))
    body = assert_problem(client.get(PLUGINS, headers=bearer(token)), 403)
    assert "9999" in body["detail"]


def test_role_not_allowed_gets_403(client: TestClient, token_for: Callable[..., str]) -> None:
    token = token_for("kcc-medewerker")
    assert_problem(client.get(PLUGINS + "/notities/synchronisaties", headers=bearer(token)), 403)


def test_a_gemeente_that_is_not_connected_answers_like_one_the_token_does_not_cover(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    not_connected = assert_problem(
        client.get(
            "/api/v1/gemeenten/0599/plugins",
            headers=bearer(token_for("beheerder", gemeenten=("0599",))),
        ),
        403,
    )
    not_covered = assert_problem(
        client.get(
            "/api/v1/gemeenten/0363/plugins",
            headers=bearer(token_for("beheerder", gemeenten=("0599",))),
        ),
        403,
    )
    assert not_connected["title"] == not_covered["title"]
    assert not_connected["detail"].replace("0599", "0363") == not_covered["detail"]


def test_malformed_body_gets_400_naming_the_field(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    response = client.post(
        PLUGINS + "/notities/synchronisaties",
        headers=bearer(token_for("beheerder")),
        json={"volledig": "misschien"},
    )
    body = assert_problem(response, 400)
    assert body["invalidParams"][0]["name"] == "volledig"


def test_body_that_is_not_json_gets_400(client: TestClient, token_for: Callable[..., str]) -> None:
    response = client.post(
        PLUGINS + "/notities/synchronisaties",
        headers={**bearer(token_for("beheerder")), "Content-Type": "application/json"},
        content=b"{niet: json",
    )
    body = assert_problem(response, 400)
    assert body["invalidParams"][0]["code"] == "json"


def test_invalid_gemeentecode_gets_400(client: TestClient, token_for: Callable[..., str]) -> None:
    body = assert_problem(
        client.get("/api/v1/gemeenten/amsterdam/plugins", headers=bearer(token_for("beheerder"))),
        400,
    )
    assert body["invalidParams"][0]["name"] == "gemeentecode"


def test_unknown_path_gets_404_problem(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/bestaat-niet"), 404)


def test_bsn_in_a_query_string_is_refused(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    body = assert_problem(
        client.get(PLUGINS + "?zoek=999993653", headers=bearer(token_for("beheerder"))), 400
    )
    assert "999993653" not in str(body)


def test_plugins_lists_enabled_plugins_with_health(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    response = client.get(PLUGINS, headers=bearer(token_for("beheerder")))
    assert response.status_code == 200
    assert response.headers["API-Version"] == "1.0.0"
    [plugin] = response.json()["plugins"]
    assert plugin["naam"] == "notities"
    assert plugin["gezondheid"] == "ok"
    assert plugin["laatsteSynchronisatie"] is None


def test_trace_id_from_traceparent_is_echoed(client: TestClient) -> None:
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    response = client.get(PLUGINS, headers={"traceparent": f"00-{trace}-00f067aa0ba902b7-01"})
    assert response.headers["X-Trace-Id"] == trace
    assert response.json()["traceId"] == trace


def test_probes_answer(client: TestClient) -> None:
    assert client.get("/livez").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"store": "ok", "broker": "ok"}


def test_metrics_without_a_token_answer_only_on_loopback(client: TestClient) -> None:
    # The test client is not on loopback; a Prometheus on the same host would be.
    assert_problem(client.get("/metrics"), 403)


def test_metrics_with_a_configured_token_need_it(
    make_runtime: Callable[..., Any],
    hub_config: Any,
    token_for: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KCC_METRICS_TOKEN", "metrics-" + "m" * 32)
    with (hub_config / "hub.toml").open("a") as fh:
        fh.write('\n[api]\nmetrics_token = "${KCC_METRICS_TOKEN}"\n')
    client = TestClient(create_app(make_runtime()))
    assert_problem(client.get("/metrics"), 401)
    assert_problem(client.get("/metrics", headers=bearer("wrong")), 401)
    # A hub token is not the metrics token.
    assert_problem(client.get("/metrics", headers=bearer(token_for("beheerder"))), 401)
    client.get(PLUGINS, headers=bearer(token_for("beheerder")))
    text = client.get("/metrics", headers=bearer("metrics-" + "m" * 32)).text
    assert 'route="/api/v1/gemeenten/{gemeentecode}/plugins"' in text
    assert 'gemeente="9999"' in text
    assert "kcc_hub_upstream_calls_total" in text


def test_every_gemeente_route_refuses_every_role_of_another_gemeente(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    """New routes included: the operations are read from the app's own OpenAPI document."""
    roles = ("kcc-medewerker", "backoffice", "privacy-officer", "beheerder", "teamleider")
    token = token_for(*roles, gemeenten=("0363",))
    operations = [
        (method.upper(), "/api/v1" + path.replace("{gemeentecode}", "9999"))
        for path, item in client.app.openapi()["paths"].items()  # type: ignore[attr-defined]
        if path.startswith("/gemeenten/{gemeentecode}/")
        # KISS's facades authenticate their clients by their own keys (tests/facades/test_toegang.py).
        and not path.startswith(FACADES)
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(operations) > 20
    for method, template in operations:
        path = "".join("x" if part.startswith("{") else part for part in _segments(template))
        response = client.request(method, path, headers=bearer(token), json={})
        assert response.status_code == 403, (method, template, response.status_code)


FACADES = ("/gemeenten/{gemeentecode}/haalcentraal/", "/gemeenten/{gemeentecode}/objecten")


def _segments(path: str) -> list[str]:
    """The path cut at its slashes, slashes kept, so placeholders can be filled one by one."""
    parts: list[str] = []
    for part in path.split("/"):
        parts.extend([part, "/"])
    return parts[:-1]
