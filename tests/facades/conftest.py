"""A gemeente configured for KISS: keys, group→role mapping, objecttypes; a seeded directory."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub.api.app import create_app
from hub.beschikbaarheid import upsert
from hub.domain.beschikbaarheid import Beschikbaarheid, BeschikbaarheidStatus, BezetBlok, Werktijd
from hub.domain.groepen import Groep, Lidmaatschappen, UitgeschakeldAccount
from hub.domain.medewerkers import Medewerker
from hub.plugin_api import SyncBatch
from hub.runtime import Runtime
from hub.store.base import utcnow
from hub.store.db import Store
from hub.sync.sinks import sink_for

REPO = Path(__file__).resolve().parents[2]
GEMEENTE = "9999"
API_KEY = "kiss-brp-sleutel-" + "a" * 24
OBJECTEN_TOKEN = "kiss-objecten-token-" + "b" * 24
OTHER_API_KEY = "andere-gemeente-sleutel-" + "c" * 20
OTHER_OBJECTEN_TOKEN = "andere-gemeente-token-" + "d" * 20
MEDEWERKER_TYPE = "https://objecttypen.voorbeeldstad.test/api/v2/objecttypes/" + str(
    uuid.UUID(int=1)
)
AFDELING_TYPE = "https://objecttypen.voorbeeldstad.test/api/v2/objecttypes/" + str(uuid.UUID(int=2))
GROEP_TYPE = "https://objecttypen.voorbeeldstad.test/api/v2/objecttypes/" + str(uuid.UUID(int=3))

DOELEN = [
    # What KISS names in its doel header: answering the caller's question, for both roles
    # (kcc-identificatie would narrow the backoffice to identification, see masking.toml).
    {
        "code": "klantcontact",
        "omschrijving": "De vraag van de beller beantwoorden in het klantcontact",
        "verwerkingsactiviteit": "https://register.voorbeeldstad.test/verwerkingen/kcc-2",
        "rollen": ["kcc-medewerker", "backoffice"],
    },
    {
        "code": "kcc-identificatie",
        "omschrijving": "Vaststellen wie de beller is en de vraag beantwoorden",
        "verwerkingsactiviteit": "https://register.voorbeeldstad.test/verwerkingen/kcc-1",
        "rollen": ["kcc-medewerker", "backoffice"],
    },
    {
        "code": "zaakbehandeling",
        "omschrijving": "Behandelen van een zaak van de betrokkene",
        "verwerkingsactiviteit": "https://register.voorbeeldstad.test/verwerkingen/zaak-7",
        "rollen": ["backoffice"],
    },
    {
        "code": "audit",
        "omschrijving": "Controle door de privacy officer",
        "verwerkingsactiviteit": "https://register.voorbeeldstad.test/verwerkingen/audit-1",
        "rollen": ["privacy-officer"],
    },
]
GROEPROLLEN = {
    "KCC Medewerkers": "kcc-medewerker",
    "Backoffice Burgerzaken": "backoffice",
    "Functionaris Gegevensbescherming": "privacy-officer",
}


def _toml(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def gemeente_toml(
    *,
    brp_url: str | None = None,
    ad: dict[str, Any] | None = None,
    client_extra: str = "",
    extra: str = "",
) -> str:
    """A gemeente file with doelen, [haalcentraal] and [objecten] (and BRP/AD when given)."""
    lines = ['naam = "Voorbeeldstad"']
    if brp_url:
        lines += [
            "[plugins.brp]",
            'backend = "haalcentraal"',
            "[plugins.brp.haalcentraal]",
            f"base_url = {_toml(brp_url)}",
        ]
    if ad:
        lines.append("[plugins.ad]")
        lines += [f"{key} = {_toml(value)}" for key, value in ad.items()]
    for doel in DOELEN:
        lines.append("[[doelen]]")
        lines += [f"{key} = {_toml(value)}" for key, value in doel.items()]
    lines += ["[privacy]", "bewaartermijn_dagen = 30"]
    lines += ["[haalcentraal]", "[haalcentraal.groeprollen]"]
    lines += [f"{_toml(groep)} = {_toml(rol)}" for groep, rol in GROEPROLLEN.items()]
    lines += [
        "[[haalcentraal.clients]]",
        'naam = "kiss"',
        'api_key = "${KCC_TEST_KISS_API_KEY}"',
        client_extra,
        "[objecten.objecttypen]",
        f"medewerker = {_toml(MEDEWERKER_TYPE)}",
        f"afdeling = {_toml(AFDELING_TYPE)}",
        f"groep = {{ url = {_toml(GROEP_TYPE)}, versie = 2 }}",
        "[[objecten.clients]]",
        'naam = "kiss"',
        'token = "${KCC_TEST_KISS_OBJECTEN_TOKEN}"',
        extra,
    ]
    return "\n".join(lines) + "\n"


def other_gemeente_toml() -> str:
    """Amsterdam (0363) on the same hub, with keys of its own."""
    return (
        gemeente_toml()
        .replace("Voorbeeldstad", "Amsterdam")
        .replace("KCC_TEST_KISS_API_KEY", "KCC_TEST_OTHER_API_KEY")
        .replace("KCC_TEST_KISS_OBJECTEN_TOKEN", "KCC_TEST_OTHER_OBJECTEN_TOKEN")
    )


def write_config(directory: Path, gemeente: str, other: str | None = None) -> Path:
    (directory / "gemeenten").mkdir(parents=True, exist_ok=True)
    (directory / "privacy").mkdir(exist_ok=True)
    shutil.copy(REPO / "config" / "hub.toml", directory / "hub.toml")
    shutil.copy(
        REPO / "config" / "privacy" / "masking.toml", directory / "privacy" / "masking.toml"
    )
    (directory / "gemeenten" / f"{GEMEENTE}.toml").write_text(gemeente, encoding="utf-8")
    if other is not None:
        (directory / "gemeenten" / "0363.toml").write_text(other, encoding="utf-8")
    return directory


@pytest.fixture
def kiss_env(monkeypatch: pytest.MonkeyPatch, dev_key: str) -> None:
    monkeypatch.setenv("KCC_TEST_KISS_API_KEY", API_KEY)
    monkeypatch.setenv("KCC_TEST_KISS_OBJECTEN_TOKEN", OBJECTEN_TOKEN)
    monkeypatch.setenv("KCC_TEST_OTHER_API_KEY", OTHER_API_KEY)
    monkeypatch.setenv("KCC_TEST_OTHER_OBJECTEN_TOKEN", OTHER_OBJECTEN_TOKEN)


# ------------------------------------------------------------------------- the directory


def mw(key: int, voornaam: str, achternaam: str, **extra: Any) -> Medewerker:
    account = extra.pop("account_naam", f"{voornaam[0]}{achternaam.rsplit(maxsplit=1)[-1]}".lower())
    values: dict[str, Any] = {
        "id": str(uuid.UUID(int=0x1000 + key)),
        "account_naam": account,
        "weergavenaam": f"{voornaam} {achternaam}",
        "voornaam": voornaam,
        "achternaam": achternaam,
        "email": f"{account}@voorbeeldstad.test",
        "afdeling": "Burgerzaken",
        "functie": "Medewerker",
    }
    values.update(extra)
    return Medewerker.model_validate(values)


JAN = mw(
    1,
    "Jan",
    "Janssen",
    functie="Klantcontactmedewerker",
    telefoonnummer="+31 14 020 1234",
    groepen=["KCC Medewerkers"],
)
PIET = mw(
    2,
    "Piet",
    "van den Berg",
    account_naam="pvdberg",
    mobiel="+31 6 1234 5678",
    groepen=["Backoffice Burgerzaken"],
)
FATIMA = mw(
    3, "Fatima", "Yılmaz", account_naam="fyilmaz", afdeling="Informatiebeheer", functie="FG"
)
KEES = mw(4, "Kees", "Visser", afdeling="Sociaal Domein", expertise=["Wmo", "bijstand"])
ANNA = mw(5, "Anna", "de Vries", afdeling="Sociaal Domein", groepen=["Team Balie"])
MEDEWERKERS = [JAN, PIET, FATIMA, KEES, ANNA]


def groep(key: int, naam: str, **extra: Any) -> Groep:
    return Groep(id=str(uuid.UUID(int=0x2000 + key)), naam=naam, **extra)


KCC = groep(1, "KCC Medewerkers", identificatie="GG-KCC", email="kcc@voorbeeldstad.test")
BACKOFFICE = groep(2, "Backoffice Burgerzaken", identificatie="GG-BO")
FG = groep(3, "Functionaris Gegevensbescherming", identificatie="GG-FG")
BALIE = groep(4, "Team Balie", identificatie="GG-BALIE")
GROEPEN = [KCC, BACKOFFICE, FG, BALIE]
UITGESCHAKELD = UitgeschakeldAccount(
    id=str(uuid.UUID(int=0x3001)), account_naam="oud.account", email="oud@voorbeeldstad.test"
)


def apply(store: Store, kind: str, *, gemeente: str = GEMEENTE, **batch: Any) -> None:
    with store.session() as session:
        sink_for(kind).apply(session, gemeente, SyncBatch(kind=kind, **batch), utcnow())


def seed_directory(store: Store) -> None:
    """The directory as a full AD sync leaves it: medewerkers, groups (one nested), memberships."""
    apply(store, "medewerkers", upserts=list(MEDEWERKERS), full=True)
    apply(store, "groepen", upserts=list(GROEPEN), full=True)
    leden = [
        Lidmaatschappen(lid=JAN.id, groepen=[KCC.id]),
        Lidmaatschappen(lid=PIET.id, groepen=[BACKOFFICE.id]),
        Lidmaatschappen(lid=FATIMA.id, groepen=[FG.id]),
        Lidmaatschappen(lid=ANNA.id, groepen=[BALIE.id]),
        # Team Balie is itself in the KCC group: Anna is a kcc-medewerker through it.
        Lidmaatschappen(lid=BALIE.id, groepen=[KCC.id]),
    ]
    apply(store, "lidmaatschappen", upserts=leden, full=True)
    apply(store, "uitgeschakelde_accounts", upserts=[UITGESCHAKELD], full=True)


def seed_availability(store: Store, nu: datetime) -> None:
    """Jan works Monday to Thursday; he is out of office for the rest of this reading's window."""
    werktijden = [Werktijd(dagen=[1, 2, 3, 4], van="08:30", tot="17:00")]
    jan = Beschikbaarheid(
        email=JAN.email or "",
        status=BeschikbaarheidStatus.VRIJ,
        tot=nu + timedelta(hours=1),
        volgend_vrij_moment=nu,
        peilmoment=nu,
        bezet=[BezetBlok(van=nu + timedelta(hours=1), tot=nu + timedelta(hours=2))],
        werktijden=werktijden,
    )
    with store.session() as session:
        upsert(session, GEMEENTE, [jan], nu, venster_tot=nu + timedelta(hours=96))


@dataclass
class Hub:
    client: TestClient
    runtime: Runtime

    @property
    def store(self) -> Store:
        return self.runtime.store


@pytest.fixture
def make_hub(
    tmp_path: Path, kiss_env: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Hub]]:
    built: list[Hub] = []

    def build(database_url: str, gemeente: str, other: str | None = None, plugins: str = "") -> Hub:
        monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", plugins)
        config = write_config(tmp_path / f"config{len(built)}", gemeente, other)
        runtime = Runtime.build(config_dir=config, database_url=database_url)
        hub = Hub(TestClient(create_app(runtime), raise_server_exceptions=False), runtime)
        built.append(hub)
        return hub

    yield build
    for hub in built:
        hub.runtime.store.engine.dispose()


def now() -> datetime:
    return datetime.now(UTC)
