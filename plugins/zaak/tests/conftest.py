from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hub.caller import Caller
from hub.plugin_api import HookContext
from hub.pluginmanager import PluginHost, load_plugins
from hub.retrying import RetryPolicy
from hub.tenants import AuthSettings, Gemeente
from plugins.zaak import plugin
from plugins.zaak.config import ZaakSettings
from plugins.zaak.double import ZgwDouble, run_zgw_double

SECRET_A = "geheim-van-zaaksysteem-a-0123456789abcdef"
SECRET_B = "geheim-van-zaaksysteem-b-0123456789abcdef"

MEDEWERKER = Caller(
    subject="m.devries",
    display_name="Marieke de Vries",
    roles=frozenset({"kcc-medewerker"}),
    gemeenten=frozenset({"9999"}),
    client_id="kcc-frontend",
)


@pytest.fixture(scope="session")
def zaaksysteem_a() -> Iterator[ZgwDouble]:
    with run_zgw_double(prefix="ZAAK-A", clients={"kcc-hub": SECRET_A}, page_size=4) as double:
        yield double


@pytest.fixture(scope="session")
def zaaksysteem_b() -> Iterator[ZgwDouble]:
    with run_zgw_double(prefix="ZAAK-B", clients={"kcc-hub": SECRET_B}, page_size=4) as double:
        yield double


@pytest.fixture(autouse=True)
def _fresh(
    zaaksysteem_a: ZgwDouble, zaaksysteem_b: ZgwDouble, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("ZGW_SECRET_A", SECRET_A)
    monkeypatch.setenv("ZGW_SECRET_B", SECRET_B)
    for double in (zaaksysteem_a, zaaksysteem_b):
        double.faults.reset()
        double.requests.clear()
        double.urls.clear()
    yield


def bron(double: ZgwDouble, naam: str, secret_env: str, **extra: Any) -> dict[str, Any]:
    return {
        "naam": naam,
        "zaken_url": double.zaken_url,
        "catalogi_urls": [double.catalogi_url],
        "client_id": "kcc-hub",
        "secret": "${" + secret_env + "}",
        "timeout_seconds": 2,
        "retry_wait_seconds": 0.01,
        **extra,
    }


def context(*bronnen: dict[str, Any]) -> HookContext:
    """What the core hands the plugin: its settings and the client it built for them."""
    settings = ZaakSettings.model_validate({"bronnen": list(bronnen)})
    ctx = HookContext(gemeente="9999", settings=settings, caller=MEDEWERKER, trace_id="t" * 32)
    ctx.client = plugin.kcc_build_client(ctx)
    return ctx


def plugin_host(*bronnen: dict[str, Any], attempts: int) -> PluginHost:
    """The hub's real PluginHost with only the zaak plugin: retries are the core's."""
    settings = ZaakSettings.model_validate({"bronnen": list(bronnen)})
    gemeente = Gemeente(
        code="9999", naam="Voorbeeldstad", plugin_settings={"zaak": settings}, auth=AuthSettings()
    )
    policy = RetryPolicy(attempts=attempts, initial=0.01, maximum=0.05)
    return PluginHost(load_plugins([("zaak", plugin)]), {"9999": gemeente}, retry_policy=policy)
