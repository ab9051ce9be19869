"""A loopback Open Klant (Klantinteracties API 0.9.0) that the real openklant client talks to.

Every request and every answer is checked against the vendored spec with openapi-core: an
off-spec request gets the 400 Open Klant gives (``invalidParams`` naming the field, e.g. text
over a ``maxLength``), an off-spec answer of the double itself a 500 naming the problem. Both
are recorded (``request_violations``, ``response_violations``) so tests can assert none
happened. Auth is Open Klant's ``Authorization: Token <key>``.

Faults for tests (``double.faults``): fail the next N requests with 503 and ``Retry-After``;
accept the next N creates and then drop the connection without an answer (an accepted write
whose response was lost); hang before answering.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlencode

from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.wrappers import Request, Response

from devkit.doubles import LoopbackWsgiDouble
from plugins.openklant.double.filters import UnsupportedFilter, select
from plugins.openklant.double.problems import (
    describe,
    double_error,
    invalid_params,
    json_response,
    problem,
    validation_error,
)
from plugins.openklant.double.spec import BASE_PATH, klantinteracties_api, raw_spec
from plugins.openklant.double.store import COLLECTIONS, Missing, Rejected, Store

DEFAULT_TOKEN = "openklant-double-token-0000000000000000"  # noqa: S105 - a test double's token
MAX_PAGE_SIZE = 500

# KISS's identificator codes (KISS-frontend, Open Klant 2 flow), for seeding as KISS would.
KISS_CODES = {
    "registrerend": ("mdw", "msei", "email"),
    "medewerker": ("mdw", "obj", "idf"),
    "afdeling": ("afd", "obj", "idf"),
    "groep": ("grp", "obj", "idf"),
}


@dataclass
class Faults:
    """What the double does wrong. Changed by tests at any moment."""

    # Answer the next ``fail_next`` requests with ``fail_status`` and ``Retry-After``.
    fail_next: int = 0
    fail_status: int = 503
    retry_after: str | None = "3"
    # Store the next ``drop_after_create`` creates, then close the connection unanswered.
    drop_after_create: int = 0
    # Only creates in this collection (e.g. "internetaken") are dropped; None: any.
    drop_only: str | None = None
    hang_seconds: float = 0.0

    def reset(self) -> None:
        self.fail_next = 0
        self.fail_status = 503
        self.retry_after = "3"
        self.drop_after_create = 0
        self.drop_only = None
        self.hang_seconds = 0.0


@dataclass
class _Outcome:
    response: Response
    created: str | None = None  # the collection a successful POST wrote to


class OpenKlantDouble(LoopbackWsgiDouble):
    """One Open Klant on a loopback port, serving ``/klantinteracties/api/v1``."""

    thread_name = "openklant-double"

    def __init__(
        self,
        *,
        tokens: Sequence[str] = (DEFAULT_TOKEN,),
        page_size: int = 100,
        keep_metadata: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.tokens = set(tokens)
        self.page_size = page_size
        self.keep_metadata = keep_metadata
        self.faults = Faults()
        self.requests: Counter[str] = Counter()
        # Full URLs as received, so tests can check that no caller data travelled in them.
        self.urls: list[str] = []
        self.request_violations: list[str] = []
        self.response_violations: list[str] = []
        self._lock = threading.Lock()
        self._listen(host, port)
        self.base_url = f"http://{host}:{self.port}"
        self.api_url = self.base_url + BASE_PATH
        self.store = Store(self.api_url, keep_metadata=keep_metadata)
        klantinteracties_api()  # load (cached per process) before the first request

    # -- for tests and the demo ------------------------------------------------------------
    def stored(self, collection: str) -> list[dict[str, Any]]:
        """Everything stored in one collection, as Open Klant would answer it."""
        with self._lock:
            return self.store.represent_all(collection)

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        with self._lock:
            return {c: self.store.represent_all(c) for c in COLLECTIONS}

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {c: len(self.store.rows[c]) for c in COLLECTIONS}

    def reset(self) -> None:
        """Forget all data, faults and recorded requests."""
        with self._lock:
            self.store = Store(self.api_url, keep_metadata=self.keep_metadata)
            self.faults.reset()
            self.requests.clear()
            self.urls.clear()
            self.request_violations.clear()
            self.response_violations.clear()

    def seed_contactverzoek(
        self,
        *,
        onderwerp: str = "Vraag over de afvalkalender",
        toelichting: str = "Wil graag teruggebeld worden over de ophaaldag.",
        kanaal: str = "telefoon",
        voornaam: str = "Fenna",
        achternaam: str = "de Proef",
        telefoonnummer: str | None = "0201234567",
        email: str | None = None,
        toegewezen_aan: Sequence[Mapping[str, str]] = (
            {"soort": "afdeling", "identificatie": "afd-afval", "naam": "Afval en reiniging"},
        ),
        geregistreerd_door: str = "kcc.medewerker@gemeente.test",
        status: str = "te_verwerken",
    ) -> dict[str, Any]:
        """An internetaak "created elsewhere": the resources KISS writes for a contactverzoek
        (no hub key in the klantcontact's metadata). Returns the internetaak."""
        with self._lock:
            s = self.store
            kc = s.create(
                "klantcontacten",
                {
                    "kanaal": kanaal,
                    "onderwerp": onderwerp,
                    "inhoud": "",
                    "indicatieContactGelukt": True,
                    "taal": "nld",
                    "vertrouwelijk": False,
                    "plaatsgevondenOp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                },
            )
            mdw = self._seed_actor(
                "medewerker", geregistreerd_door, geregistreerd_door, "registrerend"
            )
            s.create("actorklantcontacten", {"actor": {"uuid": mdw}, "klantcontact": {"uuid": kc}})
            betrokkene = s.create(
                "betrokkenen",
                {
                    "hadKlantcontact": {"uuid": kc},
                    "wasPartij": None,
                    "rol": "klant",
                    "initiator": True,
                    "organisatienaam": "",
                    "contactnaam": {
                        "voorletters": voornaam[:1],
                        "voornaam": voornaam,
                        "voorvoegselAchternaam": "",
                        "achternaam": achternaam,
                    },
                },
            )
            adressen = [
                ("email", email, "e-mailadres"),
                ("telefoonnummer", telefoonnummer, "telefoonnummer"),
            ]
            for soort, adres, omschrijving in adressen:
                if adres:
                    s.create(
                        "digitaleadressen",
                        {
                            "verstrektDoorBetrokkene": {"uuid": betrokkene},
                            "verstrektDoorPartij": None,
                            "adres": adres,
                            "soortDigitaalAdres": soort,
                            "omschrijving": omschrijving,
                        },
                    )
            actoren = [
                self._seed_actor(
                    "medewerker" if t["soort"] == "medewerker" else "organisatorische_eenheid",
                    t["naam"],
                    t["identificatie"],
                    t["soort"],
                )
                for t in toegewezen_aan
            ]
            taak = s.create(
                "internetaken",
                {
                    "gevraagdeHandeling": "Contact opnemen met betrokkene",
                    "aanleidinggevendKlantcontact": {"uuid": kc},
                    "toegewezenAanActoren": [{"uuid": a} for a in actoren],
                    "toelichting": toelichting,
                    "status": status,
                },
            )
            return s.represent("internetaken", taak)

    def _seed_actor(self, soort_actor: str, naam: str, object_id: str, kind: str) -> str:
        objecttype, register, soort_id = KISS_CODES[kind]
        ident = {
            "objectId": object_id,
            "codeObjecttype": objecttype,
            "codeRegister": register,
            "codeSoortObjectId": soort_id,
        }
        for key, row in self.store.rows["actoren"].items():
            if row["actoridentificator"] == ident:
                return key
        return self.store.create(
            "actoren",
            {
                "naam": naam,
                "soortActor": soort_actor,
                "indicatieActief": True,
                "actoridentificator": ident,
            },
        )

    # -- WSGI ------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        outcome = self._handle(request)
        if outcome.created is not None and self._drop(outcome.created):
            # Open Klant committed the write; the answer never reaches the client.
            connection: socket.socket | None = environ.get("werkzeug.socket")
            if connection is not None:
                connection.shutdown(socket.SHUT_RDWR)
        return outcome.response(environ, start_response)

    def _drop(self, collection: str) -> bool:
        with self._lock:
            f = self.faults
            if f.drop_after_create > 0 and f.drop_only in (None, collection):
                f.drop_after_create -= 1
                return True
        return False

    def _handle(self, request: Request) -> _Outcome:
        if request.path.startswith("/_admin/"):
            return _Outcome(self._admin(request))
        with self._lock:
            self.requests[f"{request.method} {_route_of(request.path)}"] += 1
            self.urls.append(request.url)
            fail = None
            if self.faults.fail_next > 0:
                self.faults.fail_next -= 1
                fail = self.faults.fail_status
            hang = self.faults.hang_seconds
            retry_after = self.faults.retry_after
        if hang:
            time.sleep(hang)
        if fail is not None:
            headers = {"Retry-After": retry_after} if retry_after else {}
            return _Outcome(
                problem(fail, "service_unavailable", "Gesimuleerde storing", headers=headers)
            )
        if not request.path.startswith(BASE_PATH + "/"):
            return _Outcome(problem(404, "not_found", "Niet gevonden."))
        refused = self._check_token(request)
        if refused is not None:
            return _Outcome(refused)

        api = klantinteracties_api()
        oas_request = WerkzeugOpenAPIRequest(request)
        errors = list(api.iter_request_errors(oas_request))
        if errors:
            params = [p for e in errors for p in invalid_params(e)]
            with self._lock:
                self.request_violations.append(f"{request.method} {request.path}: {params}")
            return _Outcome(validation_error(params))

        outcome = self._route(request)
        if 200 <= outcome.response.status_code < 300:
            problems = list(
                api.iter_response_errors(oas_request, WerkzeugOpenAPIResponse(outcome.response))
            )
            if problems:
                detail = "; ".join(describe(e) for e in problems)
                with self._lock:
                    self.response_violations.append(f"{request.method} {request.path}: {detail}")
                return _Outcome(
                    Response(
                        json.dumps(
                            {"double": "antwoord wijkt af van de specificatie", "detail": detail}
                        ),
                        status=500,
                        content_type="application/json",
                    )
                )
        return outcome

    def _admin(self, request: Request) -> Response:
        """Outside the API, for the demo: seed as KISS would, read everything, set faults."""
        parts = [p for p in request.path.split("/") if p]
        body = request.get_json(silent=True) or {}
        if parts == ["_admin", "kiss-contactverzoeken"] and request.method == "POST":
            try:
                return json_response(self.seed_contactverzoek(**body), 201)
            except (TypeError, Rejected) as exc:
                return double_error(f"seed mislukt: {type(exc).__name__}")
        if parts == ["_admin", "opgeslagen"] and request.method == "GET":
            return json_response(self.snapshot())
        if parts == ["_admin", "faults"] and request.method == "POST":
            with self._lock:
                for key, value in body.items():
                    if hasattr(self.faults, key):
                        setattr(self.faults, key, value)
            return json_response({"ok": True})
        return problem(404, "not_found", "Niet gevonden.")

    def _check_token(self, request: Request) -> Response | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Token "):
            return problem(
                401,
                "not_authenticated",
                "Authenticatiegegevens zijn niet opgegeven.",
                headers={"WWW-Authenticate": "Token"},
            )
        if header.removeprefix("Token ").strip() not in self.tokens:
            return problem(
                401,
                "authentication_failed",
                "Ongeldige token.",
                headers={"WWW-Authenticate": "Token"},
            )
        return None

    def _route(self, request: Request) -> _Outcome:
        parts = [p for p in request.path[len(BASE_PATH) :].split("/") if p]
        if not parts or parts[0] not in COLLECTIONS or len(parts) > 2:
            return _Outcome(double_error(f"de double kent {request.path} niet"))
        collection = parts[0]
        try:
            if len(parts) == 1 and request.method == "GET":
                return _Outcome(self._list(request, collection))
            if len(parts) == 1 and request.method == "POST":
                with self._lock:
                    key = self.store.create(collection, request.get_json())
                    body = self.store.represent(collection, key)
                return _Outcome(json_response(body, 201), created=collection)
            key = parts[1]
            if request.method == "GET":
                with self._lock:
                    return _Outcome(json_response(self.store.represent(collection, key)))
            if request.method == "PATCH":
                with self._lock:
                    self.store.update(collection, key, request.get_json())
                    return _Outcome(json_response(self.store.represent(collection, key)))
        except Rejected as exc:
            return _Outcome(validation_error(list(exc.params)))
        except Missing:
            return _Outcome(problem(404, "not_found", "Niet gevonden."))
        except UnsupportedFilter as exc:
            return _Outcome(double_error(f"de double ondersteunt filter {exc} niet"))
        return _Outcome(double_error(f"de double ondersteunt {request.method} {request.path} niet"))

    def _list(self, request: Request, collection: str) -> Response:
        args = dict(request.args.items())
        page = int(args.get("page", "1"))
        size = min(int(args.get("pageSize", str(self.page_size))), MAX_PAGE_SIZE)
        with self._lock:
            # Open Klant lists newest first (its viewsets order by -pk); a poller relies on it.
            selected = select(self.store, collection, args, _list_params(collection))[::-1]
        start = (page - 1) * size
        if page < 1 or size < 1 or (start >= len(selected) and page != 1):
            return problem(404, "not_found", "Ongeldige pagina.")
        base = f"{self.api_url}/{collection}"
        query = {k: v for k, v in args.items() if k != "page"}

        def link(number: int) -> str:
            return f"{base}?{urlencode({**query, 'page': number})}"

        return json_response(
            {
                "count": len(selected),
                "next": link(page + 1) if start + size < len(selected) else None,
                "previous": link(page - 1) if page > 1 else None,
                "results": selected[start : start + size],
            }
        )


@cache
def _list_params(collection: str) -> frozenset[str]:
    get = raw_spec()["paths"][f"/{collection}"]["get"]
    return frozenset(p["name"] for p in get.get("parameters", []))


def _route_of(path: str) -> str:
    """The path with uuids replaced, for request counting (``GET …/internetaken/{uuid}``)."""
    parts = []
    for part in path.split("/"):
        try:
            uuid.UUID(part)
            parts.append("{uuid}")
        except ValueError:
            parts.append(part)
    return "/".join(parts)


@contextmanager
def run_openklant_double(**kwargs: Any) -> Iterator[OpenKlantDouble]:
    """Start an Open Klant double on a free loopback port for the duration of the block."""
    double = OpenKlantDouble(**kwargs).start()
    try:
        yield double
    finally:
        double.stop()
