"""Fixtures: both doubles on loopback serving the same synthetic calendars, and their settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TypeVar

import pytest

from hub.retrying import RetryPolicy, call_with_retries
from plugins.exchange.config import ExchangeSettings
from plugins.exchange.double import Kalenders, RunningDouble, demo_kalenders, serve
from plugins.exchange.double.server import BASIC_USER
from tests.support.fixtures import (  # noqa: F401 - shared hub fixtures
    database_url,
    dev_key,
    pg_admin_url,
    token_for,
)

T = TypeVar("T")
SECRET_ENV = "KCC_TEST_EXCHANGE_SECRET"
PASSWORD_ENV = "KCC_TEST_EXCHANGE_PASSWORD"


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(SECRET_ENV, "test-secret")
    monkeypatch.setenv(PASSWORD_ENV, BASIC_USER[1])
    # The doubles speak plain HTTP on loopback; oauthlib refuses bearer tokens over http otherwise.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    yield


@pytest.fixture
def nu() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def kalenders(nu: datetime) -> Kalenders:
    return demo_kalenders(nu, n=260)


@pytest.fixture
def ews(kalenders: Kalenders) -> Iterator[RunningDouble]:
    with serve("ews", kalenders) as running:
        yield running


@pytest.fixture
def graph(kalenders: Kalenders) -> Iterator[RunningDouble]:
    with serve("graph", kalenders) as running:
        yield running


def oauth2(double: RunningDouble) -> dict[str, str]:
    return {
        "tenant_id": "gemeente-test",
        "client_id": "kcc-hub-test",
        "client_secret": "${" + SECRET_ENV + "}",
        "authority": double.base_url,
    }


def ews_settings(double: RunningDouble, **overrides: object) -> ExchangeSettings:
    ews: dict[str, object] = {
        "service_endpoint": double.ews_url,
        "auth": "oauth2",
        "oauth2": oauth2(double),
    }
    ews.update(overrides.pop("ews", {}))  # type: ignore[call-overload]
    return ExchangeSettings.model_validate(
        {"backend": "ews", "afzender": "kcc@gemeente.test", "ews": ews, **overrides}
    )


def graph_settings(double: RunningDouble, **overrides: object) -> ExchangeSettings:
    return ExchangeSettings.model_validate(
        {
            "backend": "graph",
            "afzender": "kcc@gemeente.test",
            "graph": {"base_url": double.base_url + "/v1.0", "oauth2": oauth2(double)},
            **overrides,
        }
    )


def mailboxes(n: int) -> list[str]:
    return [f"medewerker{i:04d}@gemeente.test" for i in range(n)]


def core_retries(fn: Callable[[], T], attempts: int = 4) -> T:
    """``fn()`` under the core's one retry policy (``hub.retrying``), as the PluginHost runs it."""
    return call_with_retries(fn, RetryPolicy(attempts=attempts))
