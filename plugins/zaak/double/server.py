"""A loopback ZGW server (Zaken API + Catalogi API) that the real zaak client talks to.

Requests and responses are validated against the vendored specifications with
openapi-core: an off-spec request gets a 400 ``ValidatieFout`` (so tests catch
client drift), an off-spec answer of the double itself a 500 naming the problem.
Authentication is JWT-ZGW: HS256 signed with the secret of the token's
``client_id``. Faults (latency, 401/403/500, hanging) are set on ``double.faults``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.wrappers import Request, Response

from devkit.doubles import LoopbackWsgiDouble
from plugins.zaak.double.data import Catalogus, Zaakregistratie
from plugins.zaak.double.spec import CATALOGI_BASE, ZAKEN_BASE, catalogi_api, zaken_api

API_VERSION = "1.5.1"

_FILTERS = {
    "rol__betrokkeneIdentificatie__natuurlijkPersoon__inpBsn": "bsn",
    "rol__betrokkeneIdentificatie__nietNatuurlijkPersoon__innNnpId": "kvk",
    "rol__betrokkeneIdentificatie__vestiging__vestigingsNummer": "vestiging",
}


@dataclass
class Faults:
    """What the double does wrong. Changed by tests at any moment."""

    latency: float = 0.0
    # Answer every request with this status (401, 403, 500…) until reset.
    status: int | None = None
    # Answer only the next ``fail_next`` requests with ``fail_status``.
    fail_next: int = 0
    fail_status: int = 500
    # Hold the request this long before answering (a timeout for the client).
    hang_seconds: float = 0.0
    # Apply the faults above only to paths starting with this (e.g. "/catalogi/").
    only_path: str | None = None

    def reset(self) -> None:
        self.latency = 0.0
        self.status = None
        self.fail_next = 0
        self.fail_status = 500
        self.hang_seconds = 0.0
        self.only_path = None


class ZgwDouble(LoopbackWsgiDouble):
    thread_name = "zgw-double"
    """One zaaksysteem: Zaken API and its Catalogi API on one loopback port.

    Several can run side by side (two zaaksystemen), each with its own
    ``prefix`` for identificaties and its own clients.
    """

    def __init__(
        self,
        *,
        prefix: str = "ZAAK",
        clients: dict[str, str] | None = None,
        page_size: int = 100,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.prefix = prefix
        self.clients = dict(clients or {"kcc-hub": "zgw-demo-geheim-voor-de-lokale-demo-omgeving"})
        self.page_size = page_size
        self.faults = Faults()
        self.requests: Counter[str] = Counter()
        # Full URLs as received, so tests can check what travelled in them.
        self.urls: list[str] = []
        self.timings: list[tuple[float, float]] = []
        self.last_claims: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._listen(host, port)
        self.base_url = f"http://{host}:{self.port}"
        self.zaken_url = self.base_url + ZAKEN_BASE
        self.catalogi_url = self.base_url + CATALOGI_BASE
        self.catalogus = Catalogus(self.catalogi_url).build()
        self.registratie = Zaakregistratie(self.zaken_url, self.catalogus, prefix)
        self._thread: threading.Thread | None = None
        # Load (cached per process) before serving so the first request is not slow.
        zaken_api()
        catalogi_api()

    # -- data -------------------------------------------------------------------------------
    def add_zaken(
        self,
        *,
        bsn: str | None = None,
        kvk: str | None = None,
        vestiging: str | None = None,
        aantal: int = 1,
    ) -> list[str]:
        """Create synthetic zaken for one betrokkene; returns their identificaties."""
        soort, nummer = ("bsn", bsn) if bsn else ("kvk", kvk) if kvk else ("vestiging", vestiging)
        if nummer is None:
            raise ValueError("give bsn, kvk or vestiging")
        with self._lock:
            return self.registratie.add_zaken(soort, nummer, aantal)

    # -- WSGI ------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        started = time.perf_counter()
        response = self._handle(request)
        # (start, end) per request, so tests can prove concurrent callers overlapped.
        self.timings.append((started, time.perf_counter()))
        return response(environ, start_response)

    def _handle(self, request: Request) -> Response:
        path = request.path
        with self._lock:
            self.requests[f"{request.method} {_route_of(path)}"] += 1
            self.urls.append(request.url)
            fail: int | None = None
            latency = hang = 0.0
            if self.faults.only_path is None or path.startswith(self.faults.only_path):
                fail = self.faults.status
                if fail is None and self.faults.fail_next > 0:
                    self.faults.fail_next -= 1
                    fail = self.faults.fail_status
                latency = self.faults.latency
                hang = self.faults.hang_seconds
        if latency:
            time.sleep(latency)
        if hang:
            time.sleep(hang)
        if fail is not None:
            return _fout(fail, "storing", "Gesimuleerde storing", request)

        if path.startswith(ZAKEN_BASE + "/"):
            api, route = zaken_api(), path[len(ZAKEN_BASE) :]
        elif path.startswith(CATALOGI_BASE + "/"):
            api, route = catalogi_api(), path[len(CATALOGI_BASE) :]
        else:
            return _fout(404, "not_found", "Niet gevonden.", request)

        refused = self._check_jwt(request)
        if refused is not None:
            return refused

        oas_request = WerkzeugOpenAPIRequest(request)
        errors = list(api.iter_request_errors(oas_request))
        if errors:
            return _validatiefout(request, errors)

        response = self._route(request, route)
        # Only answers the spec documents are checked; a spec mismatch is the double's bug.
        response_errors = list(
            api.iter_response_errors(oas_request, WerkzeugOpenAPIResponse(response))
        )
        if response_errors:
            detail = "; ".join(_describe(e) for e in response_errors)
            return Response(
                json.dumps({"double": "antwoord wijkt af van de specificatie", "detail": detail}),
                status=500,
                content_type="application/json",
            )
        return response

    def _check_jwt(self, request: Request) -> Response | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return _fout(
                401, "not_authenticated", "Authenticatiegegevens zijn niet opgegeven.", request
            )
        token = header.removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
            secret = self.clients.get(str(claims.get("client_id", "")))
            if secret is None:
                raise jwt.InvalidTokenError("unknown client")
            self.last_claims = jwt.decode(token, secret, algorithms=["HS256"])
        except jwt.InvalidTokenError:
            return _fout(
                403,
                "permission_denied",
                "Je hebt geen toestemming om deze actie uit te voeren.",
                request,
            )
        return None

    def _route(self, request: Request, route: str) -> Response:
        parts = [p for p in route.split("/") if p]
        reg, cat = self.registratie, self.catalogus
        if parts == ["zaken"] and request.method == "GET":
            return self._zaken_page(request, dict(request.args.items()), "zaken")
        if parts == ["rollen"] and request.method == "GET":
            return self._rollen_page(request)
        if parts == ["zaken", "_zoek"] and request.method == "POST":
            body = request.get_json(silent=True) or {}
            return self._zaken_page(request, {k: str(v) for k, v in body.items()}, "zaken/_zoek")
        if len(parts) == 2 and request.method == "GET":
            collection, key = parts
            table: dict[str, dict[str, Any]] | None = {
                "zaken": reg.zaken,
                "statussen": reg.statussen,
                "resultaten": reg.resultaten,
                "rollen": reg.rollen,
                "zaaktypen": cat.zaaktypen,
                "statustypen": cat.statustypen,
                "resultaattypen": cat.resultaattypen,
            }.get(collection)
            if table is not None:
                found = table.get(key)
                if found is None:
                    return _fout(404, "not_found", "Niet gevonden.", request)
                return _json(found, crs=collection == "zaken")
        return _fout(404, "not_found", "Niet gevonden.", request)

    def _rollen_page(self, request: Request) -> Response:
        """``GET /rollen?zaak=…``: the rollen of one zaak (all of them without the filter)."""
        zaak = request.args.get("zaak")
        with self._lock:
            selected = [
                rol
                for rol in self.registratie.rollen.values()
                if zaak is None or rol["zaak"] == zaak
            ]
        return self._page(request, selected, "rollen")

    def _zaken_page(self, request: Request, filters: dict[str, str], path: str) -> Response:
        with self._lock:
            selected = []
            for zaak_uuid, zaak in self.registratie.zaken.items():
                soort, nummer = self.registratie.betrokkenen[zaak_uuid]
                if not _matches(filters, soort, nummer, zaak):
                    continue
                selected.append(zaak)
        return self._page(request, selected, path, crs=True)

    def _page(
        self, request: Request, selected: list[dict[str, Any]], path: str, *, crs: bool = False
    ) -> Response:
        page = int(request.args.get("page", "1"))
        start = (page - 1) * self.page_size
        if page < 1 or (start >= len(selected) and page != 1):
            return _fout(404, "not_found", "Ongeldige pagina.", request)
        results = selected[start : start + self.page_size]
        base = f"{self.zaken_url}/{path}"
        query = {k: v for k, v in request.args.items() if k != "page"}

        def link(p: int) -> str:
            return f"{base}?{urlencode({**query, 'page': p})}"

        body = {
            "count": len(selected),
            "next": link(page + 1) if start + self.page_size < len(selected) else None,
            "previous": link(page - 1) if page > 1 else None,
            "results": results,
        }
        return _json(body, crs=crs)


def _matches(filters: dict[str, str], soort: str, nummer: str, zaak: dict[str, Any]) -> bool:
    for name, value in filters.items():
        if name in _FILTERS:
            if _FILTERS[name] != soort or value != nummer:
                return False
        elif name == "identificatie" and zaak["identificatie"] != value:
            return False
    return True


def _route_of(path: str) -> str:
    """The path with uuids replaced, for request counting (``GET /statustypen/{uuid}``)."""
    parts = []
    for part in path.split("/"):
        try:
            uuid.UUID(part)
            parts.append("{uuid}")
        except ValueError:
            parts.append(part)
    return "/".join(parts)


def _json(body: Any, *, crs: bool = False) -> Response:
    headers = {"API-version": API_VERSION}
    if crs:
        headers["Content-Crs"] = "EPSG:4326"
    return Response(json.dumps(body), status=200, content_type="application/json", headers=headers)


def _fout(status: int, code: str, title: str, request: Request) -> Response:
    body = {
        "type": f"https://zaken-api.vng.cloud/ref/fouten/{code}/",
        "code": code,
        "title": title,
        "status": status,
        "detail": title,
        "instance": f"urn:uuid:{uuid.uuid4()}",
    }
    return Response(
        json.dumps(body),
        status=status,
        content_type="application/problem+json",
        headers={"API-version": API_VERSION},
    )


def _validatiefout(request: Request, errors: list[Exception]) -> Response:
    invalid = [
        {"name": "nonFieldErrors", "code": "invalid", "reason": _describe(e)} for e in errors
    ]
    body = {
        "type": "https://zaken-api.vng.cloud/ref/fouten/ValidationError/",
        "code": "invalid",
        "title": "Invalid input.",
        "status": 400,
        "detail": "Het verzoek wijkt af van de specificatie.",
        "instance": f"urn:uuid:{uuid.uuid4()}",
        "invalidParams": invalid,
    }
    return Response(
        json.dumps(body),
        status=400,
        content_type="application/problem+json",
        headers={"API-version": API_VERSION},
    )


def _describe(error: Exception) -> str:
    cause = error.__cause__
    text = f"{type(error).__name__}: {error}"
    if cause is not None:
        text += f" ({cause})"
    schema_errors = getattr(error, "schema_errors", None) or getattr(cause, "schema_errors", None)
    if schema_errors:
        text += " [" + "; ".join(str(getattr(e, "message", e))[:200] for e in schema_errors) + "]"
    return text[:2000]


@contextmanager
def run_zgw_double(**kwargs: Any) -> Iterator[ZgwDouble]:
    """Start a ZGW double on a free loopback port for the duration of the block."""
    double = ZgwDouble(**kwargs).start()
    try:
        yield double
    finally:
        double.stop()
