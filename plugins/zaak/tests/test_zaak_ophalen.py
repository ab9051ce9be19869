"""One zaak by identificatie, health and configuration."""

from __future__ import annotations

import pydantic
import pytest

from hub.errors import UpstreamUnavailable
from hub.plugin_api import HealthState
from plugins.zaak import plugin
from plugins.zaak.config import ZaakSettings
from plugins.zaak.double import ZgwDouble
from plugins.zaak.tests.conftest import bron, context


def test_a_zaak_is_found_by_identificatie_in_whichever_zaaksysteem_holds_it(
    zaaksysteem_a: ZgwDouble, zaaksysteem_b: ZgwDouble
) -> None:
    [identificatie] = zaaksysteem_b.add_zaken(bsn="999992806", aantal=1)
    ctx = context(
        bron(zaaksysteem_a, "A", "ZGW_SECRET_A"), bron(zaaksysteem_b, "B", "ZGW_SECRET_B")
    )

    zaak = plugin.kcc_get_zaak(ctx, identificatie=identificatie)

    assert zaak is not None
    assert zaak.identificatie == identificatie and zaak.bron == "B" and zaak.status


def test_an_unknown_identificatie_gives_none(zaaksysteem_a: ZgwDouble) -> None:
    ctx = context(bron(zaaksysteem_a, "A", "ZGW_SECRET_A"))

    assert plugin.kcc_get_zaak(ctx, identificatie="ZAAK-BESTAAT-NIET") is None


def test_a_failing_source_is_not_taken_for_not_found(
    zaaksysteem_a: ZgwDouble, zaaksysteem_b: ZgwDouble
) -> None:
    zaaksysteem_b.faults.status = 500
    ctx = context(
        bron(zaaksysteem_a, "A", "ZGW_SECRET_A"),
        bron(zaaksysteem_b, "B", "ZGW_SECRET_B", max_attempts=1),
    )

    with pytest.raises(UpstreamUnavailable) as raised:
        plugin.kcc_get_zaak(ctx, identificatie="ZAAK-ONBEKEND")

    assert getattr(raised.value, "status", None) == 503


def test_health_is_ok_degraded_or_down_per_source(
    zaaksysteem_a: ZgwDouble, zaaksysteem_b: ZgwDouble
) -> None:
    ctx = context(
        bron(zaaksysteem_a, "A", "ZGW_SECRET_A"),
        bron(zaaksysteem_b, "B", "ZGW_SECRET_B", max_attempts=1),
    )
    assert plugin.kcc_healthcheck(ctx).state == HealthState.OK

    zaaksysteem_b.faults.status = 401
    health = plugin.kcc_healthcheck(ctx)
    assert health.state == HealthState.DEGRADED and "B" in health.detail

    zaaksysteem_a.faults.status = 500
    assert plugin.kcc_healthcheck(ctx).state == HealthState.DOWN


def test_a_literal_secret_in_configuration_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError):
        ZaakSettings.model_validate(
            {
                "bronnen": [
                    {
                        "naam": "A",
                        "zaken_url": "https://zaken.example.nl/zaken/api/v1",
                        "catalogi_urls": ["https://zaken.example.nl/catalogi/api/v1"],
                        "client_id": "kcc-hub",
                        "secret": "letterlijk-geheim",
                    }
                ]
            }
        )


def test_two_sources_with_the_same_name_are_refused(zaaksysteem_a: ZgwDouble) -> None:
    with pytest.raises(pydantic.ValidationError):
        context(bron(zaaksysteem_a, "A", "ZGW_SECRET_A"), bron(zaaksysteem_a, "A", "ZGW_SECRET_A"))


def test_plugin_info_offers_zaken() -> None:
    info = plugin.kcc_plugin_info()
    assert info.name == "zaak" and "zaken" in info.capabilities
    assert info.settings_model is ZaakSettings
