"""Who may use the facades: each gemeente's own client keys, nothing else; data stays per gemeente."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from plugins.brp.double.haalcentraal import HaalCentraalDouble, run_haalcentraal_double
from tests.facades import kiss
from tests.facades.conftest import (
    API_KEY,
    JAN,
    MEDEWERKER_TYPE,
    OBJECTEN_TOKEN,
    OTHER_API_KEY,
    OTHER_OBJECTEN_TOKEN,
    Hub,
    apply,
    gemeente_toml,
    mw,
    other_gemeente_toml,
    seed_directory,
)

HC = "/api/v1/gemeenten/{code}/haalcentraal/brp/personen"
OBJECTEN = "/api/v1/gemeenten/{code}/objecten/api/v2/objects"
AMSTERDAMMER = mw(40, "Eva", "Amsterdam", account_naam="eamsterdam")


@pytest.fixture
def brp() -> Iterator[HaalCentraalDouble]:
    with run_haalcentraal_double() as double:
        yield double


@pytest.fixture
def hub(make_hub: Callable[..., Hub], database_url: str, brp: HaalCentraalDouble) -> Hub:
    built = make_hub(database_url, gemeente_toml(brp_url=brp.base_url), other=other_gemeente_toml())
    seed_directory(built.store)
    apply(built.store, "medewerkers", gemeente="0363", upserts=[AMSTERDAMMER])
    return built


def brp_status(hub: Hub, code: str, headers: dict[str, str]) -> int:
    body = kiss.raadpleeg_bsn("999993653")
    return hub.client.post(HC.format(code=code), json=body, headers=headers).status_code


def objecten_status(hub: Hub, code: str, headers: dict[str, str]) -> int:
    url = OBJECTEN.format(code=code)
    return hub.client.get(url, params={"type": MEDEWERKER_TYPE}, headers=headers).status_code


def test_the_gemeentes_own_client_key_admits(hub: Hub) -> None:
    assert brp_status(hub, "9999", kiss.headers(API_KEY, JAN.email, "kcc-identificatie")) == 200
    assert objecten_status(hub, "9999", {"Authorization": f"Token {OBJECTEN_TOKEN}"}) == 200


@pytest.mark.parametrize(
    ("code", "headers"),
    [
        ("9999", {}),
        # Another gemeente's key, on this gemeente.
        ("9999", {"X-API-KEY": OTHER_API_KEY, "x-gebruiker": JAN.email or ""}),
        # This gemeente's key, on another gemeente.
        ("0363", {"X-API-KEY": API_KEY, "x-gebruiker": JAN.email or ""}),
        # A gemeente the hub does not serve answers like a wrong key.
        ("0599", {"X-API-KEY": API_KEY, "x-gebruiker": JAN.email or ""}),
        # The Objecten token is no BRP key.
        ("9999", {"X-API-KEY": OBJECTEN_TOKEN, "x-gebruiker": JAN.email or ""}),
        ("9999", {"x-api-key": API_KEY[:-1], "x-gebruiker": JAN.email or ""}),
    ],
)
def test_the_brp_facade_admits_no_other_key(hub: Hub, code: str, headers: dict[str, str]) -> None:
    assert brp_status(hub, code, headers) == 401


def test_a_hub_token_with_every_role_does_not_open_the_brp_facade(
    hub: Hub, token_for: Callable[..., str]
) -> None:
    token = token_for("kcc-medewerker", "backoffice", "privacy-officer", "beheerder")
    assert brp_status(hub, "9999", {"Authorization": f"Bearer {token}"}) == 401
    assert objecten_status(hub, "9999", {"Authorization": f"Bearer {token}"}) == 401


@pytest.mark.parametrize(
    ("code", "authorization"),
    [
        ("9999", f"Token {OTHER_OBJECTEN_TOKEN}"),
        ("0363", f"Token {OBJECTEN_TOKEN}"),
        ("0599", f"Token {OBJECTEN_TOKEN}"),
        ("9999", f"Token {API_KEY}"),
        ("9999", f"Bearer {OBJECTEN_TOKEN}"),
        ("9999", f"Token  {OBJECTEN_TOKEN}x"),
        ("9999", "Token"),
    ],
)
def test_the_objecten_facade_admits_no_other_token(hub: Hub, code: str, authorization: str) -> None:
    assert objecten_status(hub, code, {"Authorization": authorization}) == 401


def test_each_gemeente_sees_only_its_own_directory(hub: Hub) -> None:
    def identificaties(code: str, token: str) -> set[str]:
        response = hub.client.get(
            OBJECTEN.format(code=code),
            params={"type": MEDEWERKER_TYPE},
            headers={"Authorization": f"Token {token}"},
        )
        assert response.status_code == 200
        return {r["record"]["data"]["identificatie"] for r in response.json()["results"]}

    assert identificaties("0363", OTHER_OBJECTEN_TOKEN) == {"eamsterdam"}
    assert "eamsterdam" not in identificaties("9999", OBJECTEN_TOKEN)
    # A user of 9999 is unknown in 0363, with 0363's own key.
    headers = kiss.headers(OTHER_API_KEY, JAN.email, "kcc-identificatie")
    assert brp_status(hub, "0363", headers) == 403
