"""The /beheer/ pages and /api/v1/docs in a real Chromium: logins, an inzage checked against the
logboek, CSV and PDF with the same rows, a dead-letter retry, the 403 page, axe-core on every
page, the docs offline, and the BSN in no URL, access-log line or page but the result page.

One hub (uvicorn on loopback, SQLite; the same features run on PostgreSQL in the other tests of
this directory) and one browser serve the whole module; each test gets fresh cookies.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from dramatiq.brokers.stub import StubBroker
from pypdf import PdfReader

from hub.api.app import create_app
from hub.beheer.web.context import tijd
from hub.jobs.actors import sync_plugin
from hub.jobs.broker import install_broker
from hub.jobs.context import install_runtime
from hub.jobs.dead_letters import list_dead
from hub.klantcontacten.doorlooptijd import vul_aan
from hub.privacy import inzage
from hub.privacy.inzage_pdf import pdf_rij
from hub.privacy.logboek import query as logboek_query
from hub.privacy.settings import privacy_for
from hub.runtime import Runtime
from hub.store.migrate import upgrade
from hub.sync import state
from tests.beheer.browser import Tab, axe_source, chromium
from tests.beheer.conftest import build_runtime, lookup_person, write_config
from tests.privacy.persons import BSN, BSN_PARTNER
from tests.rapportages.gegevens import genereer, sla_op
from tests.support.fixtures import DEV_KEY
from tests.support.oidc_provider import OidcProvider


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()}")


@dataclass
class Hub:
    base: str
    rt: Runtime
    idp: OidcProvider
    access_log: _Lines
    broker: StubBroker


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    from tests.support.fixtures import LOGBOEK_KEYS

    env = {
        "KCC_HUB_DEV_KEY": DEV_KEY,
        "KCC_HUB_LOAD_PLUGINS": "testbrp,notities",
        "KCC_BEHEER_OIDC_GEHEIM": "beheer-geheim-voor-tests",
        **LOGBOEK_KEYS,
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    port = _free_port()
    # The hub as "localhost", the identity provider as 127.0.0.1: two sites, as in production.
    base = f"http://localhost:{port}"
    idp = OidcProvider(redirect_uris=[f"{base}/beheer/oidc/callback"]).start()
    auth = (
        '\n[auth]\ndev_key = "${KCC_HUB_DEV_KEY}"\n'
        "[auth.oidc]\n"
        f'issuer = "{idp.issuer}"\n'
        f'jwks_url = "{idp.issuer}/protocol/openid-connect/certs"\n'
        'audience = "kcc-hub"\nclient_id = "kcc-hub-beheer"\n'
        'client_secret = "${KCC_BEHEER_OIDC_GEHEIM}"\n'
        '[auth.roles]\n"Functionaris-gegevensbescherming" = "privacy-officer"\n'
    )
    directory = tmp_path_factory.mktemp("browser-hub")
    config = write_config(directory / "config", auth_9999=auth)
    url = f"sqlite:///{directory / 'hub.sqlite3'}"
    upgrade(url)
    rt = build_runtime(config, url)
    install_runtime(rt)
    broker = install_broker(None, max_retries=1, min_backoff_ms=10, max_backoff_ms=20)
    access_log = _Lines()
    for name in ("uvicorn.access", "hub.access"):
        logging.getLogger(name).addHandler(access_log)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(rt, beheer_loopback_http=True),
            host="127.0.0.1",
            port=port,
            access_log=True,  # uvicorn's own line with the full path and query, checked below
            log_config=None,
            log_level="info",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/livez", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        yield Hub(base, rt, idp, access_log, broker)  # type: ignore[arg-type]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        for name in ("uvicorn.access", "hub.access"):
            logging.getLogger(name).removeHandler(access_log)
        idp.stop()
        install_runtime(None)
        install_broker(None)
        rt.store.engine.dispose()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


@pytest.fixture
def tab(browser: Any, axe: str, request: pytest.FixtureRequest) -> Iterator[Tab]:
    browser.clear_cookies()
    page = browser.new_page()
    t = Tab(page, request.node.name.removeprefix("test_")[:60], axe)
    page.on("request", lambda r: t.urls.append(r.url))
    try:
        yield t
    finally:
        page.close()
    leaked = [u for u in t.urls if BSN in u]
    assert not leaked, f"a BSN in a URL: {leaked}"


def _dev_login(tab: Tab, hub: Hub, rol: str, naam: str, *, check: bool = False) -> None:
    page = tab.page
    page.goto(hub.base + "/beheer/")
    assert page.url.endswith("/beheer/inloggen")
    if check:
        tab.check("inloggen")
    page.select_option("#dev-gemeente", "9999")
    page.select_option("#dev-rol", rol)
    page.fill("#dev-naam", naam)
    page.locator("#dev-naam").press("Enter")  # submit by keyboard
    page.wait_for_url(hub.base + "/beheer/")


def test_dev_login_by_keyboard_lands_on_the_start_page(tab: Tab, hub: Hub) -> None:
    _dev_login(tab, hub, "privacy-officer", "Fenna Gegevens", check=True)
    tab.check("start")
    assert "Ingelogd als" in tab.page.inner_text(
        "header"
    ) and "Fenna Gegevens" in tab.page.inner_text("header")
    tab.page.goto(hub.base + "/beheer/")
    tab.page.keyboard.press("Tab")
    tab.page.keyboard.press("Enter")  # the skip link moves focus to the content
    assert tab.page.evaluate("() => document.activeElement.id") == "inhoud"


def test_oidc_login_in_the_browser(tab: Tab, hub: Hub, browser: Any) -> None:
    hub.idp.next_user = {
        "sub": "f.gegevens",
        "name": "Fenna via OIDC",
        "roles": ["Functionaris-gegevensbescherming"],
        "gemeenten": ["9999"],
    }
    page = tab.page
    page.goto(hub.base + "/beheer/inloggen")
    page.select_option("#oidc-gemeente", "9999")
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.wait_for_url(hub.base + "/beheer/")  # via the provider, the callback and its refresh
    tab.check("na-oidc")
    assert "Fenna via OIDC" in page.inner_text("header")
    [cookie] = [c for c in browser.cookies() if c["name"] == "kcc_beheer"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/beheer"
    assert any(u.startswith(hub.idp.issuer) for u in tab.urls)


def _lookups(hub: Hub, token_for: Callable[..., str]) -> None:
    with httpx.Client(base_url=hub.base) as api:
        assert lookup_person(api, token_for, BSN, sub="agent-7").status_code == 200
        assert lookup_person(api, token_for, BSN_PARTNER, sub="agent-8").status_code == 200
        r = lookup_person(api, token_for, BSN, rol="backoffice", sub="bo-1", doel="zaakbehandeling")
        assert r.status_code == 200


def _page_rows(tab: Tab) -> list[tuple[str, ...]]:
    return [
        tuple(c.strip() for c in row.locator("td").all_inner_texts())
        for row in tab.page.locator("#verwerkingen tbody tr").all()
    ]


def test_an_inzage_matches_the_logboek_and_the_csv_and_pdf_hold_the_same_rows(
    tab: Tab, hub: Hub, token_for: Callable[..., str]
) -> None:
    _lookups(hub, token_for)
    page = tab.page
    _dev_login(tab, hub, "privacy-officer", "Fenna Gegevens")
    page.click("text=Inzage >> nth=0")
    tab.check("inzage-formulier")
    page.locator("#bsn").press_sequentially(BSN)
    page.locator("#bsn").press("Enter")
    page.wait_for_selector("#verwerkingen")
    tab.check("inzage-resultaat")

    # The page against the logboek, up to the moment of the answer.
    stand = int(page.locator("input[name=stand]").first.get_attribute("value") or "0")
    privacy = privacy_for(hub.rt.tenants.gemeenten["9999"])
    with hub.rt.store.session() as s:
        expected = inzage.inzage(
            s,
            privacy.sleutels,
            BSN,
            doel_omschrijvingen={c: d.omschrijving for c, d in privacy.doelen.by_code.items()},
            met_medewerker=True,
            tot_en_met=stand,
        )
        logged = logboek_query.search(s, privacy.sleutels, bsn=BSN, size=200).items
    assert [r.medewerker for r in expected] == ["agent-7", "bo-1"]
    rows = _page_rows(tab)
    assert rows == [
        tuple(c.replace("-", "—") if c == "-" else c for c in pdf_rij(r, tijd)) for r in expected
    ]
    # The inzage itself is in the logboek, by this privacy officer, about this person.
    assert logged[0].activiteit == "logboek-inzage" and logged[0].medewerker == "dev-fenna-gegevens"

    with page.expect_download() as csv_download:
        page.click("text=Downloaden als CSV")
    csv_rows = list(
        csv.DictReader(
            io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8-sig")),
            delimiter=";",
        )
    )
    with page.expect_download() as pdf_download:
        page.click("text=Downloaden als PDF")
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(Path(pdf_download.value.path())).pages)
    # Same rows: the page's, in the CSV (machine-readable) and the PDF (for the citizen).
    assert [(tijd(r["tijdstip"]), r["rol"], r["medewerker"], r["doel"]) for r in csv_rows] == [
        (row[0], row[1], row[2], e.doel or "") for row, e in zip(rows, expected, strict=True)
    ]
    position = 0
    for e in expected:
        for cell in pdf_rij(e, tijd):
            found = pdf_text.find(cell.split(" (")[0][:25], position)
            assert found >= 0, f"PDF lacks {cell!r} after position {position}"
            position = found
    assert f"Aantal verwerkingen: {len(rows)}\n" in pdf_text, pdf_text[:300]
    with hub.rt.store.session() as s:
        activiteiten = [
            r.activiteit for r in logboek_query.search(s, privacy.sleutels, bsn=BSN).items
        ]
    assert activiteiten[:3] == ["logboek-inzage-pdf", "logboek-inzage-csv", "logboek-inzage"]

    # The other pages of the privacy officer, and where the BSN may and may not appear.
    for label, path in (
        ("zoeken", "/beheer/9999/privacy/zoeken?medewerker=agent-7"),
        ("verificatie", "/beheer/9999/privacy/verificatie"),
        ("bewaartermijn", "/beheer/9999/privacy/bewaartermijn"),
        ("start-privacy", "/beheer/"),
    ):
        page.goto(hub.base + path)
        tab.check(label)
    assert (
        "De keten is intact" in tab.html[f"verificatie {hub.base}/beheer/9999/privacy/verificatie"]
    )
    with_bsn = [label for label, html in tab.html.items() if BSN in html]
    assert with_bsn == [f"inzage-resultaat {hub.base}/beheer/9999/privacy/inzage"]
    assert BSN not in "\n".join(hub.access_log.lines)
    assert any("/beheer/9999/privacy/inzage" in line for line in hub.access_log.lines)


def test_a_beheerder_retries_a_dead_letter(tab: Tab, hub: Hub) -> None:
    settings = hub.rt.tenants.gemeenten["9999"].plugin_settings["notities"]
    settings.storing = "rejected"  # type: ignore[attr-defined]
    sync_plugin.send("9999", "notities", False)
    _work(hub)
    with hub.rt.store.session() as s:
        [dead] = list_dead(s, "9999")
    _dev_login(tab, hub, "beheerder", "Bert Beheer")
    page = tab.page
    page.click("text=Plugins >> nth=0")
    tab.check("plugins")
    page.click("text=Wachtrijen >> nth=0")
    tab.check("wachtrijen-met-dood-bericht")
    settings.storing = None  # type: ignore[attr-defined]  # the cause is fixed
    page.click(f"button[aria-label='Bericht {dead.id} opnieuw proberen']")
    page.wait_for_selector("#geen-dode-berichten")
    tab.check("wachtrijen-na-opnieuw")
    assert "opnieuw in de wachtrij gezet" in page.inner_text("main")
    _work(hub)
    with hub.rt.store.session() as s:
        assert state.last_runs(s, "9999", "notities", limit=1)[0].status == "ok"
    page.click("text=Plugins >> nth=0")
    assert "geslaagd" in page.inner_text("#plugins")
    page.click("text=Configuratie >> nth=0")
    tab.check("configuratie")
    for html in tab.html.values():
        assert BSN not in html and "agent-7" not in html  # no person data, no logboek contents


def _work(hub: Hub) -> None:
    import dramatiq

    worker = dramatiq.Worker(hub.broker, worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        hub.broker.join(sync_plugin.queue_name, timeout=60_000, fail_fast=False)
        worker.join()
    finally:
        worker.stop()


def test_a_teamleider_sees_the_rapportages_with_chart_and_tables(tab: Tab, hub: Hub) -> None:
    sla_op(hub.rt.store, "9999", genereer(200))
    gemeente = hub.rt.tenants.get("9999")
    assert gemeente is not None
    vul_aan(hub.rt.store, lambda _: gemeente.klantcontacten)
    _dev_login(tab, hub, "teamleider", "Tessa Team")
    tab.check("start-teamleider")
    tab.page.click("text=Rapportages >> nth=0")
    tab.page.fill("#van", "2026-03-01")
    tab.page.fill("#tot", "2026-03-31")
    tab.page.click("#periode button")
    tab.page.wait_for_selector("#per-week")
    tab.check("rapportages")
    assert tab.page.locator("#totaal dd").first.inner_text() == "200"
    assert tab.page.locator("#grafiek svg rect").count() >= 5 * 3 - 2  # weeks x afhandelingen
    assert tab.page.locator("#per-week tbody tr").count() >= 5
    assert tab.page.locator("#open-per-afdeling tbody tr").count() >= 1
    assert "over de termijn" in tab.page.inner_text("#contactverzoeken")


def test_a_kcc_medewerker_sees_the_403_page(tab: Tab, hub: Hub) -> None:
    _dev_login_any(tab, hub, "kcc-medewerker")
    assert "Geen toegang" in tab.page.inner_text("h1")
    tab.check("403")
    tab.page.goto(hub.base + "/beheer/9999/rapportages")
    assert "Geen toegang" in tab.page.inner_text("h1")
    tab.page.goto(hub.base + "/beheer/9999/bestaat-niet")
    tab.check("404")
    tab.page.click("text=Uitloggen")
    tab.page.wait_for_selector("text=U bent uitgelogd")
    tab.check("uitgelogd")


def _dev_login_any(tab: Tab, hub: Hub, rol: str) -> None:
    page = tab.page
    page.goto(hub.base + "/beheer/inloggen")
    page.select_option("#dev-rol", rol)
    page.click("text=Inloggen als ontwikkelaar")
    page.wait_for_load_state("load")


def test_the_api_docs_render_with_the_network_cut_off(tab: Tab, hub: Hub) -> None:
    page = tab.page
    outside: list[str] = []

    def only_the_hub(route: Any) -> None:
        if route.request.url.startswith(hub.base + "/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/*", only_the_hub)
    page.goto(hub.base + "/api/v1/docs")
    page.wait_for_selector(".opblock-summary", timeout=30_000)
    tab.check("api-docs", keyboard=False)
    assert "KCC Hub" in page.inner_text(".information-container")
    assert outside == []
