"""Schemathesis on the facade operations, with the credentials KISS would send: no 5xx ever.

The general fuzz run (tests/test_fuzz_api.py) reaches these operations too, but with a
hub token they stop at 401; here generated requests get past authentication, into the
translation, the directory and the privacy pipeline, on both databases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from plugins.brp.double.haalcentraal import HaalCentraalDouble, run_haalcentraal_double
from tests.facades.conftest import (
    API_KEY,
    JAN,
    OBJECTEN_TOKEN,
    Hub,
    gemeente_toml,
    now,
    seed_availability,
    seed_directory,
)

EXAMPLES_PER_OPERATION = 40
CREDENTIALS = {
    "/gemeenten/{gemeentecode}/haalcentraal/brp/personen": {
        "X-API-KEY": API_KEY,
        "x-gebruiker": JAN.email or "",
        "x-doelbinding": "kcc-identificatie",
    },
    "/gemeenten/{gemeentecode}/objecten/api/v2/objects": {
        "Authorization": f"Token {OBJECTEN_TOKEN}"
    },
    "/gemeenten/{gemeentecode}/objecten/api/v2/objects/{uuid}": {
        "Authorization": f"Token {OBJECTEN_TOKEN}"
    },
}


@pytest.fixture
def brp() -> Iterator[HaalCentraalDouble]:
    with run_haalcentraal_double() as double:
        yield double


def test_no_generated_facade_request_gets_a_server_error(
    make_hub: Callable[..., Hub], database_url: str, brp: HaalCentraalDouble
) -> None:
    hub = make_hub(database_url, gemeente_toml(brp_url=brp.base_url), plugins="brp")
    seed_directory(hub.store)
    seed_availability(hub.store, now())
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", hub.client.app)
    operations = [
        result.ok() for result in schema.get_all_operations() if result.ok().path in CREDENTIALS
    ]
    assert len(operations) == len(CREDENTIALS)

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case: Any) -> None:
            case.path_parameters["gemeentecode"] = "9999"
            response = case.call(headers=CREDENTIALS[case.operation.path])
            assert response.status_code < 500, (
                case.method,
                case.path,
                response.status_code,
                response.text[:500],
            )
            headers = {k.lower(): v for k, v in response.headers.items()}
            if response.status_code >= 400:
                assert headers["content-type"] == ["application/problem+json"]
            assert headers["api-version"] == ["1.0.0"]

        check()
