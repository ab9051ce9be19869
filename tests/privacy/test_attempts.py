"""Every attempt on person data is recorded: refused (403) and malformed (400) requests that
carried a BSN, and the command line's own inzage and export, each found by inzage on that BSN."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from hub.cli import main
from hub.privacy import inzage as privacy_inzage
from hub.privacy.logboek import query as logboek_query
from hub.privacy.settings import privacy_for
from hub.runtime import Runtime
from tests.privacy.persons import BSN
from tests.privacy.test_api import BASE, _client, _config

KCC = "kcc-medewerker"


@pytest.fixture
def client(
    tmp_path: Path, database_url: str, dev_key: str, keys_env: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "testbrp")
    yield from _client(_config(tmp_path), database_url)


def inzage(client: TestClient, bsn: str = BSN) -> list[privacy_inzage.InzageRegel]:
    runtime: Runtime = client.app_state  # type: ignore[attr-defined]
    privacy = privacy_for(runtime.tenants.gemeenten["9999"])
    with runtime.store.session() as session:
        return privacy_inzage.inzage(session, privacy.sleutels, bsn, met_medewerker=True)


def raadpleeg(doel: str = "kcc-identificatie", **extra: Any) -> dict[str, Any]:
    return {
        "type": "RaadpleegMetBurgerservicenummer",
        "burgerservicenummer": [BSN],
        "doel": doel,
        **extra,
    }


def token(
    token_for: Callable[..., str], *roles: str, gemeenten: tuple[str, ...] = ("9999",)
) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(*roles, gemeenten=gemeenten, sub='poger')}"}


@pytest.mark.parametrize(
    ("roles", "gemeenten"),
    [
        (("beheerder",), ("9999",)),
        (("privacy-officer",), ("9999",)),
        (("stagiair",), ("9999",)),
        ((KCC,), ("0363",)),
    ],
    ids=["beheerder", "privacy-officer", "unknown-role", "other-gemeente"],
)
def test_a_refused_person_lookup_is_found_by_inzage_on_its_bsn(
    client: TestClient,
    token_for: Callable[..., str],
    roles: tuple[str, ...],
    gemeenten: tuple[str, ...],
) -> None:
    r = client.post(
        f"{BASE}/personen", json=raadpleeg(), headers=token(token_for, *roles, gemeenten=gemeenten)
    )
    assert r.status_code == 403, r.text
    [regel] = inzage(client)
    assert regel.resultaat == "geen_toegang" and regel.medewerker == "poger"
    assert regel.doel == "kcc-identificatie" and regel.gegevens == []


@pytest.mark.parametrize(
    ("roles", "gemeenten", "status"),
    [
        (("beheerder",), ("9999",), 403),
        ((KCC,), ("0363",), 403),
        ((KCC,), ("9999",), 400),
    ],
)
def test_a_refused_or_malformed_zaken_search_by_bsn_is_found_by_inzage(
    client: TestClient,
    token_for: Callable[..., str],
    roles: tuple[str, ...],
    gemeenten: tuple[str, ...],
    status: int,
) -> None:
    body: dict[str, Any] = {"burgerservicenummer": BSN, "doel": "kcc-identificatie"}
    if status == 400:
        body["onbekend"] = True
    r = client.post(
        f"{BASE}/zaken/_zoek", json=body, headers=token(token_for, *roles, gemeenten=gemeenten)
    )
    assert r.status_code == status, r.text
    [regel] = inzage(client)
    assert regel.resultaat == ("geen_toegang" if status == 403 else "ongeldig_verzoek")
    assert regel.doel == "kcc-identificatie"


def test_a_refused_doel_is_recorded_not_null(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    r = client.post(
        f"{BASE}/personen", json=raadpleeg(doel="zaakbehandeling"), headers=token(token_for, KCC)
    )
    assert r.status_code == 403
    [regel] = inzage(client)
    assert regel.doel == "zaakbehandeling" and regel.resultaat == "geen_toegang"
    assert regel.verwerkingsactiviteit


def test_a_400_that_carried_a_bsn_records_the_betrokkene(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    r = client.post(
        f"{BASE}/personen", json=raadpleeg(onbekendVeld=1), headers=token(token_for, KCC)
    )
    assert r.status_code == 400
    [regel] = inzage(client)
    assert regel.resultaat == "ongeldig_verzoek"


def test_the_command_lines_inzage_and_export_are_logged(
    tmp_path: Path,
    database_url: str,
    dev_key: str,
    keys_env: None,
    token_for: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "testbrp")
    config = _config(tmp_path)
    for client in _client(config, database_url):
        client.post(f"{BASE}/personen", json=raadpleeg(), headers=token(token_for, KCC))
        monkeypatch.setenv("DATABASE_URL", database_url)
        monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "geen")
        runner = CliRunner()
        # The same gemeente without the test's BRP plugin, which the command line does not load.
        args = ["-g", "9999", "--config", str(_config(tmp_path / "cli", plugin=False))]
        result = runner.invoke(main, ["logboek", "inzage", "-", *args], input=BSN + "\n")
        assert result.exit_code == 0, result.output
        result = runner.invoke(main, ["logboek", "export", "-o", str(tmp_path / "x.jsonl"), *args])
        assert result.exit_code == 0, result.output
        regels = inzage(client)
        assert [r.resultaat for r in regels] == ["ok", "ok"]
        assert regels[1].rol == "privacy-officer" and regels[1].medewerker.startswith("cli:")
        runtime: Runtime = client.app_state  # type: ignore[attr-defined]
        privacy = privacy_for(runtime.tenants.gemeenten["9999"])
        with runtime.store.session() as session:
            found = logboek_query.search(session, privacy.sleutels, medewerker=regels[1].medewerker)
        assert [r.activiteit for r in found.items] == ["logboek-export", "logboek-inzage"]
