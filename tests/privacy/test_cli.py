"""``kcc-hub logboek verify|export|inzage|purge`` on a configured gemeente and a migrated store."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.privacy.logboek import chain as logboek_chain
from hub.privacy.settings import privacy_for, privacy_problems
from hub.store.base import utcnow
from hub.store.db import Store, make_engine
from hub.tenants import load_tenants
from tests.privacy.persons import BSN, BSN_PARTNER
from tests.privacy.test_api import _config


@pytest.fixture
def setup(
    tmp_path: Path, sqlite_url: str, keys_env: None, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Store]:
    url = sqlite_url
    monkeypatch.setenv("DATABASE_URL", url)
    # The logboek commands need no plugin; load none of the installed ones.
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "geen")
    config = _config(tmp_path, plugin=False)
    store = Store(make_engine(url))
    tenants = load_tenants(config, {})
    privacy = privacy_for(tenants.gemeenten["9999"])
    for n, (bsn, dagen) in enumerate([(BSN, 60), (BSN_PARTNER, 50), (BSN, 1)]):
        moment = utcnow() - timedelta(days=dagen)
        with store.session() as s:
            logboek_chain.append(
                s,
                privacy.sleutels,
                logboek_chain.LogboekInvoer(
                    gemeente="9999",
                    trace_id=f"{n:032x}",
                    span_id=f"{n:016x}",
                    name="personen-bevragen",
                    start_time=moment,
                    end_time=moment,
                    status_code=1,
                    status="ok",
                    http_status=200,
                    medewerker="m-1",
                    rol="kcc-medewerker",
                    client_id="kiss",
                    doel="kcc-identificatie",
                    processing_activity_id="https://register.voorbeeldstad.nl/verwerkingen/kcc-1",
                    velden=["naam"],
                    aantal_personen=1,
                    betrokkenen=[bsn],
                ),
            )
    return config, store


def test_verify_reports_an_intact_chain(setup: tuple[Path, Store]) -> None:
    config, _ = setup
    result = CliRunner().invoke(main, ["logboek", "verify", "-g", "9999", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output and "3 record(s)" in result.output


def test_inzage_answers_who_when_and_why_as_json_and_csv(setup: tuple[Path, Store]) -> None:
    config, _ = setup
    runner = CliRunner()
    result = runner.invoke(main, ["logboek", "inzage", BSN, "-g", "9999", "--config", str(config)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["aantal"] == 2 and document["betrokkene"] == "*****3653"
    assert document["verwerkingen"][0]["doel_omschrijving"].startswith(
        "Vaststellen wie de beller is"
    )
    assert document["verwerkingen"][0]["organisatie"] == "Gemeente Voorbeeldstad"
    result = runner.invoke(
        main,
        ["logboek", "inzage", "-", "-g", "9999", "--format", "csv", "--config", str(config)],
        input=BSN + "\n",
    )
    # A header, the two lookups, and the first inzage: it is a processing of the data too.
    assert result.exit_code == 0 and len(result.output.strip().splitlines()) == 4
    assert result.output.strip().splitlines()[-1].split(";")[8] == "ok"


def test_inzage_refuses_an_invalid_bsn_without_echoing_it(setup: tuple[Path, Store]) -> None:
    config, _ = setup
    result = CliRunner().invoke(
        main, ["logboek", "inzage", "123456789", "-g", "9999", "--config", str(config)]
    )
    assert result.exit_code != 0 and "123456789" not in result.output


def test_export_writes_the_chain_as_json_lines(setup: tuple[Path, Store], tmp_path: Path) -> None:
    config, _ = setup
    out = tmp_path / "export.jsonl"
    result = CliRunner().invoke(
        main, ["logboek", "export", "-g", "9999", "-o", str(out), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 4 and BSN not in out.read_text()


def test_purge_removes_records_past_the_bewaartermijn_and_the_chain_still_verifies(
    setup: tuple[Path, Store],
) -> None:
    config, _ = setup
    runner = CliRunner()
    result = runner.invoke(main, ["logboek", "purge", "-g", "9999", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "2 record(s) removed" in result.output
    result = runner.invoke(main, ["logboek", "verify", "-g", "9999", "--config", str(config)])
    assert result.exit_code == 0 and "after checkpoint 2" in result.output


def test_privacy_problems_finds_a_missing_key_before_the_first_request(
    setup: tuple[Path, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, _ = setup
    tenants = load_tenants(config, {})
    assert privacy_problems(tenants.gemeenten.values()) == []
    monkeypatch.delenv("KCC_LOGBOEK_HMAC_SLEUTEL")
    [problem] = privacy_problems(tenants.gemeenten.values())
    assert problem.key == "privacy.hmac_sleutel" and "KCC_LOGBOEK_HMAC_SLEUTEL" in problem.reason
