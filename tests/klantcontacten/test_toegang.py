"""Who may see what (issue 9, acceptance 3): every new route × role × own or other gemeente.

kcc-medewerker registers and reads all of its gemeente (and may handle); backoffice reads and
handles only what is assigned to them or their afdeling (another afdeling's is 403);
privacy-officer and beheerder get no content; another gemeente is always 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub.api.app import create_app
from tests.klantcontacten.conftest import Hub, terugbelverzoek

Case = tuple[str, str]  # (method, route template)
ROUTES: dict[Case, Callable[[Hub, dict[str, str]], tuple[str, dict[str, Any] | None]]] = {
    ("POST", "/klantcontacten"): lambda hub, r: ("klantcontacten", terugbelverzoek()),
    ("GET", "/klantcontacten"): lambda hub, r: ("klantcontacten", None),
    ("POST", "/klantcontacten/_zoek"): lambda hub, r: (
        "klantcontacten/_zoek",
        {"telefoonnummer": "0647112368"},
    ),
    ("GET", "/klantcontacten/{id}"): lambda hub, r: (f"klantcontacten/{r['klantcontact']}", None),
    ("POST", "/contactverzoeken"): lambda hub, r: (
        "contactverzoeken",
        {
            "klantcontact": r["klantcontact"],
            "toelichting": "Nog een vraag",
            "toegewezenAan": {"medewerker": "mw-piet"},
        },
    ),
    ("GET", "/contactverzoeken"): lambda hub, r: ("contactverzoeken", None),
    ("GET", "/contactverzoeken/{id}"): lambda hub, r: (f"contactverzoeken/{r['cv']}", None),
    ("POST", "/contactverzoeken/{id}/pogingen"): lambda hub, r: (
        f"contactverzoeken/{r['cv']}/pogingen",
        {"uitkomst": "niet_bereikt"},
    ),
    ("POST", "/contactverzoeken/{id}/_afhandelen"): lambda hub, r: (
        f"contactverzoeken/{r['cv']}/_afhandelen",
        {"uitkomst": "Teruggebeld"},
    ),
    ("POST", "/contactverzoeken/{id}/_doorzetten"): lambda hub, r: (
        f"contactverzoeken/{r['cv']}/_doorzetten",
        {"toegewezenAan": {"afdeling": "Belastingen"}},
    ),
}

ALL_OK = {
    ("POST", "/klantcontacten"): 201,
    ("GET", "/klantcontacten"): 200,
    ("POST", "/klantcontacten/_zoek"): 200,
    ("GET", "/klantcontacten/{id}"): 200,
    ("POST", "/contactverzoeken"): 201,
    ("GET", "/contactverzoeken"): 200,
    ("GET", "/contactverzoeken/{id}"): 200,
    ("POST", "/contactverzoeken/{id}/pogingen"): 201,
    ("POST", "/contactverzoeken/{id}/_afhandelen"): 200,
    ("POST", "/contactverzoeken/{id}/_doorzetten"): 200,
}
REGISTREREN = {("POST", "/klantcontacten"), ("POST", "/contactverzoeken")}
ZOEKEN = {("GET", "/klantcontacten"), ("POST", "/klantcontacten/_zoek")}

# (role, token subject): the backoffice medewerker the contactverzoek is assigned to (Piet,
# Belastingen) and one of another afdeling (Anna, Burgerzaken).
ACTORS = {
    "kcc-medewerker": ("kcc-medewerker", "k.agent"),
    "backoffice (toegewezen)": ("backoffice", "p.bakker"),
    "backoffice (andere afdeling)": ("backoffice", "a.visser"),
    "privacy-officer": ("privacy-officer", "fg"),
    "beheerder": ("beheerder", "ict"),
    # No rule of issue 9 admits a teamleider (that role came later); no content for now.
    "teamleider": ("teamleider", "t.leider"),
}


def expected(actor: str, case: Case, own_gemeente: bool) -> int:
    if not own_gemeente or actor in ("privacy-officer", "beheerder", "teamleider"):
        return 403
    if actor == "kcc-medewerker":
        return ALL_OK[case]
    if case in REGISTREREN or case in ZOEKEN:
        return 403
    if actor == "backoffice (andere afdeling)" and case != ("GET", "/contactverzoeken"):
        return 403
    return ALL_OK[case]


def fresh(hub: Hub) -> dict[str, str]:
    """A klantcontact with a contactverzoek for Piet Bakker (Belastingen)."""
    response = hub.client.post(
        hub.url("klantcontacten"), json=terugbelverzoek(), headers=hub.headers()
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return {"klantcontact": body["id"], "cv": body["contactverzoek"]["id"]}


def test_the_matrix_covers_every_klantcontacten_route(hub: Hub) -> None:
    document = create_app(hub.runtime).openapi()
    prefix = "/gemeenten/{gemeentecode}"
    routes = {
        (method.upper(), path.removeprefix(prefix))
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if set(operation.get("tags", [])) & {"Klantcontacten", "Contactverzoeken"}
    }
    assert routes == set(ROUTES) == set(ALL_OK)


def test_every_route_role_and_gemeente_gets_the_answer_the_rules_give(hub: Hub) -> None:
    wrong = []
    for actor, (role, sub) in ACTORS.items():
        for case, make in ROUTES.items():
            for own in (True, False):
                resources = fresh(hub)
                path, body = make(hub, resources)
                headers = hub.headers(role, sub=sub, gemeenten=("9999",) if own else ("0363",))
                method, _ = case
                response = hub.client.request(method, hub.url(path), json=body, headers=headers)
                want = expected(actor, case, own)
                if response.status_code != want:
                    wrong.append((actor, case, own, response.status_code, want))
                if response.status_code >= 400:
                    assert response.headers["content-type"] == "application/problem+json"
    assert wrong == []


def test_backoffice_sees_the_klantcontact_of_its_own_contactverzoek_only(hub: Hub) -> None:
    own = fresh(hub)  # for Piet

    piet = hub.headers("backoffice", sub="p.bakker", key=None)
    anna = hub.headers("backoffice", sub="a.visser", key=None)
    assert (
        hub.client.get(hub.url(f"klantcontacten/{own['klantcontact']}"), headers=piet).status_code
        == 200
    )
    assert (
        hub.client.get(hub.url(f"klantcontacten/{own['klantcontact']}"), headers=anna).status_code
        == 403
    )


def test_a_contactverzoek_of_another_gemeente_does_not_exist_here(hub: Hub) -> None:
    own = fresh(hub)
    amsterdam = hub.headers(gemeenten=("0363",), key=None)

    response = hub.client.get(hub.url(f"contactverzoeken/{own['cv']}", "0363"), headers=amsterdam)

    assert response.status_code == 404
