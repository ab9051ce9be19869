"""The one HTTP transport of HTTP plugins: URLs, TLS, timeouts and the transient/permanent line.

Every HTTP plugin (Haal Centraal BRP, ZGW zaken, Fixi, Open Klant, Microsoft Graph) builds
its ``httpx.Client`` here and sends through :func:`send`, so that they all agree on:

* **https only.** A plain ``http://`` URL is a configuration error unless the host is a
  loopback address (test doubles, the demo, a sidecar proxy on the same machine): BSNs,
  tokens and callers' contact details never cross a network unencrypted. Use
  :data:`UpstreamUrl` as the pydantic type of every base URL.
* **TLS and mutual TLS** from :class:`TlsSettings` (CA bundle, client certificate and key).
* **Timeouts** on connect, read, write and pool.
* **One classification.** A transport error, a timeout, HTTP 429 and HTTP 5xx are transient:
  :func:`send` raises :class:`~hub.errors.UpstreamUnavailable` (or ``UpstreamTimeout``) with
  the upstream's ``Retry-After`` in ``retry_after``; the core's retry policy and circuit
  breaker take it from there. Every other answer is returned for the plugin to map (401/403
  → ``UpstreamRejected``, 404 → ``NotFound``, 400/409/413/422 → ``UpstreamRefusedContent``).

No retry happens here: retries belong to the core (:mod:`hub.retrying`).
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, model_validator

from hub.errors import UpstreamTimeout, UpstreamUnavailable
from hub.retry_after import retry_after_seconds
from hub.secrets import Secret

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
TRANSIENT_STATUS = frozenset({429, 500, 502, 503, 504})


def is_loopback(host: str | None) -> bool:
    return host is not None and (host in LOOPBACK_HOSTS or host.startswith("127."))


def require_https(value: str) -> str:
    """``value`` if it is an absolute https URL, or http on a loopback host; else ValueError."""
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an absolute http(s) URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError("use https: plain http is only allowed on loopback")
    return value


def _https_url(value: HttpUrl) -> HttpUrl:
    require_https(str(value))
    return value


# The type of every upstream base URL in a plugin's settings.
UpstreamUrl = Annotated[HttpUrl, AfterValidator(_https_url)]


class TlsSettings(BaseModel):
    """Server verification and mutual TLS (a PKIoverheid client certificate in production)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    client_certificate: Path | None = Field(
        default=None, description="PEM file with the client certificate (and its chain)."
    )
    client_key: Path | None = Field(default=None, description="PEM file with the private key.")
    client_key_password: Secret | None = None
    ca_bundle: Path | None = Field(
        default=None,
        description="PEM file with the CAs that may sign the server certificate "
        "(e.g. the PKIoverheid roots); default: the system trust store.",
    )

    @model_validator(mode="after")
    def _pair(self) -> TlsSettings:
        if (self.client_certificate is None) != (self.client_key is None):
            raise ValueError("client_certificate and client_key go together")
        if self.client_key_password is not None and self.client_key is None:
            raise ValueError("client_key_password needs client_key")
        return self


def ssl_context(tls: TlsSettings) -> ssl.SSLContext:
    """A TLS 1.2+ client context: the configured CA bundle (or system store), client cert if any."""
    context = ssl.create_default_context(cafile=str(tls.ca_bundle) if tls.ca_bundle else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if tls.client_certificate is not None and tls.client_key is not None:
        password = tls.client_key_password.resolve() if tls.client_key_password else None
        context.load_cert_chain(str(tls.client_certificate), str(tls.client_key), password)
    return context


def new_http_client(
    *,
    timeout_seconds: float,
    tls: TlsSettings | None = None,
    headers: dict[str, str] | None = None,
    max_connections: int | None = None,
    base_url: str = "",
) -> httpx.Client:
    """A connection pool for one upstream of one gemeente. Redirects are not followed: a token
    must never travel to a host the configuration did not name."""
    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(timeout_seconds),
        verify=ssl_context(tls) if tls is not None else True,
        headers={"Accept": "application/json", **(headers or {})},
        follow_redirects=False,
        limits=httpx.Limits(max_connections=max_connections),
    )


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    upstream: str,
    source: str | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """One request; transient failures raised as ``UpstreamUnavailable``/``UpstreamTimeout``.

    ``upstream`` names the system in messages ("Fixi", "Zaaksysteem Open Zaak"). Transport
    errors are never chained: their text may hold the URL, which may hold a BSN.
    """
    try:
        response = client.request(method, url, **kwargs)
    except httpx.TimeoutException:
        seconds = client.timeout.read
        within = f" binnen {seconds:g} s" if seconds is not None else " op tijd"
        raise UpstreamTimeout(f"{upstream} reageerde niet{within}", source=source) from None
    except httpx.TransportError as exc:
        raise UpstreamUnavailable(f"{upstream} is niet bereikbaar: {type(exc).__name__}") from None
    raise_for_transient(response, upstream=upstream)
    return response


def raise_for_transient(
    response: httpx.Response, *, upstream: str, source: str | None = None
) -> None:
    """Raise ``UpstreamUnavailable`` carrying ``Retry-After`` for 429 and 5xx answers."""
    status = response.status_code
    if status in TRANSIENT_STATUS or status >= 500:
        raise UpstreamUnavailable(
            f"{upstream} is niet bereikbaar: HTTP {status}",
            source=source,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
