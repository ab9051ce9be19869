"""Client for Haal Centraal BRP Personen Bevragen v2 (``POST /personen``).

One wire format lives here: the request body, the doelbinding headers of the
BRP proxy, authentication (API key or OAuth2 client credentials), mutual TLS,
and the mapping of HTTP outcomes to ``hub.errors``. One attempt per call: throttling
(429, or 503 with ``Retry-After``) raises ``UpstreamUnavailable(retry_after=…)`` and the
core's retry policy waits and tries again (``docs/plugins.md``).

Nothing that identifies a person is logged or put in an error: error texts from
upstream are scrubbed of anything that looks like a BSN before use.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from hub.plugin_sdk import (
    InvalidRequest,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
    http_transport,
    retry_after_seconds,
)
from plugins.brp.config import ApiKeyAuth, HaalCentraalSettings, OAuth2Auth
from plugins.brp.fields import loggable_type, select_fields, upstream_fields

log = logging.getLogger(__name__)

SOURCE = "brp-haalcentraal"
JSON = "application/json; charset=utf-8"
# A token is renewed this long before it expires, so it never expires in flight.
TOKEN_MARGIN_SECONDS = 30.0
_NINE_DIGITS = re.compile(r"\d{9}")
_NOT_IN_BODY = ("fields", "doel")


def scrub(text: str) -> str:
    """``text`` with every run of nine digits (a possible BSN) blanked."""
    return _NINE_DIGITS.sub("*********", text)


def _header_value(value: str) -> str:
    """A header-safe form: no line breaks, non-ASCII percent-encoded (RFC 3986)."""
    flat = value.replace("\r", " ").replace("\n", " ").strip()
    return flat if flat.isascii() else quote(flat, safe=" :/?#[]@!$&'()*+,;=-._~%")


# The hub's one TLS set-up (CA bundle, PKIoverheid client certificate, TLS 1.2+).
ssl_context = http_transport.ssl_context


class HaalCentraalClient:
    """Talks to one gemeente's BRP API. Thread-safe; keep one per gemeente and reuse it."""

    def __init__(
        self, settings: HaalCentraalSettings, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._settings = settings
        timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
        self._http = httpx.Client(
            timeout=timeout,
            verify=ssl_context(settings.tls),
            follow_redirects=False,
            transport=transport,
            headers={"Accept": JSON},
        )
        self._token: tuple[str, float] | None = None
        self._token_lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    # -- public -----------------------------------------------------------------------------
    def personen(
        self,
        query: Mapping[str, Any],
        fields: Sequence[str],
        *,
        doel: str | None = None,
        verwerking: str | None = None,
        gebruiker: str | None = None,
    ) -> dict[str, Any]:
        """Ask ``POST /personen``; answer ``{"type", "personen"}`` reduced to ``fields``."""
        query_type = str(query.get("type", ""))
        asked = upstream_fields(query_type, fields)
        body = {k: v for k, v in query.items() if k not in _NOT_IN_BODY}
        # The API requires at least one field; ask the least telling one and drop it below.
        body["fields"] = asked or ["burgerservicenummer"]
        headers = self._proxy_headers(doel, verwerking, gebruiker)
        started = time.perf_counter()
        response = self._post(body, headers)
        answer = self._parse(response)
        personen = [select_fields(p, asked) for p in answer["personen"]]
        # A BRP proxy reports the persoonslijsten it delivered; we log how many, never which.
        geleverd = response.headers.get("x-geleverde-pls")
        log.info(
            "brp haalcentraal %s: %d fields asked, %d personen, %s pls, %.0f ms",
            loggable_type(query_type),
            len(asked),
            len(personen),
            len([p for p in geleverd.split(",") if p.strip()]) if geleverd is not None else "?",
            (time.perf_counter() - started) * 1000,
        )
        return {"type": answer.get("type", query_type), "personen": personen}

    def ping(self) -> None:
        """A light request that proves reachability and credentials without person data.

        ``000000000`` has the right form but fails the 11-proof, so the BRP answers
        200 without looking anyone up.
        """
        body = {
            "type": "RaadpleegMetBurgerservicenummer",
            "burgerservicenummer": ["000000000"],
            "fields": ["burgerservicenummer"],
        }
        self._parse(self._post(body, {}))

    # -- transport --------------------------------------------------------------------------
    def _proxy_headers(
        self, doel: str | None, verwerking: str | None, gebruiker: str | None
    ) -> dict[str, str]:
        names = self._settings.proxy_headers
        headers: dict[str, str] = {}
        for name, value in (
            (names.doelbinding, doel),
            (names.verwerking, verwerking),
            (names.gebruiker, gebruiker),
        ):
            if name and value:
                headers[name] = _header_value(value)
        return headers

    def _post(self, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        response = self._send(body, headers)
        if response.status_code == 401 and isinstance(self._settings.auth, OAuth2Auth):
            # A token revoked or expired early upstream: fetch a new one, once.
            self._forget_token()
            response = self._send(body, headers)
        if response.status_code == 429 or (
            response.status_code == 503 and "Retry-After" in response.headers
        ):
            # Throttled: the core's retry policy waits what the BRP asked (capped), then again.
            raise UpstreamUnavailable(
                "BRP (Haal Centraal) is overbelast; later opnieuw proberen",
                source=SOURCE,
                retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            )
        return response

    def _send(self, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        all_headers = {"Content-Type": JSON, **headers, **self._auth_headers()}
        try:
            return self._http.post(
                self._settings.base_url + "/personen",
                content=json.dumps(body).encode("utf-8"),
                headers=all_headers,
            )
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(
                "BRP (Haal Centraal) antwoordde niet binnen de tijd", source=SOURCE
            ) from exc
        except httpx.TransportError as exc:
            raise UpstreamUnavailable(
                f"BRP (Haal Centraal) niet bereikbaar ({type(exc).__name__})", source=SOURCE
            ) from exc

    # -- authentication ---------------------------------------------------------------------
    def _auth_headers(self) -> dict[str, str]:
        auth = self._settings.auth
        if isinstance(auth, ApiKeyAuth):
            return {auth.header: auth.key.resolve()}
        if isinstance(auth, OAuth2Auth):
            return {"Authorization": f"Bearer {self._access_token(auth)}"}
        return {}

    def _forget_token(self) -> None:
        with self._token_lock:
            self._token = None

    def _access_token(self, auth: OAuth2Auth) -> str:
        with self._token_lock:
            if self._token is not None and self._token[1] > time.monotonic():
                return self._token[0]
            data = {"grant_type": "client_credentials"}
            if auth.scope:
                data["scope"] = auth.scope
            try:
                response = self._http.post(
                    auth.token_url,
                    data=data,
                    auth=(auth.client_id, auth.client_secret.resolve()),
                    headers={"Accept": "application/json"},
                )
            except httpx.TimeoutException as exc:
                raise UpstreamTimeout("OAuth2-tokendienst antwoordde niet", source=SOURCE) from exc
            except httpx.TransportError as exc:
                raise UpstreamUnavailable(
                    "OAuth2-tokendienst niet bereikbaar", source=SOURCE
                ) from exc
            if response.status_code >= 500:
                raise UpstreamUnavailable("OAuth2-tokendienst geeft een fout", source=SOURCE)
            if response.status_code != 200:
                raise UpstreamRejected(
                    f"OAuth2-tokendienst weigert de client (status {response.status_code})",
                    source=SOURCE,
                )
            try:
                payload = response.json()
                token = str(payload["access_token"])
                lifetime = float(payload.get("expires_in", 300))
            except (ValueError, KeyError, TypeError) as exc:
                raise UpstreamUnavailable(
                    "OAuth2-tokendienst gaf een onleesbaar antwoord", source=SOURCE
                ) from exc
            expires = time.monotonic() + max(0.0, lifetime - TOKEN_MARGIN_SECONDS)
            self._token = (token, expires)
            return token

    # -- answers ----------------------------------------------------------------------------
    def _parse(self, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        if status == 200:
            try:
                answer = response.json()
            except ValueError as exc:
                raise UpstreamUnavailable(
                    "BRP (Haal Centraal) gaf een onleesbaar antwoord", source=SOURCE
                ) from exc
            if not isinstance(answer, dict) or not isinstance(answer.get("personen", []), list):
                raise UpstreamUnavailable(
                    "BRP (Haal Centraal) gaf een antwoord zonder personen", source=SOURCE
                )
            answer.setdefault("personen", [])
            return answer
        problem = _problem(response)
        if status == 400:
            name, code = _first_invalid_param(problem)
            raise InvalidRequest(
                scrub(f"BRP weigert het verzoek: parameter {name} ({code})"),
                field=scrub(name),
                code=scrub(code),
            )
        if status in (401, 403):
            raise UpstreamRejected(
                f"BRP (Haal Centraal) weigert de hub (status {status}, "
                f"{scrub(str(problem.get('code', 'onbekend')))[:40]})",
                source=SOURCE,
            )
        if status >= 500 or status == 429:
            raise UpstreamUnavailable(
                f"BRP (Haal Centraal) geeft een fout (status {status})", source=SOURCE
            )
        raise UpstreamRejected(
            f"BRP (Haal Centraal) antwoordde onverwacht (status {status})", source=SOURCE
        )


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _first_invalid_param(problem: Mapping[str, Any]) -> tuple[str, str]:
    params = problem.get("invalidParams")
    if isinstance(params, list) and params and isinstance(params[0], dict):
        first = params[0]
        return str(first.get("name", "onbekend"))[:40], str(first.get("code", "invalid"))[:25]
    return "onbekend", str(problem.get("code", "invalid"))[:25]
