"""The Objects API facade: the synced directory as community objecttype records for KISS.

Every answer is checked against the Objects API spec and every record's data against
its objecttype schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.facades.conftest import (
    AFDELING_TYPE,
    GROEP_TYPE,
    JAN,
    KCC,
    MEDEWERKER_TYPE,
    MEDEWERKERS,
    OBJECTEN_TOKEN,
    PIET,
    Hub,
    gemeente_toml,
    now,
    seed_availability,
    seed_directory,
)
from tests.facades.specs import assert_valid_data, assert_valid_objecten_answer

URL = "/api/v1/gemeenten/9999/objecten/api/v2/objects"
TOKEN = {"Authorization": f"Token {OBJECTEN_TOKEN}"}
SOORT = {MEDEWERKER_TYPE: "medewerker", AFDELING_TYPE: "afdeling", GROEP_TYPE: "groep"}


@pytest.fixture
def hub(make_hub: Callable[..., Hub], database_url: str) -> Hub:
    built = make_hub(database_url, gemeente_toml())
    seed_directory(built.store)
    seed_availability(built.store, now())
    return built


def get(hub: Hub, params: Any = None, path: str = URL, headers: Any = None) -> httpx.Response:
    response = hub.client.get(path, params=params, headers=TOKEN if headers is None else headers)
    if response.status_code == 200:
        assert_valid_objecten_answer(response)
        body = response.json()
        for record in body.get("results", [body]):
            assert_valid_data(SOORT[record["type"]], record["record"]["data"])
    return response


def walk(hub: Hub, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Follow ``next`` as KISS's Elastic sync does."""
    seen: list[dict[str, Any]] = []
    response = get(hub, params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        seen.extend(body["results"])
        if body["next"] is None:
            return seen
        parts = urlsplit(body["next"])
        response = get(hub, path=f"{parts.path}?{parts.query}", params=None)


def test_every_medewerker_is_a_record_of_the_medewerker_objecttype(hub: Hub) -> None:
    records = walk(hub, {"type": MEDEWERKER_TYPE, "pageSize": 2})
    assert sorted(r["uuid"] for r in records) == sorted(m.id for m in MEDEWERKERS)
    assert {r["type"] for r in records} == {MEDEWERKER_TYPE}
    assert all(r["url"].endswith(f"/objects/{r['uuid']}") for r in records)


def test_a_page_counts_and_links_like_the_objects_api(hub: Hub) -> None:
    body = get(hub, {"type": MEDEWERKER_TYPE, "pageSize": 2, "page": 2}).json()
    assert body["count"] == len(MEDEWERKERS)
    assert len(body["results"]) == 2
    assert "page=3" in body["next"] and "page=1" in body["previous"]
    assert get(hub, {"type": MEDEWERKER_TYPE, "pageSize": 2, "page": 4}).status_code == 404


def test_a_medewerker_record_carries_names_contacts_groups_and_availability(hub: Hub) -> None:
    body = get(
        hub, {"type": MEDEWERKER_TYPE, "data_attr": f"identificatie__exact__{JAN.account_naam}"}
    )
    (record,) = body.json()["results"]
    data = record["record"]["data"]
    assert data["identificatie"] == JAN.account_naam
    assert data["emails"] == [{"email": JAN.email, "naam": "Jan Janssen"}]
    assert data["telefoonnummers"] == [{"telefoonnummer": JAN.telefoonnummer}]
    assert data["groepen"] == [{"groepsnaam": KCC.naam, "groepsId": KCC.id}]
    assert data["afdelingen"][0]["afdelingnaam"] == "Burgerzaken"
    # Jan works Monday to Thursday (his calendar's working hours).
    assert data["beschikbaarheid"]["donderdag"] == {"ochtend": True, "middag": True}
    assert data["beschikbaarheid"]["vrijdag"] == {"ochtend": False, "middag": False}
    assert data["actueleBeschikbaarheid"]["status"] == "vrij"
    assert "volgendVrijMoment" in data["actueleBeschikbaarheid"]


def test_a_tussenvoegsel_is_split_off_the_surname(hub: Hub) -> None:
    params = {"type": MEDEWERKER_TYPE, "data_attr": "achternaam__icontains__berg"}
    (record,) = get(hub, params).json()["results"]
    data = record["record"]["data"]
    assert (data["voorvoegselAchternaam"], data["achternaam"]) == ("van den", "Berg")
    assert record["uuid"] == PIET.id


def test_kiss_afdelingen_lookup_by_name_ordered_by_name(hub: Hub) -> None:
    params = {
        "type": AFDELING_TYPE,
        "ordering": "record__data__naam",
        "data_attr": "naam__icontains__o",
    }
    names = [r["record"]["data"]["naam"] for r in get(hub, params).json()["results"]]
    assert names == ["Informatiebeheer", "Sociaal Domein"]
    exact = get(hub, {"type": AFDELING_TYPE, "data_attr": "naam__exact__Sociaal Domein"})
    (record,) = exact.json()["results"]
    assert record["record"]["data"] == {"identificatie": "sociaal-domein", "naam": "Sociaal Domein"}
    by_id = get(hub, {"type": AFDELING_TYPE, "data_attr": "identificatie__exact__sociaal-domein"})
    assert [r["uuid"] for r in by_id.json()["results"]] == [record["uuid"]]


def test_kiss_groepen_lookup_with_the_group_mailbox(hub: Hub) -> None:
    params = {
        "type": GROEP_TYPE,
        "ordering": "record__data__naam",
        "data_attr": "naam__icontains__KCC",
    }
    (record,) = get(hub, params).json()["results"]
    assert record["uuid"] == KCC.id
    assert record["record"]["typeVersion"] == 2
    assert record["record"]["data"] == {
        "identificatie": "GG-KCC",
        "naam": "KCC Medewerkers",
        "email": "kcc@voorbeeldstad.test",
    }


def test_descending_order_and_several_filters(hub: Hub) -> None:
    params = {
        "type": MEDEWERKER_TYPE,
        "ordering": "-record__data__naam",
        "data_attr": ["afdelingen__afdelingnaam__exact__Burgerzaken", "voornaam__in__Jan|Piet"],
    }
    names = [r["record"]["data"]["volledigeNaam"] for r in get(hub, params).json()["results"]]
    assert names == ["Piet van den Berg", "Jan Janssen"]


def test_an_attribute_no_record_has_matches_nothing(hub: Hub) -> None:
    body = get(hub, {"type": MEDEWERKER_TYPE, "data_attr": "schoenmaat__exact__44"}).json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({}, "type"),
        ({"type": "https://elders.test/api/v2/objecttypes/onbekend"}, "type"),
        ({"type": MEDEWERKER_TYPE, "data_attr": "naam__gt__a"}, "data_attr"),
        ({"type": MEDEWERKER_TYPE, "data_attr": "zonder-operator"}, "data_attr"),
    ],
)
def test_a_bad_query_is_a_400_naming_the_parameter(
    hub: Hub, params: dict[str, str], name: str
) -> None:
    response = get(hub, params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["invalidParams"][0]["name"] == name


def test_one_record_by_uuid_of_each_objecttype(hub: Hub) -> None:
    for params in (
        {"type": MEDEWERKER_TYPE, "data_attr": f"identificatie__exact__{PIET.account_naam}"},
        {"type": AFDELING_TYPE, "data_attr": "naam__exact__Burgerzaken"},
        {"type": GROEP_TYPE, "data_attr": "identificatie__exact__GG-BO"},
    ):
        (listed,) = get(hub, params).json()["results"]
        one = get(hub, path=f"{URL}/{listed['uuid']}")
        assert one.status_code == 200
        assert one.json() == listed


def test_an_unknown_uuid_is_404(hub: Hub) -> None:
    response = get(hub, path=f"{URL}/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Token verkeerd-" + "x" * 30},
        {"Authorization": f"Bearer {OBJECTEN_TOKEN}"},
        {"X-API-KEY": OBJECTEN_TOKEN},
    ],
)
def test_without_the_client_token_the_answer_is_401(hub: Hub, headers: dict[str, str]) -> None:
    for path in (URL, f"{URL}/{JAN.id}"):
        response = get(hub, {"type": MEDEWERKER_TYPE}, path=path, headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"


def test_the_spec_check_rejects_a_record_without_type() -> None:
    request = httpx.Request("GET", f"http://testserver{URL}")
    bad = httpx.Response(
        200, json={"count": 1, "results": [{"record": {"data": {}}}]}, request=request
    )
    with pytest.raises(AssertionError):
        assert_valid_objecten_answer(bad)
    with pytest.raises(AssertionError):
        assert_valid_data("medewerker", {"voornaam": "Jan"})
