"""Property-based fuzzing of every operation in the OpenAPI document: no input yields a 5xx.

Schemathesis generates valid and invalid requests from the served document;
each goes through the real app (auth, validation, handlers, store) with a token
that holds every role for the gemeente in the path. The run repeats on
PostgreSQL, the production store, with fewer examples per operation to keep
the suite's time modest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from hub.api.app import create_app

EXAMPLES_PER_OPERATION = {"sqlite": 40, "postgresql": 15}


def test_no_generated_request_gets_a_server_error(
    make_runtime: Callable[..., Any], token_for: Callable[..., str], database_url: str
) -> None:
    examples = EXAMPLES_PER_OPERATION[database_url.split(":", 1)[0].split("+", 1)[0]]
    schema = schemathesis.openapi.from_asgi(
        "/api/v1/openapi.json", create_app(make_runtime(database_url))
    )
    token = token_for("kcc-medewerker", "backoffice", "privacy-officer", "beheerder", "teamleider")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case: Any) -> None:
            # A configured gemeente, so requests reach the handlers rather than stopping at 404.
            if case.path_parameters and "gemeentecode" in case.path_parameters:
                case.path_parameters["gemeentecode"] = "9999"
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            assert response.status_code < 500, (
                case.method,
                case.path,
                response.status_code,
                response.text[:500],
            )
            # Schemathesis gives lower-cased header names with lists of values.
            headers = {k.lower(): v for k, v in response.headers.items()}
            if response.status_code >= 400:
                assert headers["content-type"] == ["application/problem+json"]
            assert headers["api-version"] == ["1.0.0"]

        check()
