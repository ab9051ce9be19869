"""The logboek record of a person lookup is committed before the answer leaves the hub.

Watched from outside: the API is served as it is, and at the moment its answer starts to
leave (the ASGI ``http.response.start`` message, before any byte of the body), a second
connection of its own, to the same database, looks for the record of that request's trace
id. Only a committed record is visible to another connection, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select

from hub.api.app import create_app
from hub.privacy.logboek import tables as logboek_tables
from hub.runtime import Runtime
from tests.privacy import personen_plugin
from tests.privacy.persons import BSN
from tests.privacy.test_api import BASE, _auth, _config, _raadpleeg


class SeenFromOutside:
    """ASGI wrapper around the whole app: counts the request's logboek records on a separate
    connection when the answer starts to leave."""

    def __init__(self, app: Any, database_url: str) -> None:
        self.app = app
        self.engine = create_engine(database_url)
        self.seen: list[tuple[int, int]] = []  # (HTTP status, records visible outside)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def watched(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message["headers"])
                trace_id = headers[b"x-trace-id"].decode()
                with self.engine.connect() as outside:
                    visible = outside.scalar(
                        select(func.count())
                        .select_from(logboek_tables.LogboekRecord)
                        .where(logboek_tables.LogboekRecord.trace_id == trace_id)
                    )
                self.seen.append((message["status"], int(visible or 0)))
            await send(message)

        await self.app(scope, receive, watched)


@pytest.fixture
def watched(
    tmp_path: Path, database_url: str, dev_key: str, keys_env: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, SeenFromOutside]]:
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "testbrp")
    runtime = Runtime.build(
        config_dir=_config(tmp_path),
        database_url=database_url,
        extra_plugins=[("testbrp", personen_plugin)],
    )
    outside = SeenFromOutside(create_app(runtime), database_url)
    with TestClient(outside) as client:
        yield client, outside
    outside.engine.dispose()
    runtime.store.engine.dispose()


def test_the_logboek_record_is_committed_when_the_person_data_starts_to_leave(
    watched: tuple[TestClient, SeenFromOutside], token_for: Callable[..., str]
) -> None:
    client, outside = watched
    response = client.post(
        f"{BASE}/personen", json=_raadpleeg(BSN), headers=_auth(token_for, "kcc-medewerker")
    )
    assert response.status_code == 200, response.text
    assert response.json()["personen"]
    assert outside.seen == [(200, 1)]


def test_a_refused_attempt_is_committed_before_its_403_leaves(
    watched: tuple[TestClient, SeenFromOutside], token_for: Callable[..., str]
) -> None:
    client, outside = watched
    response = client.post(
        f"{BASE}/personen", json=_raadpleeg(BSN), headers=_auth(token_for, "teamleider")
    )
    assert response.status_code == 403, response.text
    assert outside.seen == [(403, 1)]
