"""A loopback Haal Centraal BRP Personen v2 server that the real client talks to.

Every request and every answer is checked against the vendored spec with
openapi-core (see ``spec.py`` for how the discriminators are made checkable).
An off-spec request gets the 400 problem+json the BRP API gives, with
``invalidParams``; an off-spec answer of the double itself becomes a 500 and is
recorded in ``double.spec_violations`` so the tests fail loudly.

Behaviour after the BRP API: ``fields`` is required and honoured (auto-delivered
fields come along when present), a BSN failing the 11-proof gives 200 without
personen, searches skip the deceased unless ``inclusiefOverledenPersonen``.
Like the proxies in front of the BRP, the double records ``x-doelbinding``,
``x-verwerking`` and ``x-gebruiker`` and answers with ``x-geleverde-pls``.

Authentication: none, an API key header, or OAuth2 client credentials with the
double's own token endpoint. Faults are set on ``double.faults``.
"""

from __future__ import annotations

import base64
import copy
import json
import secrets
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qs

from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.wrappers import Request, Response

from devkit.doubles import LoopbackWsgiDouble, QuietHandler
from hub.bsn import is_valid_bsn
from plugins.brp.double import persons
from plugins.brp.double.spec import (
    AUTO_DELIVERED,
    BASE_PATH,
    field_paths,
    personen_api,
    persoon_schema_for,
    query_properties,
)

TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path, not a secret
JSON = "application/json; charset=utf-8"
PROBLEM = "application/problem+json"
PROXY_HEADERS = ("x-doelbinding", "x-verwerking", "x-gebruiker")


class _QuietHandler(QuietHandler):
    # Keep-alive, as a real BRP endpoint: clients reuse connections.
    protocol_version = "HTTP/1.1"


@dataclass
class Faults:
    """What the double does wrong; tests change it at any moment."""

    latency: float = 0.0
    # Answer every request with this status until reset.
    status: int | None = None
    # Answer only the next ``fail_next`` requests with ``fail_status``.
    fail_next: int = 0
    fail_status: int = 500
    # Seconds for Retry-After on a simulated 429/503.
    retry_after: int | None = None
    # Hold the request this long before answering (a timeout for the client).
    hang_seconds: float = 0.0

    def reset(self) -> None:
        self.latency = 0.0
        self.status = None
        self.fail_next = 0
        self.fail_status = 500
        self.retry_after = None
        self.hang_seconds = 0.0


@dataclass
class Auth:
    """How the double authenticates callers. ``mode``: none, apikey or oauth2."""

    mode: str = "none"
    api_key_header: str = "X-API-Key"
    api_key: str = "brp-double-api-key"
    client_id: str = "kcc-hub"
    client_secret: str = "brp-double-client-secret"  # noqa: S105 - the double's own demo secret
    token_lifetime: int = 300
    tokens: dict[str, float] = field(default_factory=dict)
    tokens_issued: int = 0


@dataclass
class Recorded:
    """One request as the double saw it (for assertions in tests)."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    status: int = 0


class HaalCentraalDouble(LoopbackWsgiDouble):
    thread_name = "brp-haalcentraal-double"
    handler_class = _QuietHandler
    """The BRP API on one loopback port (optionally TLS with client certificates)."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        auth: Auth | None = None,
        ssl_context: ssl.SSLContext | None = None,
        peildatum: date | None = None,
        validate: bool = True,
    ) -> None:
        self.auth = auth or Auth()
        self.faults = Faults()
        self.requests: list[Recorded] = []
        self.spec_violations: list[str] = []
        self.timings: list[tuple[float, float]] = []
        self.peildatum = peildatum
        # Spec checks cost ~10 ms per call. Only benchmarks that need a fast, quiet upstream
        # turn them off; tests never do (they exist to catch drift).
        self.validate = validate
        # The population this double answers from; tests may add or change persons.
        self.personen: list[dict[str, Any]] = persons.all_personen()
        self._lock = threading.Lock()
        self._listen(host, port, ssl_context)
        scheme = "https" if ssl_context else "http"
        self.root_url = f"{scheme}://{host}:{self.port}"
        self.base_url = self.root_url + BASE_PATH
        self.token_url = self.root_url + TOKEN_PATH
        personen_api()  # load before serving so the first request is not slow

    @property
    def personen_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/personen")]

    # -- WSGI -------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        started = time.perf_counter()
        response = self._handle(request)
        # (start, end) per request, so tests can prove concurrent callers overlapped.
        self.timings.append((started, time.perf_counter()))
        return response(environ, start_response)

    def _handle(self, request: Request) -> Response:
        if request.path == TOKEN_PATH and request.method == "POST":
            return self._token(request)
        body: dict[str, Any] | None
        try:
            parsed = json.loads(request.get_data() or b"null")
            body = parsed if isinstance(parsed, dict) else None
        except ValueError:
            body = None
        recorded = Recorded(
            path=request.path, headers={k.lower(): v for k, v in request.headers.items()}, body=body
        )
        with self._lock:
            self.requests.append(recorded)
            fail: int | None = self.faults.status
            if fail is None and self.faults.fail_next > 0:
                self.faults.fail_next -= 1
                fail = self.faults.fail_status
            latency, hang = self.faults.latency, self.faults.hang_seconds
            retry_after = self.faults.retry_after
        if latency:
            time.sleep(latency)
        if hang:
            time.sleep(hang)
        response = self._answer(request, body, fail, retry_after)
        if request.path == BASE_PATH + "/personen" and self.validate:
            response = self._checked(request, response)
        recorded.status = response.status_code
        return response

    def _checked(self, request: Request, response: Response) -> Response:
        """The answer, or a 500 naming how it deviates from the spec (the double's own bug)."""
        problems = list(
            personen_api().iter_response_errors(
                WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response)
            )
        )
        if not problems:
            return response
        detail = "; ".join(_describe(e) for e in problems)
        with self._lock:
            self.spec_violations.append(detail)
        return Response(
            json.dumps({"double": "antwoord wijkt af van de specificatie", "detail": detail}),
            status=500,
            content_type="application/json",
        )

    def _answer(
        self,
        request: Request,
        body: dict[str, Any] | None,
        fail: int | None,
        retry_after: int | None,
    ) -> Response:
        if request.path != BASE_PATH + "/personen":
            return _problem(404, "Niet gevonden.", "notFound")
        refused = self._check_auth(request)
        if refused is not None:
            return refused
        if fail is not None:
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            return _problem(fail, "Gesimuleerde storing.", "serverError", headers=headers)

        errors = (
            list(personen_api().iter_request_errors(WerkzeugOpenAPIRequest(request)))
            if self.validate
            else []
        )
        invalid = _invalid_params(errors)
        if body is None:
            invalid = invalid or [_param("body", "json", "Geen geldig JSON object.")]
        else:
            invalid += [p for p in _check_query(body) if p not in invalid]
        if invalid:
            return _problem(
                400,
                "Ten minste één parameter voldoet niet aan de specificatie.",
                "paramsValidation",
                invalid_params=invalid,
            )
        personen, pls = self._query(body)
        return Response(
            json.dumps({"type": body["type"], "personen": personen}),
            status=200,
            content_type=JSON,
            headers={"x-geleverde-pls": ",".join(pls)},
        )

    # -- authentication ---------------------------------------------------------------------
    def _check_auth(self, request: Request) -> Response | None:
        auth = self.auth
        if auth.mode == "apikey":
            if request.headers.get(auth.api_key_header) != auth.api_key:
                return _problem(401, "Niet correct geauthenticeerd.", "authentication")
        elif auth.mode == "oauth2":
            header = request.headers.get("Authorization", "")
            token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else ""
            with self._lock:
                expires = auth.tokens.get(token)
            if expires is None or expires < time.monotonic():
                return _problem(401, "Niet correct geauthenticeerd.", "authentication")
        return None

    def _token(self, request: Request) -> Response:
        auth = self.auth
        form = {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = request.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            decoded = base64.b64decode(basic[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type")
        if client_id != auth.client_id or client_secret != auth.client_secret:
            return _oauth_error(401, "invalid_client")
        token = secrets.token_urlsafe(24)
        with self._lock:
            auth.tokens[token] = time.monotonic() + auth.token_lifetime
            auth.tokens_issued += 1
        body = {"access_token": token, "token_type": "Bearer", "expires_in": auth.token_lifetime}
        return Response(json.dumps(body), status=200, content_type="application/json")

    def _pl_index(self, bsn: str) -> int:
        """A stable persoonslijst id: what ``x-geleverde-pls`` reports instead of BSNs."""
        return next(i for i, p in enumerate(self.personen) if p["burgerservicenummer"] == bsn)

    def expire_tokens(self) -> None:
        """Make every issued token invalid (as if they all expired upstream)."""
        with self._lock:
            self.auth.tokens.clear()

    # -- queries ----------------------------------------------------------------------------
    def _query(self, body: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
        kind = body["type"]
        everyone = copy.deepcopy(self.personen)
        peildatum = self.peildatum or date.today()
        if kind == "RaadpleegMetBurgerservicenummer":
            wanted = [b for b in body["burgerservicenummer"] if is_valid_bsn(b)]
            found = [p for b in wanted for p in everyone if p["burgerservicenummer"] == b]
        else:
            found = [p for p in everyone if _matches(kind, body, p)]
            if not body.get("inclusiefOverledenPersonen"):
                found = [p for p in found if not persons.is_overleden(p)]
        gemeente = body.get("gemeenteVanInschrijving")
        if gemeente and kind != "ZoekMetNaamEnGemeenteVanInschrijving":
            found = [p for p in found if p["gemeenteVanInschrijving"]["code"] == gemeente]
        pls = [str(1000 + self._pl_index(p["burgerservicenummer"])) for p in found]
        schema = persoon_schema_for(kind)
        selected = [
            select_fields(persons.with_leeftijd(p, peildatum), body["fields"], schema)
            for p in found
        ]
        return selected, pls


def _text_matches(pattern: str | None, value: str | None) -> bool:
    if pattern is None:
        return True
    if value is None:
        return False
    pattern, value = pattern.casefold(), value.casefold()
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    return value == pattern


def _matches(kind: str, q: dict[str, Any], p: dict[str, Any]) -> bool:
    naam = p.get("naam", {})
    geboorte = p.get("geboorte", {}).get("datum", {})
    plaats = p.get("verblijfplaats") or {}
    adres = plaats.get("verblijfadres", {}) if plaats.get("type") == "Adres" else {}

    def common() -> bool:
        return (
            _text_matches(q.get("geslachtsnaam"), naam.get("geslachtsnaam"))
            and _text_matches(q.get("voornamen"), naam.get("voornamen"))
            and _text_matches(q.get("voorvoegsel"), naam.get("voorvoegsel"))
            and _text_matches(q.get("geslacht"), p.get("geslacht", {}).get("code"))
            and (
                "geboortedatum" not in q
                or (geboorte.get("type") == "Datum" and geboorte.get("datum") == q["geboortedatum"])
            )
        )

    def huisnummer() -> bool:
        return (
            adres.get("huisnummer") == q.get("huisnummer")
            and _text_matches(q.get("huisletter"), adres.get("huisletter"))
            and _text_matches(q.get("huisnummertoevoeging"), adres.get("huisnummertoevoeging"))
        )

    if kind == "ZoekMetGeslachtsnaamEnGeboortedatum":
        return common()
    if kind == "ZoekMetNaamEnGemeenteVanInschrijving":
        return common() and p["gemeenteVanInschrijving"]["code"] == q["gemeenteVanInschrijving"]
    if kind == "ZoekMetPostcodeEnHuisnummer":
        postcode = str(q["postcode"]).replace(" ", "").upper()
        return adres.get("postcode") == postcode and huisnummer() and common()
    if kind == "ZoekMetStraatHuisnummerEnGemeenteVanInschrijving":
        return (
            _text_matches(q["straat"], adres.get("officieleStraatnaam"))
            and huisnummer()
            and p["gemeenteVanInschrijving"]["code"] == q["gemeenteVanInschrijving"]
        )
    if kind == "ZoekMetNummeraanduidingIdentificatie":
        return plaats.get("nummeraanduidingIdentificatie") == q["nummeraanduidingIdentificatie"]
    if kind == "ZoekMetAdresseerbaarObjectIdentificatie":
        return (
            plaats.get("adresseerbaarObjectIdentificatie") == q["adresseerbaarObjectIdentificatie"]
        )
    return False


# -- fields ----------------------------------------------------------------------------------
def _project(value: Any, paths: list[list[str]]) -> Any:
    if any(not p for p in paths):
        return value
    if isinstance(value, list):
        items = [_project(item, paths) for item in value]
        return [i for i in items if i not in (None, {})] or None
    if not isinstance(value, dict):
        return None
    grouped: dict[str, list[list[str]]] = {}
    for path in paths:
        grouped.setdefault(path[0], []).append(path[1:])
    result: dict[str, Any] = {}
    for key, rest in grouped.items():
        if key in value:
            projected = _project(value[key], rest)
            if projected not in (None, {}, []):
                result[key] = projected
    if result:
        # A polymorphic object is useless without its type; inOnderzoek travels with the data.
        for companion in ("type", "inOnderzoek"):
            if companion in value:
                result[companion] = value[companion]
    return result


def _prune(value: Any, prefix: str, allowed: frozenset[str]) -> Any:
    """Drop what the answer's person schema does not have (``PersoonBeperkt`` is smaller)."""
    if isinstance(value, list):
        return [_prune(item, prefix, allowed) for item in value]
    if not isinstance(value, dict):
        return value
    kept: dict[str, Any] = {}
    for key, sub in value.items():
        path = prefix + key
        if key in ("type", "inOnderzoek"):
            kept[key] = sub
        elif path in allowed:
            has_children = any(a.startswith(path + ".") for a in allowed)
            kept[key] = _prune(sub, path + ".", allowed) if has_children else sub
    return kept


def select_fields(
    persoon: dict[str, Any], fields: list[str], schema: str = "Persoon"
) -> dict[str, Any]:
    """The person reduced to ``fields`` plus the fields the BRP always delivers."""
    projected = _project(persoon, [f.split(".") for f in fields]) or {}
    selected = _prune(projected, "", field_paths(schema))
    for name in AUTO_DELIVERED:
        if name in persoon:
            selected[name] = persoon[name]
    return dict(selected)


# -- validation beyond the schema --------------------------------------------------------------
def _check_query(body: dict[str, Any]) -> list[dict[str, str]]:
    kind = body.get("type")
    fields = body.get("fields")
    if not isinstance(kind, str) or not isinstance(fields, list):
        return []
    problems = [
        _param(name, "unknownParam", "Parameter is niet verwacht.")
        for name in body
        if name not in query_properties(kind)
    ]
    allowed = field_paths(persoon_schema_for(kind))
    for path in fields:
        if not isinstance(path, str):
            continue
        if path.split(".")[0] in AUTO_DELIVERED or ".inOnderzoek" in f".{path}":
            problems.append(
                _param("fields", "field", "Parameter bevat een automatisch geleverd veld.")
            )
        elif path not in allowed:
            problems.append(
                _param("fields", "field", "Parameter bevat een niet bestaande veldnaam.")
            )
    return problems


def _param(name: str, code: str, reason: str) -> dict[str, str]:
    return {
        "type": "https://www.vng.nl/realisatie/api/validaties/" + code.lower(),
        "name": name,
        "code": code,
        "reason": reason,
    }


_CODES = {
    "required": ("required", "Parameter is verplicht."),
    "pattern": ("pattern", "Waarde voldoet niet aan patroon."),
    "maxItems": ("maxItems", "Array bevat meer dan toegestaan aantal items."),
    "minItems": ("minItems", "Array bevat minder dan minimum aantal items."),
    "enum": ("value", "Waarde is geen geldige zoek type."),
    "const": ("value", "Waarde is niet toegestaan."),
    "minimum": ("minimum", "Waarde is lager dan minimum."),
    "maximum": ("maximum", "Waarde is hoger dan maximum."),
    "format": ("date", "Waarde is geen geldige datum."),
}


def _schema_errors(error: Exception) -> list[Any]:
    found: list[Any] = []
    for candidate in (error, error.__cause__):
        found.extend(getattr(candidate, "schema_errors", None) or [])
    leaves: list[Any] = []

    def walk(e: Any) -> None:
        context = getattr(e, "context", None)
        if context:
            for sub in context:
                walk(sub)
        else:
            leaves.append(e)

    for e in found:
        walk(e)
    return leaves


def _invalid_params(errors: list[Exception]) -> list[dict[str, str]]:
    params: list[dict[str, str]] = []
    for error in errors:
        leaves = _schema_errors(error)
        if not leaves:
            params.append(_param("body", "invalid", "Verzoek voldoet niet aan de specificatie."))
        for leaf in leaves:
            validator = str(getattr(leaf, "validator", "invalid"))
            path = [str(p) for p in getattr(leaf, "absolute_path", []) if not isinstance(p, int)]
            if validator == "required":
                missing = str(leaf.message).split("'")[1] if "'" in str(leaf.message) else "body"
                path = [*path, missing]
            code, reason = _CODES.get(
                validator, (validator if validator.isalnum() else "invalid", "Waarde is ongeldig.")
            )
            if validator == "type":
                code, reason = str(leaf.validator_value), "Waarde heeft een ongeldig type."
            name = ".".join(path) or "body"
            param = _param(name[:30], code[:25], reason)
            if param not in params:
                params.append(param)
    return params


def _describe(error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"
    leaves = _schema_errors(error)
    if leaves:
        text += " [" + "; ".join(str(getattr(e, "message", e))[:200] for e in leaves) + "]"
    return text[:2000]


def _problem(
    status: int,
    title: str,
    code: str,
    *,
    invalid_params: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
        "title": title,
        "status": status,
        "detail": title,
        "code": code,
    }
    if invalid_params:
        body["invalidParams"] = invalid_params
    return Response(json.dumps(body), status=status, content_type=PROBLEM, headers=headers or {})


def _oauth_error(status: int, error: str) -> Response:
    return Response(json.dumps({"error": error}), status=status, content_type="application/json")


@contextmanager
def run_haalcentraal_double(**kwargs: Any) -> Iterator[HaalCentraalDouble]:
    """Start a Haal Centraal double on a free loopback port for the duration of the block."""
    double = HaalCentraalDouble(**kwargs).start()
    try:
        yield double
    finally:
        double.stop()
