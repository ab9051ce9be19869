"""What the fuzzer found about conformance with our own OpenAPI document, now held."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub.api.app import create_app

BASE = "/api/v1/gemeenten/9999"


@pytest.fixture
def client(make_runtime: Callable[..., Any]) -> TestClient:
    return TestClient(create_app(make_runtime()))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_405_names_every_method_of_the_path_in_allow(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    response = client.put(
        f"{BASE}/plugins/notities/synchronisaties", headers=bearer(token_for("beheerder"))
    )
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert {"GET", "POST"} <= set(response.headers["Allow"].split(", "))


@pytest.mark.parametrize("value", ["0.5", "1700000000", "-1"])
def test_a_number_is_not_read_as_unix_time(
    client: TestClient, token_for: Callable[..., str], value: str
) -> None:
    response = client.post(
        f"{BASE}/logboek/_zoek", json={"van": value}, headers=bearer(token_for("privacy-officer"))
    )
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "van"


def test_a_page_past_the_end_is_an_empty_list_not_an_error(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    response = client.post(
        f"{BASE}/logboek/_zoek",
        json={"pagina": 99_999},
        headers=bearer(token_for("privacy-officer")),
    )
    assert response.status_code == 200 and response.json()["regels"] == []


def _unbounded(schema: dict[str, Any], document: dict[str, Any], where: str) -> list[str]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    found: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += _unbounded(sub, document, where)
    kind = schema.get("type")
    bounded = "maxLength" in schema or "enum" in schema or "const" in schema
    if kind == "string" and not bounded:
        found.append(where)
    for name, sub in schema.get("properties", {}).items():
        found += _unbounded(sub, document, f"{where}.{name}")
    if kind == "array":
        found += _unbounded(schema.get("items", {}), document, f"{where}[]")
    return found


def test_every_string_the_api_reads_has_a_maximum_length(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    unbounded: list[str] = []
    for route, methods in document["paths"].items():
        for method, operation in methods.items():
            for p in operation.get("parameters", []):
                where = f"{method} {route} {p['in']} {p['name']}"
                unbounded += _unbounded(p.get("schema", {}), document, where)
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                unbounded += _unbounded(body["schema"], document, f"{method} {route} body")
    assert unbounded == []
