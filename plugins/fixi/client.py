"""The Fixi wire format: the one module that knows Fixi's paths, auth and field names.

Everything Fixi-specific is read from :class:`~plugins.fixi.config.FixiSettings`
so a gemeente's actual contract can be matched in configuration.

Creating a melding is made safe without upstream idempotency support: the hub's
idempotency key is written into the external-reference field, and before every
attempt (the first one too, because an earlier job may have died after Fixi
accepted) the client searches for that reference. A creation that was accepted
but whose answer was lost is therefore found, not repeated.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from hub.plugin_sdk import (
    ConfigurationError,
    InvalidRequest,
    MeldingCategorie,
    NieuweMelding,
    NotFound,
    SecretResolutionError,
    UpstreamMelding,
    UpstreamRefusedContent,
    UpstreamRejected,
    UpstreamUnavailable,
    http_transport,
)
from plugins.fixi.config import FixiSettings

UPSTREAM = "Fixi"
# The content is refused: sending it again cannot succeed (the outbox stops retrying).
_CONTENT_REFUSED = frozenset({400, 409, 413, 422})


class _TokenExpiredError(Exception):
    """Fixi said 401 on a call with a cached token: fetch a new one and try once more."""


class _Expiring:
    """One value with an expiry (monotonic clock), thread-safe."""

    def __init__(self) -> None:
        self._value: Any = None
        self._until = 0.0
        self._lock = threading.Lock()

    def get(self) -> Any:
        with self._lock:
            return self._value if self._until > time.monotonic() else None

    def put(self, value: Any, lifetime: float) -> None:
        with self._lock:
            self._value, self._until = value, time.monotonic() + max(0.0, lifetime)

    def drop(self) -> None:
        with self._lock:
            self._value, self._until = None, 0.0


class FixiClient:
    """One gemeente's Fixi: built once per gemeente × settings by the core
    (``kcc_build_client``), so its pool, token and category list are shared by the calls."""

    def __init__(self, settings: FixiSettings, *, gemeente: str, http: httpx.Client | None = None):
        self.s = settings
        self.v = settings.velden
        self.gemeente = gemeente
        self.base = str(settings.base_url).rstrip("/")
        self._owns_http = http is None
        self._http = http or new_http_client(settings)
        self._token = _Expiring()
        self._categories = _Expiring()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> FixiClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- public ----------------------------------------------------------------------------
    def create(self, melding: NieuweMelding, idempotency_key: str) -> UpstreamMelding:
        """File the melding once: search by reference first (an earlier attempt, of this job
        or a previous one, may have been accepted), then create. One attempt: the core
        retries the whole call, and each retry searches again."""
        body = self._issue_body(melding, idempotency_key)
        existing = self._find_by_reference(idempotency_key)
        if existing is not None:
            return self._melding(existing)
        return self._melding(self._once("POST", self.s.paden.create_issue, json=body))

    def get(self, public_id: str) -> UpstreamMelding | None:
        """Fixi's current view of one melding, or None when Fixi does not know it."""
        path = self.s.paden.issue.replace("{publicID}", _path_segment(public_id))
        try:
            raw = self._once("GET", path)
        except NotFound:
            return None
        return self._melding(raw)

    def categories(self) -> list[dict[str, Any]]:
        cached: list[dict[str, Any]] | None = self._categories.get()
        if cached is not None:
            return cached
        raw = self._once("GET", self.s.paden.categories)
        if not isinstance(raw, list):
            raise UpstreamUnavailable("Fixi gaf een onverwachte lijst categorieën", source="fixi")
        self._categories.put(raw, self.s.categories_ttl_seconds)
        return raw

    def hub_categories(self) -> list[MeldingCategorie]:
        """Fixi's categories, and the gemeente's aliases (``categorieen``) for them, as names a
        new melding may use."""
        items = self.categories()
        found: list[MeldingCategorie] = []
        for item in items:
            ident, name = item.get(self.v.category_list_id), item.get(self.v.category_list_name)
            if ident is not None and name:
                found.append(MeldingCategorie(id=str(ident), naam=str(name)))
        for alias, target in self.s.categorieen.items():
            wanted = target.strip().casefold()
            match = next((c for c in found if wanted in (c.naam.casefold(), c.id.casefold())), None)
            if match is not None:
                found.append(MeldingCategorie(id=match.id, naam=alias))
        return found

    def ping(self) -> float:
        started = time.perf_counter()
        self._once("GET", self.s.paden.categories)
        return (time.perf_counter() - started) * 1000

    # -- mapping ---------------------------------------------------------------------------
    def _category_id(self, categorie: str) -> Any:
        wanted = self.s.categorieen.get(categorie, categorie).strip().casefold()
        for item in self.categories():
            ident = item.get(self.v.category_list_id)
            name = str(item.get(self.v.category_list_name, ""))
            if name.casefold() == wanted or str(ident).casefold() == wanted:
                return ident
        raise InvalidRequest(
            "Fixi kent deze categorie niet; kies een categorie van de gemeente",
            field="categorie",
            code="unknownCategory",
        )

    def _issue_body(self, melding: NieuweMelding, idempotency_key: str) -> dict[str, Any]:
        v = self.v
        body: dict[str, Any] = {
            v.category_id: self._category_id(melding.categorie),
            v.description: melding.omschrijving,
            v.external_reference: idempotency_key,
        }
        loc = melding.locatie
        if loc.lat is not None and loc.lon is not None:
            body[v.location] = {v.latitude: loc.lat, v.longitude: loc.lon}
        address = _address(melding)
        if address:
            body[v.address] = address
        if v.location not in body and v.address not in body:
            raise InvalidRequest(
                "Een melding heeft een adres of coördinaten nodig", field="locatie", code="required"
            )
        if melding.melder is not None:
            reporter = {
                v.reporter_name: melding.melder.naam,
                v.reporter_email: melding.melder.email,
                v.reporter_phone: melding.melder.telefoonnummer,
            }
            reporter = {k: val for k, val in reporter.items() if val}
            if reporter:
                body[v.reporter] = reporter
        return body

    def _melding(self, raw: Any) -> UpstreamMelding:
        if not isinstance(raw, dict) or not raw.get(self.v.public_id):
            raise UpstreamUnavailable("Fixi gaf een onverwacht antwoord", source="fixi")
        status = str(raw.get(self.v.status) or "onbekend")
        return UpstreamMelding(
            extern_id=str(raw[self.v.public_id]),
            status=self.s.statussen.get(status, status),
            categorie=raw.get(self.v.category_name),
            omschrijving=raw.get(self.v.description),
            aangemaakt=_datetime(raw.get(self.v.created)),
            afgesloten=_datetime(raw.get(self.v.closed)),
        )

    def _find_by_reference(self, reference: str) -> dict[str, Any] | None:
        found = self._once(
            "GET", self.s.paden.find_issues, params={self.v.external_reference: reference}
        )
        items = found if isinstance(found, list) else (found or {}).get("items", [])
        # Only an exact echo counts: a Fixi that ignored the filter must not make us adopt
        # somebody else's issue.
        for item in items:
            if isinstance(item, dict) and item.get(self.v.external_reference) == reference:
                return item
        return None

    # -- HTTP ------------------------------------------------------------------------------
    def _once(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            return self._authorized(method, path, **kwargs)
        except _TokenExpiredError:
            self._token.drop()
            try:
                return self._authorized(method, path, **kwargs)
            except _TokenExpiredError:
                raise UpstreamRejected(
                    "Fixi weigert de inloggegevens van de hub (HTTP 401)", source="fixi"
                ) from None

    def _authorized(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = self._auth_headers()
        response = self._request(method, path, headers=headers, **kwargs)
        if response.status_code == 401:
            raise _TokenExpiredError()
        return self._body(response)

    def _auth_headers(self) -> dict[str, str]:
        try:
            return self._credentials()
        except SecretResolutionError as exc:
            # Names the reference (variable or file), never a value.
            raise ConfigurationError(
                f"Het secret voor Fixi is niet te lezen: {exc}", source="fixi"
            ) from None

    def _credentials(self) -> dict[str, str]:
        if self.s.auth == "api_key":
            assert self.s.api_key is not None
            return {self.s.api_key_header: self.s.api_key.resolve()}
        token: str | None = self._token.get()
        if token is None:
            assert self.s.client_secret is not None
            response = self._request(
                "POST",
                self.s.paden.token,
                json={"clientId": self.s.client_id, "clientSecret": self.s.client_secret.resolve()},
            )
            if response.status_code in (400, 401, 403):
                raise UpstreamRejected(
                    f"Fixi weigert de inloggegevens van de hub (HTTP {response.status_code}); "
                    "controleer client_id en client_secret",
                    source="fixi",
                )
            body = self._body(response)
            token = str((body or {}).get("accessToken") or "")
            if not token:
                raise UpstreamUnavailable("Fixi gaf geen toegangstoken", source="fixi")
            # Refreshed 30 s before Fixi says it expires.
            self._token.put(token, float(body.get("expiresIn") or 300) - 30)
        return {"Authorization": f"Bearer {token}"}

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        # Transport errors, timeouts, 429 and 5xx: UpstreamUnavailable(retry_after=…).
        return http_transport.send(
            self._http, method, self.base + path, upstream=UPSTREAM, **kwargs
        )

    def _body(self, response: httpx.Response) -> Any:
        status = response.status_code
        if status == 404:
            raise NotFound("Fixi kent deze melding niet", source="fixi")
        if status == 403:
            raise UpstreamRejected(
                "Fixi weigert de inloggegevens van de hub (HTTP 403)", source="fixi"
            )
        if status in _CONTENT_REFUSED:
            # Fixi's message may quote the request (reporter data): only the status goes on.
            raise UpstreamRefusedContent(
                f"Fixi weigert de inhoud van het verzoek (HTTP {status})", source="fixi"
            )
        if status >= 400:
            raise UpstreamRejected(f"Fixi weigert het verzoek (HTTP {status})", source="fixi")
        try:
            return response.json()
        except ValueError:
            raise UpstreamUnavailable("Fixi gaf geen geldige JSON", source="fixi") from None


def new_http_client(settings: FixiSettings) -> httpx.Client:
    return http_transport.new_http_client(timeout_seconds=settings.timeout_seconds)


def _address(melding: NieuweMelding) -> str | None:
    loc = melding.locatie
    if loc.adres:
        street = loc.adres
    elif loc.postcode and loc.huisnummer:
        street = f"{loc.postcode} {loc.huisnummer}"
    else:
        return None
    return f"{street}, {loc.woonplaats}" if loc.woonplaats else street


def _path_segment(value: str) -> str:
    return quote(value, safe="")


def _datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
