"""The edge of the API: control characters, body size, BSNs in answers, trace ids, unhandled errors.

These hold for every route and model because one layer (``hub/api/edge.py``) applies them
before any route runs; the fuzz and injection suites check the same over every operation.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from devkit.demo import DEMO_ENV
from hub.api.app import create_app
from hub.api.server import server_config
from hub.store.migrate import upgrade

REPO = Path(__file__).resolve().parents[1]

BASE = "/api/v1/gemeenten/9999"
BSN = "999993653"


@pytest.fixture
def client(make_runtime: Callable[..., Any], database_url: str) -> Iterator[TestClient]:
    """The API over the test plugin, on SQLite and on PostgreSQL."""
    with TestClient(create_app(make_runtime(database_url))) as test_client:
        yield test_client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_control_problem(response: Any, name: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["invalidParams"] == [
        {
            "name": name,
            "code": "controlCharacter",
            "reason": "Dit veld bevat een stuurteken; dat is niet toegestaan.",
        }
    ]
    assert body["traceId"] == response.headers["X-Trace-Id"]


MELDING = {
    "categorie": "Straatverlichting",
    "omschrijving": "lamp kapot",
    "locatie": {"adres": "Dorpsstraat 1", "woonplaats": "Voorbeeldstad"},
    "melder": {"naam": "A. Beller", "email": "beller@example.nl"},
}


@pytest.mark.parametrize(
    ("path", "body", "name"),
    [
        ("/meldingen", {**MELDING, "omschrijving": "lamp kapot\u0000 en meer"}, "omschrijving"),
        ("/meldingen", {**MELDING, "categorie": "lamp\u0000"}, "categorie"),
        ("/meldingen", {**MELDING, "locatie": {"adres": "Dorpsstraat\u00071"}}, "locatie.adres"),
        ("/meldingen", {**MELDING, "melder": {"naam": "A.\u001bBeller"}}, "melder.naam"),
        ("/logboek/_zoek", {"medewerker": "jan\u0000"}, "medewerker"),
        ("/logboek/_zoek", {"doel": "\u0000"}, "doel"),
        (
            "/zaken/_zoek",
            {"burgerservicenummer": "99999365\u0000", "doel": "x"},
            "burgerservicenummer",
        ),
        ("/personen", {"type": "x", "fields": ["naam", "\u0085"]}, "fields.1"),
        ("/personen", {"type": "x", "naam\u0000": 1}, "(onbekend)"),
    ],
)
def test_a_control_character_in_any_body_string_is_a_400_naming_the_field(
    client: TestClient, token_for: Callable[..., str], path: str, body: Any, name: str
) -> None:
    token = token_for("kcc-medewerker", "backoffice", "privacy-officer")
    response = client.post(
        BASE + path, json=body, headers={**bearer(token), "Idempotency-Key": "k-1"}
    )
    assert_control_problem(response, name)


def test_a_lone_surrogate_is_a_control_problem_too(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    raw = b'{"medewerker": "jan\\ud800"}'
    response = client.post(
        BASE + "/logboek/_zoek",
        content=raw,
        headers={**bearer(token_for("privacy-officer")), "Content-Type": "application/json"},
    )
    assert_control_problem(response, "medewerker")


def test_line_breaks_and_tabs_in_free_text_pass_the_edge(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    response = client.post(
        BASE + "/logboek/_zoek",
        json={"medewerker": "jan\tde\r\nvries"},
        headers=bearer(token_for("privacy-officer")),
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/medewerkers?zoek=jan%00", "zoek"),
        ("/medewerkers?afdeling=%0aburgerzaken", "afdeling"),
        ("/zaken/Z-1%00", "(pad)"),
        ("/medewerkers/abc%1b", "(pad)"),
    ],
)
def test_a_control_character_in_the_url_is_a_400(
    client: TestClient, token_for: Callable[..., str], url: str, name: str
) -> None:
    response = client.get(BASE + url, headers=bearer(token_for("kcc-medewerker")))
    assert_control_problem(response, name)


def test_a_body_over_the_limit_is_a_413_problem(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    huge = {**MELDING, "locatie": {"adres": "x" * (2 * 1024 * 1024)}}
    response = client.post(
        BASE + "/meldingen",
        json=huge,
        headers={**bearer(token_for("kcc-medewerker")), "Idempotency-Key": "k-2"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["traceId"] == response.headers["X-Trace-Id"]


@pytest.mark.parametrize(
    "path", [f"/zaken/{BSN}", f"/medewerkers/{BSN}", f"/meldingen/{BSN}", f"/personen/{BSN}"]
)
def test_a_bsn_in_the_path_is_not_echoed(
    client: TestClient, token_for: Callable[..., str], path: str
) -> None:
    response = client.get(BASE + path, headers=bearer(token_for("kcc-medewerker")))
    assert response.status_code in (400, 403, 404, 405), response.text
    assert BSN not in response.text
    assert all(BSN not in value for value in response.headers.values())
    assert response.json()["instance"].endswith("/[verborgen]")


def test_a_bsn_as_an_unknown_body_key_is_not_echoed(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    response = client.post(
        BASE + "/zaken/_zoek",
        json={BSN: "x", "doel": "kcc-identificatie"},
        headers=bearer(token_for("kcc-medewerker")),
    )
    assert response.status_code == 400
    assert BSN not in response.text
    assert [p["name"] for p in response.json()["invalidParams"]] == ["(onbekend)"]


def test_a_traceparent_carrying_a_bsn_is_replaced(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    parent = f"00-4bf92f3577b34da6a{BSN}3ce9290e-00f067aa0ba902b7-01"
    response = client.get(
        BASE + "/plugins", headers={**bearer(token_for("beheerder")), "traceparent": parent}
    )
    assert response.status_code == 200
    trace_id = response.headers["X-Trace-Id"]
    assert BSN not in trace_id and len(trace_id) == 32


# ---------------------------------------------------------------------------------------------
# A real server: unhandled errors, keep-alive, oversized headers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(make_runtime: Callable[..., Any]) -> Iterator[tuple[str, int]]:
    app: FastAPI = create_app(make_runtime())

    @app.get("/test/kapot")
    def kapot() -> None:
        raise RuntimeError("kapot")

    port = _free_port()
    server = uvicorn.Server(server_config(app, host="127.0.0.1", port=port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(10)


def test_an_unhandled_error_has_one_trace_id_in_body_header_and_one_log_line_and_keeps_the_connection(
    served: tuple[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    connection = http.client.HTTPConnection(*served, timeout=10)
    connection.request("GET", "/test/kapot")
    response = connection.getresponse()
    body = json.loads(response.read())
    assert response.status == 500
    assert response.getheader("Content-Type") == "application/problem+json"
    trace_id = response.getheader("X-Trace-Id")
    assert body["traceId"] == trace_id
    # The same connection serves the next request: the server did not reset it.
    connection.request("GET", "/livez")
    again = connection.getresponse()
    assert again.status == 200 and again.read() == b'{"status":"ok"}'
    connection.close()
    lines = [r for r in caplog.records if getattr(r, "trace_id", None) == trace_id]
    assert len(lines) == 1
    [line] = lines
    assert line.levelno == logging.ERROR and "RuntimeError" in line.getMessage()
    assert not [r for r in caplog.records if r.name.startswith("uvicorn") and r.levelno >= 40]


def test_the_servers_and_frameworks_loggers_write_through_the_scrubbing_formatter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from hub.bsn import complete_bsn
    from hub.logging_setup import FRAMEWORK_LOGGERS, ScrubbingFormatter, configure_logging
    from plugins.brp.double.persons import all_personen

    # A valid BSN of nobody in the test data: the run-wide scan of raw records looks for
    # those, and this test needs a raw record that carries one.
    bsn = complete_bsn("11122233") or ""
    assert bsn and bsn not in {p.get("burgerservicenummer") for p in all_personen()}
    root = logging.getLogger()
    before = list(root.handlers)
    configure_logging("INFO")
    try:
        [ours] = [h for h in root.handlers if h not in before]
        assert isinstance(ours.formatter, ScrubbingFormatter)
        for name in FRAMEWORK_LOGGERS:
            logger = logging.getLogger(name)
            assert logger.handlers == [] and logger.propagate, name
        logging.getLogger("uvicorn.error").error(
            "Exception in ASGI application: %s bel@example.nl +31 6 12345678", bsn
        )
        logging.getLogger("sqlalchemy.engine").warning("[parameters: ('%s',)]", bsn)
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
    written = capsys.readouterr().err
    assert "Exception in ASGI application" in written and "[parameters:" in written
    assert bsn not in written and "bel@example.nl" not in written and "12345678" not in written


def _exchange(address: tuple[str, int], *parts: bytes) -> tuple[bytes, bytes]:
    with socket.create_connection(address, timeout=10) as raw:
        for part in parts:
            raw.sendall(part)
            time.sleep(0.2)
        data = b""
        while chunk := raw.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body


def test_a_token_over_the_header_limit_gets_a_problem(served: tuple[str, int]) -> None:
    token = "x" * 20_000
    head, body = _exchange(
        served,
        f"GET /livez HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
        f"Authorization: Bearer {token}\r\n\r\n".encode(),
    )
    assert head.startswith(b"HTTP/1.1 431")
    assert b"content-type: application/problem+json" in head.lower()
    assert json.loads(body)["status"] == 431


def test_a_header_block_the_server_itself_refuses_gets_a_problem_not_plain_text(
    served: tuple[str, int],
) -> None:
    # Sent in pieces, the server's parser gives up before the application sees anything.
    head, body = _exchange(
        served,
        b"GET /livez HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + b"x" * 40_000,
        b"\r\n\r\n",
    )
    assert head.startswith(b"HTTP/1.1 400")
    assert b"content-type: application/problem+json" in head.lower()
    problem = json.loads(body)
    assert problem["status"] == 400 and problem["traceId"]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_kcc_hub_serve_answers_what_its_parser_refuses_with_a_problem(
    tmp_path: Path, workers: str
) -> None:
    """The command itself, not only the library config: one worker (the app built in the
    process) and several (uvicorn's factory processes) both use the hub's protocol."""
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
        **DEMO_ENV,
        "DATABASE_URL": url,
        "KCC_HUB_CONFIG": str(REPO / "config"),
        "PYTHONPATH": str(REPO),
        "KCC_HUB_LOG_LEVEL": "WARNING",
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hub", "serve", "--port", str(port), "--workers", workers],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        head, body = _exchange(
            ("127.0.0.1", port),
            b"GET /livez HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + b"x" * 40_000,
            b"\r\n\r\n",
        )
        assert head.startswith(b"HTTP/1.1 400"), log.read_text()[-2000:]
        assert b"content-type: application/problem+json" in head.lower()
        assert json.loads(body)["status"] == 400
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
