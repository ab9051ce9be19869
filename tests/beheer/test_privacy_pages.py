"""The privacy officer's pages on SQLite and PostgreSQL: inzage, exports, search, chain, retention."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select, text

from hub.privacy.logboek import query as logboek_query
from hub.privacy.logboek import tables as logboek_tables
from hub.privacy.retention import purge_logboek
from hub.privacy.settings import privacy_for
from hub.runtime import Runtime
from hub.store.base import utcnow
from tests.beheer.conftest import csrf_of, dev_login, lookup_person
from tests.privacy.persons import BSN, BSN_PARTNER

INZAGE = "/beheer/9999/privacy/inzage"


def _records(rt: Runtime, activiteit: str) -> list[logboek_query.LogboekRegel]:
    with rt.store.session() as s:
        sleutels = privacy_for(rt.tenants.gemeenten["9999"]).sleutels
        return [
            r
            for r in logboek_query.search(s, sleutels, bsn=BSN, size=200).items
            if r.activiteit == activiteit
        ]


def _inzage(client: TestClient, path: str = INZAGE, **extra: str) -> object:
    data = {"csrf": csrf_of(client, INZAGE), "bsn": BSN, "met_medewerker": "ja", **extra}
    return client.post(path, data=data)


def test_an_inzage_lists_every_access_to_the_person_and_is_itself_logged(
    any_client: TestClient, any_rt: Runtime, token_for: Callable[..., str]
) -> None:
    assert lookup_person(any_client, token_for, BSN, sub="agent-7").status_code == 200
    assert lookup_person(any_client, token_for, BSN_PARTNER, sub="agent-8").status_code == 200
    dev_login(any_client, "privacy-officer", naam="Fenna")
    page = _inzage(any_client)
    assert page.status_code == 200
    assert 'id="aantal">1<' in page.text  # only the lookup of this BSN, not the partner's
    assert "agent-7" in page.text and "agent-8" not in page.text
    assert "kcc-identificatie" in page.text
    [logged] = _records(any_rt, "logboek-inzage")
    assert logged.medewerker == "dev-fenna" and logged.rol == "privacy-officer"
    # The next inzage shows the first one too: asking is a processing of the person's data.
    again = _inzage(any_client)
    assert 'id="aantal">2<' in again.text and "dev-fenna" in again.text


def test_the_csv_and_the_pdf_hold_the_same_rows_and_each_export_is_logged(
    any_client: TestClient, any_rt: Runtime, token_for: Callable[..., str]
) -> None:
    lookup_person(any_client, token_for, BSN, sub="agent-7")
    lookup_person(any_client, token_for, BSN, rol="backoffice", sub="bo-1", doel="zaakbehandeling")
    dev_login(any_client, "privacy-officer")
    csv_response = _inzage(any_client, INZAGE + ".csv")
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert BSN not in csv_response.headers["content-disposition"]
    rows = list(
        csv.DictReader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";")
    )
    assert [r["medewerker"] for r in rows] == ["agent-7", "bo-1"]
    assert [r["doel"] for r in rows] == ["kcc-identificatie", "zaakbehandeling"]

    pdf_response = _inzage(any_client, INZAGE + ".pdf")
    assert pdf_response.headers["content-type"] == "application/pdf"
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_response.content)).pages)
    assert BSN not in pdf_text and "*****3653" in pdf_text
    # The PDF was made after the CSV, so it holds the CSV's rows plus the CSV export itself.
    for row in rows:
        assert row["medewerker"] in pdf_text and row["doel"] in pdf_text
    assert "Aantal verwerkingen: 3" in pdf_text.replace(":\n", ": ")
    assert len(_records(any_rt, "logboek-inzage-csv")) == 1
    assert len(_records(any_rt, "logboek-inzage-pdf")) == 1


def test_an_inzage_without_names_gives_the_role_only(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    lookup_person(client, token_for, BSN, sub="agent-7")
    dev_login(client, "privacy-officer")
    data = {"csrf": csrf_of(client, INZAGE), "bsn": BSN}
    rows = list(
        csv.DictReader(
            io.StringIO(client.post(INZAGE + ".csv", data=data).content.decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert rows[0]["rol"] == "kcc-medewerker" and rows[0]["medewerker"] == ""


def test_an_invalid_bsn_is_refused_without_echoing_it_or_logging(
    client: TestClient, rt: Runtime
) -> None:
    dev_login(client, "privacy-officer")
    r = client.post(INZAGE, data={"csrf": csrf_of(client, INZAGE), "bsn": "123456789"})
    assert r.status_code == 400
    assert "elfproef" in r.text and "123456789" not in r.text
    with rt.store.session() as s:
        assert s.scalar(select(logboek_tables.LogboekRecord.volgnummer)) is None


def test_a_bsn_in_a_page_url_is_refused(client: TestClient) -> None:
    dev_login(client, "privacy-officer")
    r = client.get(f"/beheer/9999/privacy/zoeken?medewerker={BSN}")
    assert r.status_code == 400
    assert BSN not in r.text


def test_the_logboek_is_searched_by_medewerker_and_period(
    any_client: TestClient, token_for: Callable[..., str]
) -> None:
    lookup_person(any_client, token_for, BSN, sub="agent-7")
    lookup_person(any_client, token_for, BSN_PARTNER, sub="agent-8")
    dev_login(any_client, "privacy-officer")
    today = utcnow().date()
    r = any_client.get(
        "/beheer/9999/privacy/zoeken",
        params={"medewerker": "agent-8", "van": str(today - timedelta(days=1)), "tot": str(today)},
    )
    assert r.status_code == 200
    assert "1 record gevonden" in r.text and "agent-8" in r.text and "agent-7" not in r.text
    earlier = any_client.get(
        "/beheer/9999/privacy/zoeken",
        params={"van": str(today - timedelta(days=9)), "tot": str(today - timedelta(days=2))},
    )
    assert "0 records gevonden" in earlier.text
    wrong = any_client.get("/beheer/9999/privacy/zoeken", params={"van": "gisteren"})
    assert wrong.status_code == 400 and 'aria-invalid="true"' in wrong.text


def test_verification_names_the_first_broken_record(
    client: TestClient, rt: Runtime, token_for: Callable[..., str]
) -> None:
    for sub in ("a-1", "a-2", "a-3"):
        lookup_person(client, token_for, BSN, sub=sub)
    dev_login(client, "privacy-officer")
    intact = client.get("/beheer/9999/privacy/verificatie")
    assert "De keten is intact" in intact.text
    with rt.store.engine.begin() as conn:
        for (name,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'")):
            conn.execute(text(f'DROP TRIGGER "{name}"'))
        conn.execute(text("UPDATE logboek SET medewerker = 'iemand-anders' WHERE volgnummer = 2"))
    broken = client.get("/beheer/9999/privacy/verificatie")
    assert "De keten is gebroken" in broken.text
    assert 'id="eerste-breuk">2:' in broken.text


def test_retention_shows_the_setting_and_the_last_purge(
    any_client: TestClient, any_rt: Runtime, token_for: Callable[..., str]
) -> None:
    lookup_person(any_client, token_for, BSN)
    dev_login(any_client, "privacy-officer")
    before = any_client.get("/beheer/9999/privacy/bewaartermijn")
    assert "30 dagen" in before.text and "nog niets opgeschoond" in before.text
    purge_logboek(
        any_rt.store,
        privacy_for(any_rt.tenants.gemeenten["9999"]),
        nu=utcnow() + timedelta(days=31),
    )
    after = any_client.get("/beheer/9999/privacy/bewaartermijn")
    assert "1 records" in after.text and "tot en met record 1" in after.text
