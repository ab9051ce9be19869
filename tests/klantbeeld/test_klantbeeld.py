"""``POST klantbeeld`` (issue 10, acceptance 1): sections fetched concurrently, each within its
own deadline; a slow source is ``time-out`` without sinking the rest; roles per section; one
logboek record with the fields delivered per section."""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient

from hub.runtime import Runtime
from plugins.brp.double import HaalCentraalDouble
from plugins.zaak.double import ZgwDouble
from tests.klantbeeld.conftest import BSN, headers, inzage, records, url

VRAAG = {"bsn": BSN, "doel": "kcc-identificatie"}
ZOEKEN = "/zaken/api/v1/zaken"  # the zaken search, not the status lookups

SNELLE_ZAKEN_DEADLINE = "[klantbeeld.deadlines_ms]\nzaken = 200\n"
RUIME_DEADLINES = "[klantbeeld.deadlines_ms]\npersoon = 10000\nzaken = 10000\n"
ZAKEN_ALLEEN_BACKOFFICE = '[klantbeeld.rollen]\nzaken = ["backoffice"]\n'


def test_every_section_answers_with_status_and_age_and_one_record_lists_the_fields(
    client: TestClient, runtime: Runtime
) -> None:
    response = client.post(url("/klantbeeld"), json=VRAAG, headers=headers())

    assert response.status_code == 200, response.text
    body = response.json()
    for sectie in ("persoon", "zaken", "meldingen", "klantcontacten", "contactverzoeken"):
        assert body[sectie]["status"] == "ok", (sectie, body[sectie])
        assert body[sectie]["leeftijdSeconden"] >= 0 and body[sectie]["gegevensVan"]
    assert len(body["zaken"]["zaken"]) == 3
    [record] = records(runtime)
    velden = json.loads(record.velden)
    assert record.name == "klantbeeld" and record.doel == "kcc-identificatie"
    assert any(v.startswith("persoon.") for v in velden)
    assert "zaken.identificatie" in velden
    assert inzage(runtime, BSN) == [("klantbeeld", "ok")]


@pytest.mark.parametrize("runtime", [SNELLE_ZAKEN_DEADLINE], indirect=True)
def test_a_source_past_its_deadline_is_time_out_and_the_answer_does_not_wait_for_it(
    client: TestClient, zgw: ZgwDouble
) -> None:
    zgw.faults.only_path = ZOEKEN
    zgw.faults.latency = 1.0

    response = client.post(url("/klantbeeld"), json=VRAAG, headers=headers())

    # The zaaksysteem is still busy with the search when the klantbeeld has been answered.
    assert zgw.requests["POST /zaken/api/v1/zaken/_zoek"] == 1 and zgw.timings == []
    body = response.json()
    assert body["zaken"]["status"] == "time-out"
    assert body["persoon"]["status"] == "ok" and body["persoon"]["persoon"]
    assert body["klantcontacten"]["status"] == "ok"


@pytest.mark.parametrize("runtime", [RUIME_DEADLINES], indirect=True)
def test_slow_sources_are_asked_at_the_same_time_not_one_after_the_other(
    client: TestClient, brp: HaalCentraalDouble, zgw: ZgwDouble
) -> None:
    # Long enough that setting up either call (spec checks in the doubles on a busy machine)
    # cannot outlast the other's wait; the timings themselves are bench/bench_klantbeeld.py's.
    brp.faults.latency = 1.0
    zgw.faults.only_path = ZOEKEN
    zgw.faults.latency = 1.0
    begin = time.perf_counter()

    response = client.post(url("/klantbeeld"), json=VRAAG, headers=headers())

    assert response.status_code == 200
    assert response.json()["persoon"]["status"] == "ok"
    assert response.json()["zaken"]["status"] == "ok"
    # The delayed requests (an earlier test's abandoned call may still finish meanwhile).
    [(brp_start, brp_end)] = [(s, e) for s, e in brp.timings if s > begin and e - s >= 0.9]
    [(zgw_start, zgw_end)] = [(s, e) for s, e in zgw.timings if s > begin and e - s >= 0.9]
    # Both requests were in flight together: each started before the other finished.
    assert brp_start < zgw_end and zgw_start < brp_end


@pytest.mark.parametrize("runtime", [ZAKEN_ALLEEN_BACKOFFICE], indirect=True)
def test_a_section_the_role_may_not_see_is_niet_geautoriseerd_and_never_fetched(
    client: TestClient, runtime: Runtime, zgw: ZgwDouble
) -> None:
    zgw.requests.clear()

    response = client.post(url("/klantbeeld"), json=VRAAG, headers=headers("kcc-medewerker"))

    body = response.json()
    assert body["zaken"] == {
        "status": "niet_geautoriseerd",
        "gegevensVan": None,
        "leeftijdSeconden": None,
        "detail": None,
        "zaken": [],
        "bronnen": [],
    }
    assert body["persoon"]["status"] == "ok"
    assert not zgw.requests
    [record] = records(runtime)
    assert not any(v.startswith("zaken.") for v in json.loads(record.velden))


def test_a_kvk_nummer_gives_zaken_and_no_person_sections(client: TestClient) -> None:
    response = client.post(
        url("/klantbeeld"),
        json={"kvkNummer": "69599084", "doel": "kcc-identificatie"},
        headers=headers(),
    )

    body = response.json()
    assert body["zaken"]["status"] == "ok"
    assert body["persoon"]["status"] == "niet_beschikbaar"


def test_two_identifiers_at_once_are_refused_naming_the_field(client: TestClient) -> None:
    response = client.post(
        url("/klantbeeld"),
        json={"bsn": BSN, "kvkNummer": "69599084", "doel": "kcc-identificatie"},
        headers=headers(),
    )

    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "bsn"
    assert BSN not in response.text


def test_a_refused_role_is_logged_against_the_bsn_it_carried(
    client: TestClient, runtime: Runtime
) -> None:
    response = client.post(url("/klantbeeld"), json=VRAAG, headers=headers("beheerder"))

    assert response.status_code == 403
    assert inzage(runtime, BSN) == [("klantbeeld", "geen_toegang")]
