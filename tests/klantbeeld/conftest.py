"""A hub with the real brp, zaak and fixi plugins over their loopback doubles, two gemeenten."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hub.api.app import create_app
from hub.auth import issue_dev_token
from hub.privacy.logboek.query import search
from hub.privacy.logboek.tables import LogboekRecord
from hub.privacy.settings import privacy_for
from hub.runtime import Runtime
from hub.store.migrate import upgrade
from hub.tenants import AuthSettings
from plugins.brp.double import HaalCentraalDouble, run_haalcentraal_double
from plugins.fixi.double import FixiDouble, run_fixi_double
from plugins.zaak.double import ZgwDouble, run_zgw_double

REPO = Path(__file__).resolve().parents[2]
DEV_KEY = "klantbeeld-test-dev-key-" + "k" * 40
ZGW_SECRET = "geheim-van-het-zaaksysteem-0123456789abcdef"
FIXI_SECRET = "fixi-geheim-voor-de-klantbeeld-tests-0123456789"
BSN = "999993653"  # Suzanne Maria Jansen in the BRP double
BASE = "/api/v1/gemeenten/{code}"


@pytest.fixture(scope="session")
def brp() -> Iterator[HaalCentraalDouble]:
    with run_haalcentraal_double() as double:
        yield double


@pytest.fixture(scope="session")
def zgw() -> Iterator[ZgwDouble]:
    with run_zgw_double(prefix="ZAAK-K", clients={"kcc-hub": ZGW_SECRET}) as double:
        double.add_zaken(bsn=BSN, aantal=3)
        yield double


@pytest.fixture(scope="session")
def fixi() -> Iterator[FixiDouble]:
    with run_fixi_double(clients={"kcc-hub": FIXI_SECRET}) as double:
        yield double


def gemeente_toml(
    brp: HaalCentraalDouble, zgw: ZgwDouble, fixi: FixiDouble, extra: str = ""
) -> str:
    return (
        'naam = "Voorbeeldstad"\n'
        "[plugins.brp]\n"
        'backend = "haalcentraal"\n'
        "[plugins.brp.haalcentraal]\n"
        f'base_url = "{brp.base_url}"\n'
        "[[plugins.zaak.bronnen]]\n"
        'naam = "Open Zaak"\n'
        f'zaken_url = "{zgw.zaken_url}"\n'
        f'catalogi_urls = ["{zgw.catalogi_url}"]\n'
        'client_id = "kcc-hub"\n'
        'secret = "${ZGW_SECRET}"\n'
        "max_attempts = 1\n"
        "[plugins.fixi]\n"
        f'base_url = "{fixi.base_url}"\n'
        'client_id = "kcc-hub"\n'
        'client_secret = "${FIXI_SECRET}"\n'
        "max_attempts = 1\n"
        "[[doelen]]\n"
        'code = "kcc-identificatie"\n'
        'omschrijving = "Vaststellen wie de beller is"\n'
        'verwerkingsactiviteit = "https://register.voorbeeldstad.nl/va/kcc-1"\n'
        'rollen = ["kcc-medewerker", "backoffice"]\n' + extra
    )


@pytest.fixture
def runtime(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    brp: HaalCentraalDouble,
    zgw: ZgwDouble,
    fixi: FixiDouble,
    request: pytest.FixtureRequest,
) -> Iterator[Runtime]:
    monkeypatch.setenv("KCC_HUB_DEV_KEY", DEV_KEY)
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "brp,zaak,fixi")
    monkeypatch.setenv("ZGW_SECRET", ZGW_SECRET)
    monkeypatch.setenv("FIXI_SECRET", FIXI_SECRET)
    monkeypatch.setenv("KCC_LOGBOEK_HMAC_SLEUTEL", base64.b64encode(b"h" * 32).decode())
    monkeypatch.setenv("KCC_LOGBOEK_ENCRYPTIE_SLEUTEL", base64.b64encode(b"e" * 32).decode())
    for double in (brp, zgw):
        double.faults.reset()
        double.timings.clear()
    zgw.requests.clear()
    extra = getattr(request, "param", "")
    config = tmp_path / "config"
    (config / "gemeenten").mkdir(parents=True)
    shutil.copy(REPO / "config" / "hub.toml", config / "hub.toml")
    (config / "gemeenten" / "9999.toml").write_text(
        gemeente_toml(brp, zgw, fixi, extra), encoding="utf-8"
    )
    (config / "gemeenten" / "0363.toml").write_text(
        gemeente_toml(brp, zgw, fixi, extra), encoding="utf-8"
    )
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    yield Runtime.build(config_dir=config, database_url=url)


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as test_client:
        yield test_client


def headers(
    *roles: str, subject: str = "m.devries", gemeenten: tuple[str, ...] = ("9999", "0363")
) -> dict[str, str]:
    auth = AuthSettings.model_validate({"dev_key": "${KCC_HUB_DEV_KEY}"})
    token = issue_dev_token(
        auth,
        subject=subject,
        gemeenten=list(gemeenten),
        roles=list(roles or ["kcc-medewerker"]),
    )
    return {"Authorization": f"Bearer {token}"}


def url(path: str, code: str = "9999") -> str:
    return BASE.format(code=code) + path


def records(runtime: Runtime, gemeente: str = "9999") -> list[LogboekRecord]:
    with runtime.store.session() as session:
        return list(
            session.scalars(
                select(LogboekRecord)
                .where(LogboekRecord.gemeente == gemeente)
                .order_by(LogboekRecord.volgnummer)
            )
        )


def inzage(runtime: Runtime, bsn: str, gemeente: str = "9999") -> list[tuple[str, str]]:
    """(activiteit, status) of the records the privacy officer's inzage on ``bsn`` finds,
    oldest first."""
    privacy = privacy_for(runtime.tenants.gemeenten[gemeente])
    with runtime.store.session() as session:
        pagina = search(session, privacy.sleutels, bsn=bsn)
    return [(regel.activiteit, regel.status) for regel in reversed(pagina.items)]
