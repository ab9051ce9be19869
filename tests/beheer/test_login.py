"""Logging in to /beheer/: OIDC with PKCE against a loopback provider, the dev login, sessions."""

from __future__ import annotations

from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from hub.api.app import create_app
from hub.runtime import Runtime
from tests.beheer.conftest import HTTPS, build_runtime, csrf_of, dev_login, write_config
from tests.support.oidc_provider import OidcProvider

CALLBACK = HTTPS + "/beheer/oidc/callback"


@pytest.fixture
def idp() -> Iterator[OidcProvider]:
    provider = OidcProvider(redirect_uris=[CALLBACK]).start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc_client(
    tmp_path: Path, idp: OidcProvider, monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> Iterator[TestClient]:
    """Gemeente 9999 logs in at the provider; 0363 keeps the deployment's dev-only [auth]."""
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "testbrp,notities")
    monkeypatch.setenv("KCC_BEHEER_OIDC_GEHEIM", idp.client_secret or "")
    auth = (
        "\n[auth.oidc]\n"
        f'issuer = "{idp.issuer}"\n'
        f'jwks_url = "{idp.issuer}/protocol/openid-connect/certs"\n'
        'audience = "kcc-hub"\n'
        'client_id = "kcc-hub-beheer"\n'
        'client_secret = "${KCC_BEHEER_OIDC_GEHEIM}"\n'
        "[auth.claims]\n"
        'roles = "realm_access.roles"\n'
        "[auth.roles]\n"
        '"Functionaris-gegevensbescherming" = "privacy-officer"\n'
        '"Applicatiebeheerder" = "beheerder"\n'
        '"Klantcontactmedewerker" = "kcc-medewerker"\n'
    )
    config = write_config(tmp_path / "config", auth_9999=auth)
    runtime = build_runtime(config, sqlite_url)
    with TestClient(create_app(runtime), base_url=HTTPS) as client:
        yield client
    runtime.store.engine.dispose()


def _oidc_login(client: TestClient, idp: OidcProvider, *roles: str) -> httpx.Response:
    idp.next_user = {
        "sub": "f.gegevens",
        "name": "Fenna Gegevens",
        "realm_access": {"roles": list(roles)},
        # 0363 trusts another login source: the session must not cover it.
        "gemeenten": ["9999", "0363"],
    }
    start = client.post(
        "/beheer/inloggen/oidc",
        data={"csrf": csrf_of(client, "/beheer/inloggen"), "gemeente": "9999"},
        follow_redirects=False,
    )
    assert start.status_code == 303
    at_idp = httpx.get(start.headers["location"])  # the browser at the identity provider
    assert at_idp.status_code == 302, at_idp.text
    back = urlsplit(at_idp.headers["location"])
    assert back.geturl().startswith(CALLBACK)
    return client.get(f"{back.path}?{back.query}", follow_redirects=False)


def test_oidc_login_uses_pkce_and_maps_roles_like_the_api(
    oidc_client: TestClient, idp: OidcProvider
) -> None:
    start = oidc_client.post(
        "/beheer/inloggen/oidc",
        data={"csrf": csrf_of(oidc_client, "/beheer/inloggen"), "gemeente": "9999"},
        follow_redirects=False,
    )
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["client_id"] == ["kcc-hub-beheer"]
    assert query["redirect_uri"] == [CALLBACK]

    done = _oidc_login(oidc_client, idp, "Functionaris-gegevensbescherming")
    assert done.status_code == 200, done.text
    assert "Fenna Gegevens" in done.text
    assert idp.token_requests[-1]["code_verifier"]
    home = oidc_client.get("/beheer/")
    assert home.status_code == 200
    assert "Inzage" in home.text and "Voorbeeldstad" in home.text


def test_an_oidc_session_is_bound_to_the_gemeenten_that_trust_its_issuer(
    oidc_client: TestClient, idp: OidcProvider
) -> None:
    _oidc_login(oidc_client, idp, "Applicatiebeheerder")
    assert oidc_client.get("/beheer/9999/plugins").status_code == 200
    other = oidc_client.get("/beheer/0363/plugins")
    assert other.status_code == 403
    assert "niet ingelogd voor gemeente Amsterdam" in other.text


def test_a_login_whose_id_token_carries_another_nonce_is_refused(
    oidc_client: TestClient, idp: OidcProvider
) -> None:
    idp.nonce_override = "een-andere-nonce"
    done = _oidc_login(oidc_client, idp, "Functionaris-gegevensbescherming")
    assert done.status_code == 401
    assert "hoort niet bij deze inlogpoging" in done.text
    assert oidc_client.get("/beheer/", follow_redirects=False).status_code == 303


def test_a_callback_without_the_login_cookie_is_refused(oidc_client: TestClient) -> None:
    r = oidc_client.get("/beheer/oidc/callback?code=abc&state=def")
    assert r.status_code == 400
    assert "verlopen of onbekend" in r.text


def test_a_kcc_medewerker_who_logs_in_sees_a_403_page(
    oidc_client: TestClient, idp: OidcProvider
) -> None:
    _oidc_login(oidc_client, idp, "Klantcontactmedewerker")
    r = oidc_client.get("/beheer/")
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html")
    assert "Geen toegang" in r.text


def test_the_session_cookie_is_secure_httponly_strict_and_scoped_to_beheer(
    client: TestClient,
) -> None:
    client.get("/beheer/inloggen")
    dev_login(client, "beheerder")
    raw = client.get("/beheer/inloggen").request.headers["cookie"]
    assert raw.startswith("kcc_beheer=")
    # The login response set it; read its attributes from a fresh login.
    token = csrf_of(client, "/beheer/inloggen")
    r = client.post(
        "/beheer/inloggen/dev",
        data={"csrf": token, "gemeente": "9999", "rol": "beheerder", "naam": "B"},
        follow_redirects=False,
    )
    header = r.headers["set-cookie"]
    cookie = SimpleCookie(header)["kcc_beheer"]
    assert cookie["secure"] and cookie["httponly"]
    assert cookie["samesite"].lower() == "strict"
    assert cookie["path"] == "/beheer"


def test_a_form_without_the_sessions_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/beheer/inloggen")
    r = client.post(
        "/beheer/inloggen/dev",
        data={"csrf": "geraden", "gemeente": "9999", "rol": "privacy-officer", "naam": "X"},
    )
    assert r.status_code == 403
    assert "Formulier verlopen" in r.text
    dev_login(client, "beheerder")
    r = client.post("/beheer/9999/plugins/notities/synchroniseren", data={})
    assert r.status_code == 403


def test_the_dev_login_exists_only_where_a_dev_key_is_configured(
    oidc_client: TestClient, client: TestClient
) -> None:
    # 9999 in oidc_client has its own [auth] without a dev key; 0363 keeps the dev key.
    page = oidc_client.get("/beheer/inloggen").text
    assert 'value="0363"' in page.split("Ontwikkel-login")[1]
    assert 'value="9999">' not in page.split("Ontwikkel-login")[1]
    r = oidc_client.post(
        "/beheer/inloggen/dev",
        data={
            "csrf": csrf_of(oidc_client, "/beheer/inloggen"),
            "gemeente": "9999",
            "rol": "privacy-officer",
            "naam": "X",
        },
    )
    assert r.status_code == 403


def test_pages_need_a_login_and_the_right_role(client: TestClient) -> None:
    r = client.get("/beheer/9999/privacy/inzage", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("/beheer/inloggen")
    dev_login(client, "beheerder")
    assert client.get("/beheer/9999/privacy/inzage").status_code == 403
    assert client.get("/beheer/9999/privacy/zoeken").status_code == 403
    assert client.get("/beheer/9999/rapportages").status_code == 403
    dev_login(client, "privacy-officer")
    assert client.get("/beheer/9999/plugins").status_code == 403
    assert client.get("/beheer/9999/wachtrijen").status_code == 403


def test_a_teamleider_logs_in_and_sees_the_rapportages(client: TestClient) -> None:
    dev_login(client, "teamleider")
    home = client.get("/beheer/")
    assert home.status_code == 200 and "Rapportages" in home.text
    page = client.get("/beheer/9999/rapportages")
    assert page.status_code == 200
    assert 'id="totaal"' in page.text and 'id="contactverzoeken"' in page.text


def test_a_bad_period_on_the_rapportages_page_is_a_400_page(client: TestClient) -> None:
    dev_login(client, "teamleider")
    page = client.get("/beheer/9999/rapportages", params={"van": "2026-03-10", "tot": "2026-03-01"})
    assert page.status_code == 400
    assert "Ongeldige periode" in page.text


def test_logging_out_ends_the_session(client: TestClient) -> None:
    dev_login(client, "beheerder")
    token = csrf_of(client, "/beheer/9999/plugins")
    r = client.post("/beheer/uitloggen", data={"csrf": token})
    assert r.status_code == 200 and "uitgelogd" in r.text
    assert client.get("/beheer/", follow_redirects=False).status_code == 303


def test_a_session_cookie_signed_with_another_key_is_ignored(
    client: TestClient, rt: Runtime
) -> None:
    from hub.beheer.sessie import Sessie, Sessiesleutels

    forged = Sessiesleutels("een-andere-sleutel-" + "x" * 30, 3600).schrijf(
        Sessie(
            csrf="c", subject="mallory", rollen=frozenset({"privacy-officer"}), gemeenten=("9999",)
        )
    )
    client.cookies.set("kcc_beheer", forged, domain="hub.voorbeeldstad.test", path="/beheer")
    assert client.get("/beheer/9999/privacy/inzage", follow_redirects=False).status_code == 303
