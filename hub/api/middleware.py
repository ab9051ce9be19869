"""Per-request concerns: trace id, ``API-Version`` header, metrics, access log, BSNs kept out of URLs."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response

from hub import __version__
from hub.api.problems import InvalidParam, problem_response
from hub.bsn import is_valid_bsn
from hub.metrics import REQUEST_LATENCY, REQUESTS
from hub.tracing import current_trace_id, new_trace_id, parse_traceparent

log = logging.getLogger("hub.access")

API_VERSION = "1.0.0"
_NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")


def _route_template(request: Request) -> str:
    """The matched route as a template (``/api/v1/gemeenten/{gemeentecode}/…``).

    Rebuilt from the path and the router's path parameters, so concrete ids and
    search terms never become metric labels or log text.
    """
    if request.scope.get("route") is None:
        return "unmatched"
    by_value = {str(v): k for k, v in request.scope.get("path_params", {}).items()}
    segments = [f"{{{by_value[s]}}}" if s in by_value else s for s in request.url.path.split("/")]
    return "/".join(segments)


def _bsn_in_query(request: Request) -> str | None:
    """Name of a query parameter that carries a valid BSN: those belong in a body, never a URL."""
    for key, value in parse_qsl(request.url.query, keep_blank_values=True):
        if any(is_valid_bsn(m) for m in _NINE_DIGITS.findall(value)):
            return key
    return None


def install_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def per_request(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        parent = parse_traceparent(request.headers.get("traceparent"))
        trace_id = parent[0] if parent else new_trace_id()
        request.state.trace_id = trace_id
        request.state.gemeente = "-"
        token = current_trace_id.set(trace_id)
        started = time.perf_counter()
        try:
            leaked = _bsn_in_query(request)
            if leaked is not None:
                response: Response = problem_response(
                    request,
                    400,
                    "Een BSN hoort niet in de URL. Stuur het in de body van een POST-verzoek.",
                    invalid=[InvalidParam(name=leaked, code="bsnInUrl", reason="BSN in URL")],
                )
            else:
                response = await call_next(request)
        finally:
            current_trace_id.reset(token)
        elapsed = time.perf_counter() - started
        route = _route_template(request)
        gemeente = str(request.state.gemeente)
        response.headers["API-Version"] = API_VERSION
        response.headers["X-Trace-Id"] = trace_id
        REQUESTS.labels(route, request.method, str(response.status_code), gemeente).inc()
        REQUEST_LATENCY.labels(route, request.method, gemeente).observe(elapsed)
        # The route template, never the concrete URL: no ids or search terms in the access log.
        log.info(
            "%s %s %s %.1fms",
            request.method,
            route,
            response.status_code,
            elapsed * 1000,
            extra={"trace_id": trace_id, "gemeente": gemeente},
        )
        return response


__all__ = ["API_VERSION", "__version__", "install_middleware"]
