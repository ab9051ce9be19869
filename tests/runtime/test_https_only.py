"""A plain ``http://`` URL that is not loopback is a configuration error for every HTTP
plugin (issue 12, acceptance 3); loopback stays allowed for the doubles and the demo."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from plugins.brp.config import BrpSettings
from plugins.exchange.config import ExchangeSettings
from plugins.fixi.config import FixiSettings
from plugins.openklant.config import OpenKlantSettings
from plugins.zaak.config import ZaakSettings


def fixi(url: str) -> dict[str, Any]:
    return {"base_url": url, "auth": "api_key", "api_key": "${FIXI_KEY}"}


def zaak(url: str) -> dict[str, Any]:
    bron = {
        "naam": "Open Zaak",
        "zaken_url": url + "/zaken/api/v1",
        "catalogi_urls": ["https://zaken.gemeente.nl/catalogi/api/v1"],
        "client_id": "kcc-hub",
        "secret": "${ZGW_SECRET}",
    }
    return {"bronnen": [bron]}


def zaak_catalogi(url: str) -> dict[str, Any]:
    settings = zaak("https://zaken.gemeente.nl")
    settings["bronnen"][0]["catalogi_urls"] = [url + "/catalogi/api/v1"]
    return settings


def brp(url: str) -> dict[str, Any]:
    return {"haalcentraal": {"base_url": url + "/haalcentraal/api/brp"}}


def openklant(url: str) -> dict[str, Any]:
    return {"base_url": url + "/klantinteracties/api/v1", "token": "${OPENKLANT_TOKEN}"}


def exchange_graph(url: str) -> dict[str, Any]:
    return {
        "backend": "graph",
        "afzender": "kcc@gemeente.nl",
        "graph": {
            "base_url": url + "/v1.0",
            "oauth2": {"tenant_id": "t", "client_id": "c", "client_secret": "${EXCHANGE_SECRET}"},
        },
    }


def exchange_ews(url: str) -> dict[str, Any]:
    return {
        "backend": "ews",
        "afzender": "kcc@gemeente.nl",
        "ews": {
            "service_endpoint": url + "/EWS/Exchange.asmx",
            "auth": "basic",
            "username": "kcc",
            "password": "${EXCHANGE_PASSWORD}",
        },
    }


CASES = {
    "fixi": (FixiSettings, fixi),
    "zaak (zaken_url)": (ZaakSettings, zaak),
    "zaak (catalogi_urls)": (ZaakSettings, zaak_catalogi),
    "brp (haalcentraal)": (BrpSettings, brp),
    "openklant": (OpenKlantSettings, openklant),
    "exchange (graph)": (ExchangeSettings, exchange_graph),
    "exchange (ews)": (ExchangeSettings, exchange_ews),
}


@pytest.mark.parametrize("case", CASES)
def test_a_plain_http_url_off_loopback_is_a_config_error(case: str) -> None:
    model, settings = CASES[case]

    with pytest.raises(ValidationError) as refused:
        model.model_validate(settings("http://zaken.gemeente.nl"))

    assert "use https" in str(refused.value)


@pytest.mark.parametrize("case", CASES)
def test_https_and_loopback_http_are_accepted(case: str) -> None:
    model, settings = CASES[case]
    for url in ("https://bron.gemeente.nl", "http://127.0.0.1:8080", "http://localhost:8080"):
        assert isinstance(model.model_validate(settings(url)), BaseModel)
