"""A loopback Fixi server following the shapes observed in public integrations.

Fixi publishes no specification, so requests are checked against the JSON
schemas below (the contract the plugin's default configuration assumes) and an
off-contract request gets a 400 naming the problem. Faults are set on
``double.faults``; status changes of issues through :meth:`FixiDouble.set_status`
or ``POST /_admin/issues/{publicID}/status``.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jsonschema
from werkzeug.wrappers import Request, Response

from devkit.doubles import LoopbackWsgiDouble

CATEGORIES = [
    {"id": 101, "name": "Straatverlichting", "parentName": "Openbare verlichting"},
    {"id": 102, "name": "Zwerfafval", "parentName": "Afval"},
    {"id": 103, "name": "Volle container", "parentName": "Afval"},
    {"id": 104, "name": "Losliggende stoeptegel", "parentName": "Bestrating"},
    {"id": 105, "name": "Kapotte speeltoestel", "parentName": "Groen en spelen"},
    {"id": 106, "name": "Overhangend groen", "parentName": "Groen en spelen"},
]

CREATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["categoryId", "description"],
    "anyOf": [{"required": ["location"]}, {"required": ["address"]}],
    "properties": {
        "categoryId": {"type": "integer"},
        "description": {"type": "string", "minLength": 1, "maxLength": 1000},
        "address": {"type": "string", "maxLength": 300},
        "location": {
            "type": "object",
            "additionalProperties": False,
            "required": ["latitude", "longitude"],
            "properties": {
                "latitude": {"type": "number", "minimum": -90, "maximum": 90},
                "longitude": {"type": "number", "minimum": -180, "maximum": 180},
            },
        },
        "reporter": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "maxLength": 200},
                "email": {"type": "string", "maxLength": 254},
                "phone": {"type": "string", "maxLength": 20},
            },
        },
        "externalReference": {"type": "string", "minLength": 1, "maxLength": 100},
    },
}

TOKEN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["clientId", "clientSecret"],
    "properties": {"clientId": {"type": "string"}, "clientSecret": {"type": "string"}},
}


@dataclass
class Faults:
    """What the double does wrong. Changed by tests at any moment."""

    latency: float = 0.0
    status: int | None = None  # every request answered with this status until reset
    fail_next: int = 0
    fail_status: int = 500
    hang_seconds: float = 0.0
    # The next N creations are stored and then the connection is dropped without an answer.
    drop_after_create: int = 0
    # The next N creations are stored and then answered only after this long (client times out).
    hang_after_create: int = 0
    hang_after_create_seconds: float = 2.0
    # Creations are refused with this status (e.g. 422: Fixi's own validation of the content).
    create_status: int | None = None

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


class FixiDouble(LoopbackWsgiDouble):
    thread_name = "fixi-double"

    def __init__(
        self,
        *,
        clients: dict[str, str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        token_lifetime_seconds: int = 3600,
    ) -> None:
        self.clients = dict(clients or {"kcc-hub": "fixi-demo-geheim"})
        self.faults = Faults()
        self.token_lifetime_seconds = token_lifetime_seconds
        self.issues: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, float] = {}
        self.requests: Counter[str] = Counter()
        self.bodies: list[dict[str, Any]] = []
        self._counter = 0
        self._lock = threading.Lock()
        self._listen(host, port)
        self.base_url = f"http://{host}:{self.port}"

    # -- control ---------------------------------------------------------------------------
    def set_status(self, public_id: str, status: str, *, closed: bool = False) -> None:
        with self._lock:
            issue = self.issues[public_id]
            issue["status"] = status
            issue["closed"] = _now() if closed else None

    def expire_tokens(self) -> None:
        with self._lock:
            self.tokens.clear()

    def issues_with_reference(self, reference: str) -> list[dict[str, Any]]:
        with self._lock:
            return [i for i in self.issues.values() if i.get("externalReference") == reference]

    # -- WSGI ------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self._handle(request, environ)
        return response(environ, start_response)

    def _handle(self, request: Request, environ: dict[str, Any]) -> Response:
        path = request.path
        if path.startswith("/_admin/"):
            return self._admin(request)
        with self._lock:
            self.requests[f"{request.method} {_route_of(path)}"] += 1
            fail = self.faults.status
            if fail is None and self.faults.fail_next > 0:
                self.faults.fail_next -= 1
                fail = self.faults.fail_status
            latency, hang = self.faults.latency, self.faults.hang_seconds
        if latency:
            time.sleep(latency)
        if hang:
            time.sleep(hang)
        if fail is not None:
            return _error(fail, "Gesimuleerde storing")

        if path == "/api/auth/getGrantTokens" and request.method == "POST":
            return self._token(request)
        if not self._authorized(request):
            return _error(401, "Unauthorized")
        if path == "/api/categories" and request.method == "GET":
            return _json(CATEGORIES)
        if path == "/api/issues" and request.method == "POST":
            return self._create(request, environ)
        if path == "/api/issues" and request.method == "GET":
            reference = request.args.get("externalReference")
            if not reference:
                return _error(400, "externalReference is required")
            return _json([_lite(i) for i in self.issues_with_reference(reference)])
        if path.startswith("/api/issues/lite/") and request.method == "GET":
            public_id = path.removeprefix("/api/issues/lite/")
            with self._lock:
                issue = self.issues.get(public_id)
            if issue is None:
                return _error(404, "Issue not found")
            return _json(_lite(issue))
        return _error(404, "Not found")

    def _token(self, request: Request) -> Response:
        body = request.get_json(silent=True)
        problem = _schema_problem(body, TOKEN_SCHEMA)
        if problem:
            return _error(400, problem)
        assert isinstance(body, dict)
        if self.clients.get(body["clientId"]) != body["clientSecret"]:
            return _error(401, "Invalid client credentials")
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens[token] = time.monotonic() + self.token_lifetime_seconds
        return _json(
            {"accessToken": token, "tokenType": "Bearer", "expiresIn": self.token_lifetime_seconds}
        )

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ")
        with self._lock:
            expires = self.tokens.get(token)
        return header.startswith("Bearer ") and expires is not None and expires > time.monotonic()

    def _create(self, request: Request, environ: dict[str, Any]) -> Response:
        if self.faults.create_status is not None:
            return _error(self.faults.create_status, "Gesimuleerde weigering van de inhoud")
        body = request.get_json(silent=True)
        problem = _schema_problem(body, CREATE_SCHEMA)
        if problem:
            return _error(400, problem)
        assert isinstance(body, dict)
        category = next((c for c in CATEGORIES if c["id"] == body["categoryId"]), None)
        if category is None:
            return _error(400, "Unknown categoryId")
        with self._lock:
            self._counter += 1
            public_id = f"FX-2026-{self._counter:06d}"
            issue = {
                "publicID": public_id,
                "status": "Nieuw",
                "categoryId": category["id"],
                "categoryName": category["name"],
                "description": body["description"],
                "address": body.get("address"),
                "location": body.get("location"),
                "reporter": body.get("reporter"),
                "externalReference": body.get("externalReference"),
                "created": _now(),
                "closed": None,
                "attachments": [],
            }
            self.issues[public_id] = issue
            self.bodies.append(body)
            drop = self.faults.drop_after_create > 0
            if drop:
                self.faults.drop_after_create -= 1
            slow = not drop and self.faults.hang_after_create > 0
            if slow:
                self.faults.hang_after_create -= 1
        if drop:
            _drop_connection(environ)
            return Response(b"", status=500)
        if slow:
            time.sleep(self.faults.hang_after_create_seconds)
        return _json(_lite(issue), status=201)

    def _admin(self, request: Request) -> Response:
        parts = [p for p in request.path.split("/") if p]
        # /_admin/issues/{publicID}/status
        if len(parts) == 4 and parts[1] == "issues" and parts[3] == "status":
            body = request.get_json(silent=True) or {}
            if parts[2] not in self.issues or not isinstance(body.get("status"), str):
                return _error(404, "Issue not found or status missing")
            self.set_status(parts[2], body["status"], closed=bool(body.get("closed")))
            return _json(_lite(self.issues[parts[2]]))
        if parts == ["_admin", "faults"] and request.method == "POST":
            body = request.get_json(silent=True) or {}
            for key, value in body.items():
                if hasattr(self.faults, key):
                    setattr(self.faults, key, value)
            return _json({"ok": True})
        return _error(404, "Not found")


def _drop_connection(environ: dict[str, Any]) -> None:
    """Close the client's connection without an answer: the issue exists, the client cannot know."""
    sock = environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _lite(issue: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "publicID",
        "status",
        "categoryName",
        "description",
        "address",
        "location",
        "created",
        "closed",
        "attachments",
        "externalReference",
    )
    return {k: issue.get(k) for k in keys}


def _schema_problem(body: Any, schema: dict[str, Any]) -> str | None:
    if body is None:
        return "Body must be JSON"
    error = jsonschema.exceptions.best_match(jsonschema.Draft7Validator(schema).iter_errors(body))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.path) or "body"
    return f"{where}: {error.message}"


def _route_of(path: str) -> str:
    if path.startswith("/api/issues/lite/"):
        return "/api/issues/lite/{publicID}"
    return path


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _json(body: Any, *, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def _error(status: int, message: str) -> Response:
    return Response(
        json.dumps({"status": status, "message": message}),
        status=status,
        content_type="application/json",
    )


@contextmanager
def run_fixi_double(**kwargs: Any) -> Iterator[FixiDouble]:
    """Start a Fixi double on a free loopback port for the duration of the block."""
    double = FixiDouble(**kwargs).start()
    try:
        yield double
    finally:
        double.stop()
