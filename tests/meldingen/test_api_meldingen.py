"""``POST /meldingen`` and ``GET /meldingen/{id}`` through the real app (issue 6, acceptance 3–5)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.api.app import create_app
from hub.auth import issue_dev_token
from hub.errors import UpstreamUnavailable
from hub.meldingen import pending_outbox, set_dispatcher, submit_outbox, sync_statuses
from hub.runtime import Runtime
from hub.store.base import utcnow
from hub.store.migrate import upgrade
from hub.tenants import AuthSettings
from plugins.fixi.double import FixiDouble

REPO = Path(__file__).resolve().parents[2]
MELDINGEN = "/api/v1/gemeenten/9999/meldingen"
DEV_KEY = "fixi-api-test-dev-key-" + "k" * 40
LANTAARNPAAL = {
    "categorie": "Straatverlichting",
    "omschrijving": "Lantaarnpaal brandt niet",
    "locatie": {"adres": "Dorpsstraat 12", "woonplaats": "Demodam", "lat": 52.09, "lon": 5.12},
    "melder": {"naam": "J. Jansen", "telefoonnummer": "0612345678"},
}


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixi: FixiDouble) -> Runtime:
    monkeypatch.setenv("KCC_HUB_DEV_KEY", DEV_KEY)
    config = tmp_path / "config"
    (config / "gemeenten").mkdir(parents=True)
    hub_toml = (REPO / "config" / "hub.toml").read_text(encoding="utf-8")
    (config / "hub.toml").write_text(
        hub_toml.replace("plugin_retry_attempts = 3", "plugin_retry_attempts = 1"), encoding="utf-8"
    )
    (config / "gemeenten" / "9999.toml").write_text(
        'naam = "Voorbeeldstad"\n'
        "[plugins.fixi]\n"
        f'base_url = "{fixi.base_url}"\n'
        'client_id = "kcc-hub"\n'
        'client_secret = "${FIXI_SECRET}"\n'
        "timeout_seconds = 0.5\n"
        "max_attempts = 1\n",
        encoding="utf-8",
    )
    shutil.copy(config / "gemeenten" / "9999.toml", config / "gemeenten" / "0363.toml")
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    return Runtime.build(config_dir=config, database_url=url)


def restarted(runtime: Runtime) -> Runtime:
    """A new hub process on the same configuration and database."""
    runtime.store.engine.dispose()
    gemeente = runtime.tenants.gemeenten["9999"]
    assert gemeente.source is not None
    return Runtime.build(
        config_dir=gemeente.source.parent.parent, database_url=str(runtime.store.engine.url)
    )


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as test_client:
        yield test_client


def headers(key: str | None = None, gemeenten: tuple[str, ...] = ("9999",)) -> dict[str, str]:
    auth = AuthSettings.model_validate({"dev_key": "${KCC_HUB_DEV_KEY}"})
    token = issue_dev_token(
        auth, subject="p.bakker", gemeenten=list(gemeenten), roles=["kcc-medewerker"]
    )
    result = {"Authorization": f"Bearer {token}"}
    if key is not None:
        result["Idempotency-Key"] = key
    return result


def test_a_melding_is_accepted_with_202_in_the_queue_and_dispatched(
    client: TestClient, runtime: Runtime
) -> None:
    sent: list[tuple[str, str]] = []
    set_dispatcher(lambda gemeente, melding_id: sent.append((gemeente, melding_id)))
    try:
        response = client.post(MELDINGEN, json=LANTAARNPAAL, headers=headers(str(uuid.uuid4())))
    finally:
        set_dispatcher(None)

    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "in_wachtrij" and body["bron"] is None
    assert "melder" not in body
    assert response.headers["Location"] == f"{MELDINGEN}/{body['id']}"
    assert sent == [("9999", body["id"])]


def test_the_same_idempotency_key_twice_gives_the_same_melding_and_one_upstream(
    client: TestClient, runtime: Runtime, fixi: FixiDouble
) -> None:
    key = str(uuid.uuid4())
    first = client.post(MELDINGEN, json=LANTAARNPAAL, headers=headers(key))
    again = client.post(MELDINGEN, json=LANTAARNPAAL, headers=headers(key))

    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    for gemeente, melding_id in pending_outbox(runtime.store):
        submit_outbox(runtime.store, runtime.host, gemeente, melding_id)
    assert len(fixi.issues_with_reference(first.json()["id"])) == 1


def test_a_replay_after_submission_returns_the_original_answer_not_the_current_state(
    client: TestClient, runtime: Runtime, fixi: FixiDouble
) -> None:
    key = str(uuid.uuid4())
    first = client.post(MELDINGEN, json=LANTAARNPAAL, headers=headers(key))
    for gemeente, melding_id in pending_outbox(runtime.store):
        submit_outbox(runtime.store, runtime.host, gemeente, melding_id)
    now = client.get(f"{MELDINGEN}/{first.json()['id']}", headers=headers())
    assert now.json()["status"] == "ingediend"
    again = client.post(MELDINGEN, json=LANTAARNPAAL, headers=headers(key))
    assert again.status_code == 202 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]


def test_the_same_key_with_another_body_is_a_409_problem(client: TestClient) -> None:
    key = str(uuid.uuid4())
    client.post(MELDINGEN, json=LANTAARNPAAL, headers=headers(key))

    response = client.post(
        MELDINGEN, json={**LANTAARNPAAL, "omschrijving": "Iets anders"}, headers=headers(key)
    )

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


def test_a_melding_without_idempotency_key_is_refused(client: TestClient) -> None:
    response = client.post(MELDINGEN, json=LANTAARNPAAL, headers=headers())

    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "Idempotency-Key"


def test_with_fixi_down_the_melding_is_accepted_and_goes_out_when_fixi_is_back(
    client: TestClient, runtime: Runtime, fixi: FixiDouble
) -> None:
    fixi.faults.status = 503
    response = client.post(MELDINGEN, json=LANTAARNPAAL, headers=headers(str(uuid.uuid4())))
    melding_id = response.json()["id"]
    assert response.status_code == 202 and response.json()["status"] == "in_wachtrij"
    with pytest.raises(UpstreamUnavailable):
        submit_outbox(runtime.store, runtime.host, "9999", melding_id)
    waiting = client.get(f"{MELDINGEN}/{melding_id}", headers=headers()).json()
    assert waiting["status"] == "in_wachtrij" and waiting["fout"]

    fixi.faults.reset()
    assert submit_outbox(runtime.store, runtime.host, "9999", melding_id) == "ingediend"

    shown = client.get(f"{MELDINGEN}/{melding_id}", headers=headers()).json()
    assert shown["status"] == "ingediend"
    assert shown["bron"]["naam"] == "fixi" and shown["bron"]["status"] == "Nieuw"


def test_a_status_change_in_fixi_appears_after_the_next_status_sync(
    client: TestClient, runtime: Runtime, fixi: FixiDouble
) -> None:
    melding_id = client.post(
        MELDINGEN, json=LANTAARNPAAL, headers=headers(str(uuid.uuid4()))
    ).json()["id"]
    submit_outbox(runtime.store, runtime.host, "9999", melding_id)
    extern_id = client.get(f"{MELDINGEN}/{melding_id}", headers=headers()).json()["bron"][
        "externId"
    ]

    fixi.set_status(extern_id, "Afgehandeld", closed=True)
    before = client.get(f"{MELDINGEN}/{melding_id}", headers=headers()).json()
    sync_statuses(runtime.store, runtime.host, "9999")
    after = client.get(f"{MELDINGEN}/{melding_id}", headers=headers()).json()

    assert before["bron"]["status"] == "Nieuw"
    assert after["bron"]["status"] == "Afgehandeld" and after["bron"]["afgesloten"]
    assert after["status"] == "ingediend"


def test_another_gemeente_cannot_see_the_melding(client: TestClient) -> None:
    melding_id = client.post(
        MELDINGEN, json=LANTAARNPAAL, headers=headers(str(uuid.uuid4()))
    ).json()["id"]

    response = client.get(
        f"/api/v1/gemeenten/0363/meldingen/{melding_id}", headers=headers(gemeenten=("0363",))
    )

    assert response.status_code == 404


def test_an_invalid_body_is_a_400_problem_naming_the_field(client: TestClient) -> None:
    response = client.post(
        MELDINGEN, json={**LANTAARNPAAL, "omschrijving": ""}, headers=headers(str(uuid.uuid4()))
    )

    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "omschrijving"


def test_a_queued_melding_survives_a_restart_of_hub_and_worker_and_is_then_submitted(
    client: TestClient, runtime: Runtime, fixi: FixiDouble
) -> None:
    fixi.faults.status = 503
    melding_id = client.post(
        MELDINGEN, json=LANTAARNPAAL, headers=headers(str(uuid.uuid4()))
    ).json()["id"]
    with pytest.raises(UpstreamUnavailable):
        submit_outbox(runtime.store, runtime.host, "9999", melding_id)

    fixi.faults.reset()
    nieuw = restarted(runtime)
    due = [m for _, m in pending_outbox(nieuw.store, now=utcnow() + timedelta(hours=1))]
    assert due == [melding_id]
    assert submit_outbox(nieuw.store, nieuw.host, "9999", melding_id) == "ingediend"
    with TestClient(create_app(nieuw), raise_server_exceptions=False) as after_restart:
        shown = after_restart.get(f"{MELDINGEN}/{melding_id}", headers=headers()).json()
    assert shown["status"] == "ingediend" and shown["pogingen"] == 2
    assert len(fixi.issues_with_reference(melding_id)) == 1
