"""docs/klantcontacten.md's walkthrough, step by step, on the demo configuration: a call ending in
a contactverzoek for a medewerker found in the directory, the mail in the Exchange double's
sent items, the colleague's worklist, an attempt and the outcome."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from devkit.demo import DEMO_ENV, DEMO_GEMEENTE
from hub.api.app import create_app
from hub.auth import issue_dev_token
from hub.cli import main
from hub.directory.demo import seed_demo_directory
from hub.jobs.broker import install_broker, start_in_process_worker, stop_in_process_worker
from hub.jobs.context import install_runtime
from hub.runtime import Runtime
from plugins.exchange.double import RunningDouble, demo_kalenders, start
from plugins.exchange.double.tokens import TokenIssuer

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "klantcontacten.md"
HUB = f"/api/v1/gemeenten/{DEMO_GEMEENTE}"


@pytest.fixture
def exchange() -> Iterator[RunningDouble]:
    kalenders = demo_kalenders(n=5)
    kalenders.elk_adres = True  # as `python -m plugins.exchange.double` runs it for the demo
    # The demo's double accepts the demo's client secret (config/gemeenten/9999.toml).
    running = start(
        "both", kalenders, tokens=TokenIssuer(client_secret=DEMO_ENV["KCC_DEMO_SECRET"])
    )
    try:
        yield running
    finally:
        running.server.shutdown()
        running.server.server_close()


@pytest.fixture
def demo_config(tmp_path: Path, exchange: RunningDouble, monkeypatch: pytest.MonkeyPatch) -> Path:
    """config/ as `make demo` uses it, with the Exchange double on a free port and the AD plugin
    pointing where no DC answers (the demo without root seeds the directory instead)."""
    for key, value in DEMO_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("KCC_DEMO_AD_PASSWORD", "no-dc-in-this-test")
    config = tmp_path / "config"
    (config / "gemeenten").mkdir(parents=True)
    (config / "hub.toml").write_text((REPO / "config" / "hub.toml").read_text())
    (config / "privacy").mkdir()
    (config / "privacy" / "masking.toml").write_text(
        (REPO / "config" / "privacy" / "masking.toml").read_text()
    )
    gemeente = (REPO / "config" / "gemeenten" / "9999.toml").read_text()
    gemeente = gemeente.replace("http://127.0.0.1:8711", exchange.base_url)
    gemeente += (
        '\n[plugins.ad]\nservers = ["127.0.0.1:1"]\ntls = "ldaps"\n'
        'bind_user = "Administrator@gemeente.test"\nbind_password = "${KCC_DEMO_AD_PASSWORD}"\n'
        'search_bases = ["OU=Gemeente,DC=gemeente,DC=test"]\n'
    )
    (config / "gemeenten" / "9999.toml").write_text(gemeente)
    return config


@pytest.fixture
def demo(demo_config: Path, database_url: str) -> Iterator[tuple[TestClient, Runtime]]:
    runtime = Runtime.build(config_dir=demo_config, database_url=database_url)
    seed_demo_directory(runtime.store, DEMO_GEMEENTE)
    install_broker(None)  # the demo's in-process broker and worker
    install_runtime(runtime)
    start_in_process_worker()
    try:
        with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
            yield client, runtime
    finally:
        stop_in_process_worker()
        install_runtime(None)
        runtime.store.engine.dispose()


def printed_token(runtime: Runtime, role: str) -> str:
    """The token `kcc-hub demo` prints for a role."""
    gemeente = runtime.tenants.gemeenten[DEMO_GEMEENTE]
    return issue_dev_token(
        gemeente.auth,
        subject=f"demo-{role}",
        gemeenten=[DEMO_GEMEENTE],
        roles=[role],
        name=f"Demo {role}",
    )


def sent_items(exchange: RunningDouble, wanted: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 30
    while True:
        items: list[dict[str, Any]] = httpx.get(exchange.base_url + "/_double/verzonden").json()[
            "verzonden"
        ]
        if len(items) >= wanted or time.monotonic() > deadline:
            return items
        time.sleep(0.1)


def test_the_documented_walkthrough_from_a_call_to_the_mail_and_back(
    demo: tuple[TestClient, Runtime], exchange: RunningDouble, demo_config: Path
) -> None:
    client, runtime = demo
    text = " ".join(DOC.read_text().split())
    assert "Open Klant 2.18" in text and "spec 0.9.0" in text
    assert DEMO_ENV["KCC_HUB_DEV_KEY"] in text
    kcc = {"Authorization": f"Bearer {printed_token(runtime, 'kcc-medewerker')}"}

    # 1. Find the colleague.
    found = client.get(
        f"{HUB}/medewerkers", params={"zoek": "jan", "paginaGrootte": 1}, headers=kcc
    )
    assert found.status_code == 200, found.text
    medewerker = found.json()["resultaten"][0]

    # 2. Register the call and the callback in one request.
    body = {
        "kanaal": "telefoon",
        "onderwerp": "Vraag over de WOZ-beschikking",
        "inhoud": "Beller begrijpt de nieuwe WOZ-waarde niet.",
        "afhandeling": "contactverzoek",
        "betrokkene": {
            "contactnaam": {"voornaam": "Roos", "achternaam": "Verbeek"},
            "digitaleAdressen": [{"soortDigitaalAdres": "telefoonnummer", "adres": "06-4711 2368"}],
        },
        "contactverzoek": {
            "toelichting": "Graag uitleg over de WOZ-waarde; na 14 uur bereikbaar.",
            "toegewezenAan": {"medewerker": medewerker["id"]},
            "urgentie": "normaal",
        },
    }
    registered = client.post(
        f"{HUB}/klantcontacten", json=body, headers={**kcc, "Idempotency-Key": str(uuid.uuid4())}
    )
    assert registered.status_code == 201, registered.text
    cv = registered.json()["contactverzoek"]
    assert cv["toegewezenAanActoren"][0]["naam"] == medewerker["weergavenaam"]

    # 3. The mail, in the double's sent items.
    [mail] = sent_items(exchange, 1)
    assert mail["aan"] == [medewerker["email"]]
    assert "0647112368" in mail["tekst"] and cv["id"] in mail["tekst"]
    assert mail["notificatieId"] == cv["notificaties"][0]["id"]

    # 4. The colleague's worklist, with a token made by `kcc-hub token --sub <accountNaam>`.
    made = CliRunner().invoke(
        main,
        [
            "token",
            "--gemeente",
            DEMO_GEMEENTE,
            "--role",
            "backoffice",
            "--sub",
            medewerker["accountNaam"],
            "--config",
            str(demo_config),
        ],
    )
    assert made.exit_code == 0, made.output
    bo = {"Authorization": f"Bearer {made.output.strip()}"}
    mine = client.get(f"{HUB}/contactverzoeken", params={"toegewezenAan": "mij"}, headers=bo)
    assert [c["id"] for c in mine.json()["resultaten"]] == [cv["id"]]

    # 5. Call back, and close it.
    poging = client.post(
        f"{HUB}/contactverzoeken/{cv['id']}/pogingen",
        json={"uitkomst": "niet_bereikt", "toelichting": "Geen gehoor om 14:10"},
        headers={**bo, "Idempotency-Key": f"poging-1-{cv['id']}"},
    )
    closed = client.post(
        f"{HUB}/contactverzoeken/{cv['id']}/_afhandelen",
        json={"uitkomst": "Teruggebeld en de WOZ-waarde uitgelegd."},
        headers={**bo, "Idempotency-Key": f"afhandelen-{cv['id']}"},
    )
    assert poging.status_code == 201 and closed.status_code == 200
    assert closed.json()["status"] == "verwerkt" and len(closed.json()["pogingen"]) == 1
    assert len(sent_items(exchange, 1)) == 1  # no further mail for a handled contactverzoek
