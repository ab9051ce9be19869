"""Who may read ``/metrics``: it lists every connected gemeente and the traffic per route.

With ``[api] metrics_token`` set, a request must carry ``Authorization: Bearer <token>``
(Prometheus' ``authorization`` setting). Without it, only clients on loopback are
answered (a Prometheus or agent on the same host); everyone else gets 403. A
separate bind address is the other way: run the API on an internal interface
only, and keep ``/metrics`` off the public load balancer (docs/operations.md).
"""

from __future__ import annotations

import hmac

from fastapi import Request

from hub.api_settings import ApiSettings
from hub.errors import Forbidden, ServiceUnavailable, Unauthorized
from hub.secrets import SecretResolutionError

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def metrics_access(request: Request, settings: ApiSettings) -> None:
    """Raise Unauthorized/Forbidden unless this request may read the metrics."""
    if settings.metrics_token is None:
        host = request.client.host if request.client else ""
        if host not in LOOPBACK:
            raise Forbidden(
                "/metrics is alleen bereikbaar vanaf deze machine, of met het metrics-token"
            )
        return
    try:
        expected = settings.metrics_token.resolve()
    except SecretResolutionError:
        raise ServiceUnavailable("het metrics-token is niet geconfigureerd") from None
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), expected):
        raise Unauthorized("een geldig metrics-token (Bearer) is verplicht")
