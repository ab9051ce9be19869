"""Property-based fuzzing of every operation in the OpenAPI document: no input yields a 5xx.

Schemathesis generates valid and invalid requests from the served document;
each goes through the real app (auth, validation, handlers, store) with a token
that holds every role for the gemeente in the path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from hub.api.app import create_app


@pytest.fixture
def api_schema(make_runtime: Callable[..., Any]) -> Any:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(make_runtime()))


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
)
def test_no_generated_request_gets_a_server_error(case: Any, token_for: Callable[..., str]) -> None:
    # A configured gemeente, so requests reach the handlers rather than stopping at 404.
    if case.path_parameters is not None and "gemeentecode" in case.path_parameters:
        case.path_parameters["gemeentecode"] = "9999"
    token = token_for("kcc-medewerker", "backoffice", "privacy-officer", "beheerder")
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["API-Version"] == "1.0.0"
