"""``GET zaken/{identificatie}`` (issue 15): the read is logged against the zaak's betrokkene
(fetched from the ZGW rollen) before the zaak leaves; a refused attempt is logged too."""

from __future__ import annotations

from fastapi.testclient import TestClient

from hub.runtime import Runtime
from plugins.zaak.double import ZgwDouble
from tests.klantbeeld.conftest import headers, inzage, records, url

BETROKKENE = "999990640"


def test_reading_a_zaak_is_found_by_inzage_on_its_betrokkene(
    client: TestClient, runtime: Runtime, zgw: ZgwDouble
) -> None:
    [identificatie] = zgw.add_zaken(bsn=BETROKKENE, aantal=1)

    response = client.get(url(f"/zaken/{identificatie}?doel=kcc-identificatie"), headers=headers())

    assert response.status_code == 200, response.text
    assert response.json()["identificatie"] == identificatie
    assert BETROKKENE not in response.text and "betrokkenen" not in response.json()
    assert zgw.requests["GET /zaken/api/v1/rollen"] == 1
    assert inzage(runtime, BETROKKENE) == [("zaak-ophalen", "ok")]
    [record] = records(runtime)
    assert record.doel == "kcc-identificatie"


def test_a_zaak_whose_rollen_cannot_be_read_is_not_handed_out(
    client: TestClient, runtime: Runtime, zgw: ZgwDouble
) -> None:
    [identificatie] = zgw.add_zaken(bsn=BETROKKENE, aantal=1)
    zgw.faults.only_path = "/zaken/api/v1/rollen"
    zgw.faults.status = 500

    response = client.get(url(f"/zaken/{identificatie}"), headers=headers())

    assert response.status_code == 503
    assert "zaaktype" not in response.json()
    [record] = records(runtime)
    assert record.name == "zaak-ophalen" and record.status == "bronfout"


def test_a_refused_zaak_read_is_logged(client: TestClient, runtime: Runtime) -> None:
    response = client.get(url("/zaken/ZAAK-K-2026-0000001"), headers=headers("beheerder"))

    assert response.status_code == 403
    [record] = records(runtime)
    assert record.name == "zaak-ophalen" and record.status == "geen_toegang"
