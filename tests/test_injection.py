"""Injection suite: every string the API reads, in every operation, with hostile payloads.

Each operation of the served OpenAPI document gets a plausible request, and then each
string in it (query and path parameters, every string field of the body, nested ones
included) is replaced by each payload: SQL, LDAP and template injection, path traversal,
markup, very long and exotic Unicode, and control characters. On SQLite and PostgreSQL:

* no answer is a 5xx, and every error is problem+json;
* a control character anywhere is a 400 ``controlCharacter`` problem naming the field;
* afterwards the store is whole: its tables answer and the logboek chain verifies.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from hub.api.app import create_app
from hub.privacy.logboek import chain as logboek_chain
from hub.privacy.settings import privacy_for
from hub.runtime import Runtime

PAYLOADS = [
    "' OR '1'='1",
    "'; DROP TABLE logboek; --",
    '" OR ""="',
    "1); SELECT pg_sleep(5); --",
    "*)(uid=*))(|(uid=*",
    "../../../../etc/passwd",
    "{{7*7}}${7*7}<%= 7*7 %>",
    "<script>alert(1)</script>",
    "%00%0d%0a",
    "\u202egnp.exe",
    "ｔｅｓｔ 😀" * 5,
    "A" * 5000,
]
CONTROL = ["lamp kapot\u0000 …", "\u0007", "\u001b[31m", "\u0085", "\ud800"]
BASE = "/api/v1/gemeenten/9999"


@pytest.fixture
def runtime(make_runtime: Callable[..., Any], database_url: str) -> Runtime:
    rt: Runtime = make_runtime(database_url)
    return rt


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime)) as c:
        yield c


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [_resolve(s, document) for s in schema[key]]
            return next((o for o in options if o.get("type") != "null"), options[0])
    return schema


def _sample(schema: dict[str, Any], document: dict[str, Any]) -> Any:
    schema = _resolve(schema, document)
    if "examples" in schema:
        return schema["examples"][0]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = set(schema.get("required", []))
        return {
            name: _sample(sub, document)
            for name, sub in schema.get("properties", {}).items()
            if name in required
        }
    if kind == "array":
        return [_sample(schema.get("items", {}), document)]
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    if schema.get("format") == "date-time":
        return "2026-01-01T00:00:00+00:00"
    return "abc"


def _string_paths(
    schema: dict[str, Any], document: dict[str, Any], prefix: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    schema = _resolve(schema, document)
    if schema.get("type") == "object" or "properties" in schema:
        for name, sub in schema.get("properties", {}).items():
            yield from _string_paths(sub, document, (*prefix, name))
    elif schema.get("type") == "string" or ("type" not in schema and prefix):
        yield prefix


def _set(body: dict[str, Any], path: tuple[str, ...], value: str) -> dict[str, Any]:
    out = dict(body)
    if len(path) == 1:
        out[path[0]] = value
    else:
        inner = out.get(path[0])
        out[path[0]] = _set(inner if isinstance(inner, dict) else {}, path[1:], value)
    return out


def _q(value: Any) -> str:
    return quote(str(value), safe="", errors="surrogatepass")


def _url(route: str, values: dict[str, str], query: dict[str, Any]) -> str:
    path = route
    for name, value in values.items():
        path = path.replace("{" + name + "}", _q(value))
    if not query:
        return path
    return path + "?" + "&".join(f"{k}={_q(v)}" for k, v in query.items())


def _requests(document: dict[str, Any], payload: str) -> Iterator[tuple[str, str, str, Any]]:
    """(label, method, url, json body or None) with ``payload`` in one string place each."""
    server = document.get("servers", [{"url": ""}])[0]["url"].rstrip("/")
    for relative, methods in document["paths"].items():
        route = server + relative
        for method, operation in methods.items():
            params = operation.get("parameters", [])
            path_values = {
                p["name"]: str(_sample(p.get("schema", {}), document))
                for p in params
                if p["in"] == "path"
            }
            path_values["gemeentecode"] = "9999"
            query = {
                p["name"]: _sample(p.get("schema", {}), document)
                for p in params
                if p["in"] == "query" and p.get("required")
            }
            body_schema = (
                operation.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema")
            )
            body = _sample(body_schema, document) if body_schema else None

            def url(values: dict[str, str], extra: dict[str, Any]) -> str:
                return _url(route, values, {**query, **extra})  # noqa: B023 - used at once

            for p in params:
                if p["in"] == "path" and p["name"] != "gemeentecode":
                    yield (
                        f"{method} {route} path {p['name']}",
                        method,
                        url({**path_values, p["name"]: payload}, {}),
                        body,
                    )
                elif p["in"] == "query":
                    yield (
                        f"{method} {route} query {p['name']}",
                        method,
                        url(path_values, {p["name"]: payload}),
                        body,
                    )
            if body_schema:
                for field in _string_paths(body_schema, document):
                    yield (
                        f"{method} {route} body {'.'.join(field)}",
                        method,
                        url(path_values, {}),
                        _set(body or {}, field, payload),
                    )


def _send(client: TestClient, token: str, method: str, url: str, body: Any) -> Any:
    headers = {
        "Authorization": f"Bearer {token}",
        "Idempotency-Key": "injectie-1",
        "Content-Type": "application/json",
    }
    # json.dumps escapes what UTF-8 cannot carry (a lone surrogate becomes \ud800).
    content = json.dumps(body).encode() if body is not None else None
    return client.request(method.upper(), url, content=content, headers=headers)


def test_no_payload_in_any_string_gets_a_server_error_or_changes_the_store(
    client: TestClient, runtime: Runtime, token_for: Callable[..., str]
) -> None:
    token = token_for("kcc-medewerker", "backoffice", "privacy-officer", "beheerder")
    document = client.get("/api/v1/openapi.json").json()
    sent = 0
    statuses: set[int] = set()
    for payload in PAYLOADS:
        for label, method, url, body in _requests(document, payload):
            response = _send(client, token, method, url, body)
            sent += 1
            statuses.add(response.status_code)
            assert response.status_code < 500, (label, payload[:40], response.text[:300])
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json", label
    assert sent > 100
    # The payloads reached handlers and the store, not only validation.
    assert statuses & {200, 202}, statuses
    with runtime.store.session() as session:
        for table in ("logboek", "meldingen", "melding_outbox", "medewerkers"):
            session.execute(text(f"SELECT count(*) FROM {table}"))
        keys = privacy_for(runtime.tenants.gemeenten["9999"]).sleutels
        assert logboek_chain.verify(session, keys).intact


def test_a_control_character_in_any_string_is_a_400_naming_it(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    token = token_for("kcc-medewerker", "backoffice", "privacy-officer", "beheerder")
    document = client.get("/api/v1/openapi.json").json()
    checked = 0
    for payload in CONTROL:
        for label, method, url, body in _requests(document, payload):
            if " body " not in label and payload == "\ud800":
                continue  # a lone surrogate has no UTF-8 form to put in a URL
            response = _send(client, token, method, url, body)
            checked += 1
            assert response.status_code == 400, (label, repr(payload), response.text[:300])
            [problem] = response.json()["invalidParams"]
            assert problem["code"] == "controlCharacter", label
    assert checked > 50
