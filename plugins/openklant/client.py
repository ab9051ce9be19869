"""HTTP client for the Klantinteracties API (spec 0.9.0, Open Klant 2.18).

One :class:`Collection` per resource the hub uses (create, get, one page of a list, every
page, partial update), with the list filters the hub and KISS use. Transport problems become
the core's typed errors; the plugin never retries (the core owns retries, backoff and circuit
breaking) and keeps no clients between calls.

Errors:

* connection errors and 5xx (and 429) → :class:`OpenKlantUnavailable`, a
  :class:`~hub.errors.UpstreamUnavailable` carrying the ``Retry-After`` Open Klant asked for;
* time-outs → :class:`~hub.errors.UpstreamTimeout`;
* 400 → :class:`~hub.errors.InvalidRequest` naming the field from Open Klant's
  ``invalidParams``; 401/403 and other refusals → :class:`~hub.errors.UpstreamRejected`;
* 404 → :class:`~hub.errors.NotFound`.

Messages carry field names and codes, never Open Klant's ``reason`` texts: those can quote the
request, and requests carry callers' phone numbers and e-mail addresses.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Generic
from uuid import UUID

import httpx
from pydantic import ValidationError

from hub.plugin_sdk import (
    InvalidRequest,
    NotFound,
    SecretResolutionError,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
    http_transport,
    retry_after_seconds,
)
from plugins.openklant.config import OpenKlantSettings
from plugins.openklant.models import (
    Actor,
    ActorKlantcontact,
    Betrokkene,
    DigitaalAdres,
    InterneTaak,
    Klantcontact,
    Onderwerpobject,
    Page,
    T,
)

SOURCE = "openklant"
_TRANSIENT = frozenset({429, 500, 502, 503, 504})

FilterValue = str | bool | int | UUID | datetime


class OpenKlantUnavailable(UpstreamUnavailable):
    """Open Klant is unreachable or answered 5xx/429; ``retry_after`` is its ``Retry-After``
    in seconds, when it sent one, for the core's retry policy to honour."""

    def __init__(self, detail: str, *, retry_after: float | None = None) -> None:
        super().__init__(detail, source=SOURCE, retry_after=retry_after)


class Collection(Generic[T]):
    """One resource collection of the Klantinteracties API, e.g. ``/internetaken``."""

    def __init__(
        self, client: OpenKlantClient, path: str, model: type[T], filters: frozenset[str]
    ) -> None:
        self._client = client
        self.path = path
        self.model = model
        # The list filters this client may send; a typo must fail here, not match everything.
        self.filters = filters

    def create(self, body: Mapping[str, Any]) -> T:
        return self._parse(self._client.send("POST", self.path, json=dict(body)))

    def get(self, uuid: UUID | str) -> T:
        return self._parse(self._client.send("GET", f"{self.path}/{UUID(str(uuid))}"))

    def patch(self, uuid: UUID | str, body: Mapping[str, Any]) -> T:
        return self._parse(
            self._client.send("PATCH", f"{self.path}/{UUID(str(uuid))}", json=dict(body))
        )

    def page(
        self, *, page: int = 1, page_size: int | None = None, **filters: FilterValue
    ) -> Page[T]:
        """One page of the list, filtered; ``page`` counts from 1."""
        return self._fetch(page, page_size, filters)

    def iterate(self, *, max_pages: int | None = None, **filters: FilterValue) -> Iterator[T]:
        """Every result over all pages (page numbers, never the ``next`` URL: the token goes
        only to the configured base URL).

        More than ``max_pages`` pages is an error rather than a silent cut: callers use this
        to find what they wrote before, and a search that stopped early would make them write
        it twice.
        """
        limit = max_pages or self._client.settings.max_pages
        number = 1
        while True:
            found = self._fetch(number, None, filters)
            yield from found.results
            if not found.next:
                return
            if number >= limit:
                raise UpstreamRejected(
                    f"Open Klant gaf meer dan {limit} pagina's voor {self.path}", source=SOURCE
                )
            number += 1

    def _fetch(
        self, page: int, page_size: int | None, filters: Mapping[str, FilterValue]
    ) -> Page[T]:
        params = self._params(filters)
        params["page"] = str(page)
        params["pageSize"] = str(page_size or self._client.settings.page_size)
        raw = self._client.send("GET", self.path, params=params)
        if not isinstance(raw, dict) or not isinstance(raw.get("results"), list):
            raise OpenKlantUnavailable("Open Klant gaf een onverwachte lijst")
        return Page(
            count=int(raw.get("count") or 0),
            next=raw.get("next"),
            previous=raw.get("previous"),
            results=[self._parse(item) for item in raw["results"]],
        )

    def _params(self, filters: Mapping[str, FilterValue]) -> dict[str, str]:
        unknown = sorted(set(filters) - self.filters)
        if unknown:
            raise ValueError(f"{self.path} has no filter {', '.join(unknown)}")
        return {name: _query_value(value) for name, value in filters.items()}

    def _parse(self, raw: Any) -> T:
        try:
            return self.model.model_validate(raw)
        except ValidationError:
            raise OpenKlantUnavailable(
                f"Open Klant gaf een onverwacht antwoord op {self.path}"
            ) from None


class OpenKlantClient:
    """One gemeente's Open Klant. Use as a context manager, or ``close()`` when done."""

    def __init__(self, settings: OpenKlantSettings, *, http: httpx.Client | None = None) -> None:
        self.settings = settings
        self.base = settings.base_url
        self._owns_http = http is None
        self._http = http or new_http_client(settings)
        self.klantcontacten = Collection(
            self,
            "/klantcontacten",
            Klantcontact,
            frozenset(
                {
                    "plaatsgevondenOp",
                    "kanaal",
                    "referentienummer",
                    "hadBetrokkene__uuid",
                    "leiddeTotInterneTaken",
                    "onderwerpobject__onderwerpobjectidentificatorObjectId",
                }
            ),
        )
        self.betrokkenen = Collection(
            self,
            "/betrokkenen",
            Betrokkene,
            frozenset({"hadKlantcontact__uuid", "hadKlantcontact__referentienummer"}),
        )
        self.digitale_adressen = Collection(
            self,
            "/digitaleadressen",
            DigitaalAdres,
            frozenset({"verstrektDoorBetrokkene__uuid", "soortDigitaalAdres"}),
        )
        self.internetaken = Collection(
            self,
            "/internetaken",
            InterneTaak,
            frozenset(
                {
                    "status",
                    "aanleidinggevendKlantcontact__uuid",
                    "referentienummer",
                    "toegewezenAanActor__uuid",
                    "klantcontact__referentienummer",
                }
            ),
        )
        self.actoren = Collection(
            self,
            "/actoren",
            Actor,
            frozenset(
                {
                    "actoridentificatorObjectId",
                    "actoridentificatorCodeObjecttype",
                    "actoridentificatorCodeRegister",
                    "actoridentificatorCodeSoortObjectId",
                    "soortActor",
                    "indicatieActief",
                }
            ),
        )
        self.actorklantcontacten = Collection(
            self,
            "/actorklantcontacten",
            ActorKlantcontact,
            frozenset({"actor__uuid", "klantcontact__uuid"}),
        )
        self.onderwerpobjecten = Collection(
            self,
            "/onderwerpobjecten",
            Onderwerpobject,
            frozenset(
                {
                    "klantcontact__uuid",
                    "onderwerpobjectidentificatorObjectId",
                    "onderwerpobjectidentificatorCodeObjecttype",
                    "onderwerpobjectidentificatorCodeRegister",
                    "onderwerpobjectidentificatorCodeSoortObjectId",
                }
            ),
        )

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> OpenKlantClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def ping(self) -> float:
        """One light request; milliseconds it took."""
        started = time.perf_counter()
        self.klantcontacten.page(page_size=1)
        return (time.perf_counter() - started) * 1000

    # -- HTTP ------------------------------------------------------------------------------
    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> Any:
        """One request, no retries; the answer's JSON or a typed error."""
        headers = {"Authorization": f"Token {self._token()}", "Accept": "application/json"}
        try:
            response = self._http.request(
                method, self.base + path, params=params, json=json, headers=headers
            )
        except httpx.TimeoutException:
            raise UpstreamTimeout(
                f"Open Klant reageerde niet binnen {self.settings.read_timeout_seconds:g} s",
                source=SOURCE,
            ) from None
        except httpx.TransportError as exc:
            raise OpenKlantUnavailable(
                f"Open Klant is niet bereikbaar ({type(exc).__name__})"
            ) from None
        return _answer(response)

    def _token(self) -> str:
        try:
            return self.settings.token.resolve()
        except SecretResolutionError as exc:
            # Names the reference (variable or file), never a value.
            raise UpstreamRejected(
                f"Het token voor Open Klant is niet te lezen: {exc}", source=SOURCE
            ) from None


def new_http_client(settings: OpenKlantSettings) -> httpx.Client:
    client = http_transport.new_http_client(timeout_seconds=settings.read_timeout_seconds)
    client.timeout = httpx.Timeout(
        settings.read_timeout_seconds, connect=settings.connect_timeout_seconds
    )
    return client


def _answer(response: httpx.Response) -> Any:
    status = response.status_code
    if status in _TRANSIENT:
        raise OpenKlantUnavailable(
            f"Open Klant is tijdelijk niet beschikbaar (HTTP {status})",
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    if status >= 500:
        raise OpenKlantUnavailable(f"Open Klant gaf een fout (HTTP {status})")
    if status in (401, 403):
        raise UpstreamRejected(
            f"Open Klant weigert het token van de hub (HTTP {status})", source=SOURCE
        )
    if status == 404:
        raise NotFound("Open Klant kent dit object niet", source=SOURCE)
    if status == 204:
        return None
    body = _json(response) if response.content else None
    if status == 400:
        params = _invalid_params(body)
        if params:
            names = ", ".join(f"{name} ({code})" for name, code in params)
            raise InvalidRequest(
                f"Open Klant weigert het verzoek: {names}", field=params[0][0], code=params[0][1]
            )
        raise InvalidRequest("Open Klant weigert het verzoek (HTTP 400)")
    if status >= 400:
        params = _invalid_params(body)
        names = "".join(f"; {name} ({code})" for name, code in params)
        raise UpstreamRejected(
            f"Open Klant weigert het verzoek (HTTP {status}){names}", source=SOURCE
        )
    if body is None:
        raise OpenKlantUnavailable(f"Open Klant gaf een leeg antwoord (HTTP {status})")
    return body


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise OpenKlantUnavailable("Open Klant gaf geen geldige JSON") from None


def _invalid_params(body: Any) -> list[tuple[str, str]]:
    """``(name, code)`` of each entry of a problem's ``invalidParams``."""
    if not isinstance(body, dict) or not isinstance(body.get("invalidParams"), list):
        return []
    found = []
    for item in body["invalidParams"]:
        if isinstance(item, dict) and item.get("name"):
            found.append((str(item["name"]), str(item.get("code") or "invalid")))
    return found


def _query_value(value: FilterValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
