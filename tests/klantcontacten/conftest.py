"""A hub for two gemeenten with the real exchange plugin against its Graph double, a directory
of synthetic medewerkers, and the klantcontacten configuration; on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub.api.app import create_app
from hub.auth import issue_dev_token
from hub.directory.sink import apply_batch
from hub.directory.tables import MedewerkerRow
from hub.domain.medewerkers import Medewerker
from hub.plugin_api import SyncBatch
from hub.runtime import Runtime
from hub.tenants import AuthSettings
from plugins.exchange.double import RunningDouble, demo_kalenders, serve
from tests.support.bellers import BELLERS

REPO = Path(__file__).resolve().parents[2]
SECRET_ENV = "KCC_TEST_EXCHANGE_SECRET"

# The directory of both gemeenten: (id, account, naam, afdeling, e-mail, groepen).
MEDEWERKERS = (
    ("mw-jan-bz", "j.janssen", "Jan Janssen", "Burgerzaken", "jan.janssen@gemeente.test", ()),
    ("mw-jan-bel", "j.janssen2", "Jan Janssen", "Belastingen", "jan.janssen2@gemeente.test", ()),
    (
        "mw-anna",
        "a.visser",
        "Anna Visser",
        "Burgerzaken",
        "anna.visser@gemeente.test",
        ("WOZ-team",),
    ),
    ("mw-piet", "p.bakker", "Piet Bakker", "Belastingen", "p.bakker@gemeente.test", ()),
    ("mw-afwezig", "f.afwezig", "Fatima Afwezig", "Vergunningen", "afwezig@gemeente.test", ()),
    ("mw-kcc", "k.agent", "Karin Agent", "KCC", "k.agent@gemeente.test", ()),
)


def gemeente_toml(code: str, exchange_url: str, extra: str = "") -> str:
    return f'''naam = "Gemeente {code}"

[plugins.exchange]
backend = "graph"
afzender = "kcc@gemeente.test"
timeout_seconden = 2
max_pogingen = 1

[plugins.exchange.graph]
base_url = "{exchange_url}/v1.0"

[plugins.exchange.graph.oauth2]
tenant_id = "gemeente-test"
client_id = "kcc-hub-test"
client_secret = "${{{SECRET_ENV}}}"
authority = "{exchange_url}"

[[doelen]]
code = "kcc-identificatie"
omschrijving = "Vaststellen wie de beller is"
verwerkingsactiviteit = "https://register.gemeente.test/verwerkingen/kcc"
rollen = ["kcc-medewerker", "backoffice"]

[klantcontacten]
kcc_mailbox = "kcc-team@gemeente.test"
link_sjabloon = "https://kcc.gemeente.test/{{gemeente}}/contactverzoeken/{{id}}"
doel = "kcc-identificatie"

[klantcontacten.afdelingen]
"Burgerzaken" = "burgerzaken@gemeente.test"
"Belastingen" = "belastingen@gemeente.test"

[klantcontacten.groepen]
"WOZ-team" = "woz@gemeente.test"
{extra}'''


@dataclass
class Hub:
    runtime: Runtime
    client: TestClient
    exchange: RunningDouble

    def headers(
        self,
        *roles: str,
        sub: str = "k.agent",
        email: str | None = None,
        gemeenten: tuple[str, ...] = ("9999",),
        key: str | None = "auto",
    ) -> dict[str, str]:
        auth = AuthSettings.model_validate({"dev_key": "${KCC_HUB_DEV_KEY}"})
        token = issue_dev_token(
            auth,
            subject=sub,
            gemeenten=list(gemeenten),
            roles=list(roles or ("kcc-medewerker",)),
            email=email,
        )
        result = {"Authorization": f"Bearer {token}"}
        if key == "auto":
            result["Idempotency-Key"] = str(uuid.uuid4())
        elif key is not None:
            result["Idempotency-Key"] = key
        return result

    def url(self, path: str, gemeente: str = "9999") -> str:
        return f"/api/v1/gemeenten/{gemeente}/{path}"

    @property
    def verzonden(self) -> list[Any]:
        return list(self.exchange.kalenders.verzonden)


def seed_directory(runtime: Runtime, gemeente: str) -> None:
    with runtime.store.session() as session:
        if session.get(MedewerkerRow, (gemeente, MEDEWERKERS[0][0])) is not None:
            return
    people = [
        Medewerker(
            id=mid,
            account_naam=account,
            weergavenaam=naam,
            voornaam=naam.split()[0],
            achternaam=naam.split()[-1],
            afdeling=afdeling,
            email=email,
            groepen=list(groepen),
        )
        for mid, account, naam, afdeling, email, groepen in MEDEWERKERS
    ]
    with runtime.store.session() as session:
        apply_batch(
            session,
            gemeente,
            SyncBatch(kind="medewerkers", upserts=list(people), full=True),
            datetime.now(UTC),
        )


def build_config(tmp_path: Path, exchange_url: str, *, outbox: str = "", extra: str = "") -> Path:
    config = tmp_path / "config"
    (config / "gemeenten").mkdir(parents=True, exist_ok=True)
    hub_toml = (REPO / "config" / "hub.toml").read_text(encoding="utf-8")
    hub_toml = hub_toml.replace("plugin_retry_attempts = 3", "plugin_retry_attempts = 1")
    hub_toml = hub_toml.replace("plugin_timeout_seconds = 20", "plugin_timeout_seconds = 5")
    (config / "hub.toml").write_text(hub_toml + "\n" + outbox, encoding="utf-8")
    shutil.copytree(REPO / "config" / "privacy", config / "privacy", dirs_exist_ok=True)
    for code in ("9999", "0363"):
        (config / "gemeenten" / f"{code}.toml").write_text(
            gemeente_toml(code, exchange_url, extra), encoding="utf-8"
        )
    return config


@pytest.fixture
def exchange(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningDouble]:
    monkeypatch.setenv(SECRET_ENV, "test-secret")
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    kalenders = demo_kalenders(n=5)
    kalenders.elk_adres = True
    with serve("graph", kalenders) as running:
        yield running


@pytest.fixture
def make_hub(
    tmp_path: Path, database_url: str, dev_key: str, exchange: RunningDouble
) -> Iterator[Callable[..., Hub]]:
    """Build the hub, optionally with ``[outbox]`` settings for hub.toml."""
    opened: list[tuple[TestClient, Runtime]] = []

    def build(outbox: str = "", extra: str = "", plugins: tuple[Any, ...] = ()) -> Hub:
        config = build_config(
            tmp_path / f"h{len(opened)}", exchange.base_url, outbox=outbox, extra=extra
        )
        runtime = Runtime.build(config_dir=config, database_url=database_url, extra_plugins=plugins)
        for code in ("9999", "0363"):
            seed_directory(runtime, code)
        client = TestClient(create_app(runtime), raise_server_exceptions=False)
        client.__enter__()
        opened.append((client, runtime))
        return Hub(runtime, client, exchange)

    yield build
    for client, runtime in opened:
        client.__exit__(None, None, None)
        runtime.store.engine.dispose()


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Hub:
    return make_hub()


def beller_body(index: int = 0, *, bsn: bool = False) -> dict[str, Any]:
    beller = BELLERS[index]
    betrokkene: dict[str, Any] = {
        "contactnaam": {"voornaam": beller.voornaam, "achternaam": beller.achternaam},
        "digitaleAdressen": [
            {"soortDigitaalAdres": "telefoonnummer", "adres": beller.telefoonnummer},
            {"soortDigitaalAdres": "email", "adres": beller.email},
        ],
    }
    if bsn:
        betrokkene["burgerservicenummer"] = beller.bsn
    return betrokkene


def terugbelverzoek(
    toegewezen_aan: dict[str, str] | None = None, *, index: int = 0, bsn: bool = False, **extra: Any
) -> dict[str, Any]:
    """The agent's one click: a phone call ending in a contactverzoek."""
    body: dict[str, Any] = {
        "kanaal": "telefoon",
        "onderwerp": "Vraag over de WOZ-beschikking",
        "inhoud": "Beller begrijpt de nieuwe WOZ-waarde niet.",
        "afhandeling": "contactverzoek",
        "betrokkene": beller_body(index, bsn=bsn),
        "contactverzoek": {
            "toelichting": "Graag uitleg over de WOZ-waarde 2026; beller is na 14 uur bereikbaar.",
            "toegewezenAan": toegewezen_aan or {"medewerker": "mw-piet"},
        },
    }
    body.update(extra)
    return body
