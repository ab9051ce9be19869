"""The edge of the API: what every request passes before any route or model sees it.

One ASGI middleware, outermost of the hub's own, so it holds for every route,
every model and every parameter alike:

* **Trace id.** The caller's ``traceparent`` is adopted only when valid and free
  of BSNs (:func:`hub.tracing.parse_traceparent`), otherwise a fresh id is made;
  every answer carries it in ``X-Trace-Id`` (and ``API-Version``).
* **Control characters.** A NUL or another control character in the path, a
  query parameter, a header or any string of a JSON body (keys included) is a
  400 problem naming the place. Tab, line feed and carriage return are allowed
  inside body strings only (free text); lone surrogates never.
* **Size.** A body over ``[api] max_request_bytes`` is a 413 problem, before it is
  read in full.
* **BSNs in URLs.** A query parameter carrying a valid BSN is a 400 problem: BSNs
  travel in bodies.
* **Unhandled errors.** Answered here with a 500 problem whose ``traceId`` is the
  header's, logged as exactly one line (with the request's route, status and
  time), and never re-raised: the server keeps the connection alive and logs
  nothing of its own.
* **Access log and metrics.** One line per request with the route template, never
  the concrete URL.
"""

from __future__ import annotations

import json
import logging
import time
import unicodedata
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import MutableHeaders
from starlette.requests import Request

from hub.api.problems import InvalidParam, problem_response
from hub.api_settings import DEFAULT_MAX_REQUEST_BYTES
from hub.errors import UNKNOWN_NAME, safe_name
from hub.metrics import REQUEST_LATENCY, REQUESTS
from hub.scrub import carries_bsn
from hub.tracing import current_trace_id, new_trace_id, parse_traceparent, safe_traceparent

log = logging.getLogger("hub.access")

API_VERSION = "1.0.0"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_FREE_TEXT_CONTROLS = frozenset("\t\n\r")
# The server refuses larger header blocks only when they arrive in pieces; this holds always.
MAX_HEADER_BYTES = 16 * 1024


def has_control_character(value: str, *, free_text: bool = False) -> bool:
    """Control characters (C0, DEL, C1) and lone surrogates; ``free_text`` allows tab and
    line breaks. PostgreSQL refuses NUL in text and no upstream wants the others."""
    if value.isprintable():
        # Nearly every header and path: one pass in C instead of one call per character
        # (a bearer token is a thousand characters; this was 3% of a cached search).
        return False
    for ch in value:
        if ch.isprintable() or ch == " ":
            continue
        category = unicodedata.category(ch)
        if category == "Cs" or (category == "Cc" and not (free_text and ch in _FREE_TEXT_CONTROLS)):
            return True
    return False


def _route_template(scope: Scope) -> str:
    """The matched route as a template (``/api/v1/gemeenten/{gemeentecode}/…``).

    Rebuilt from the path and the router's path parameters, so concrete ids and
    search terms never become metric labels or log text.
    """
    if scope.get("route") is None:
        return "unmatched"
    by_value = {str(v): k for k, v in scope.get("path_params", {}).items()}
    segments = [f"{{{by_value[s]}}}" if s in by_value else s for s in scope["path"].split("/")]
    return "/".join(segments)


class _Refusal(Exception):
    def __init__(self, status: int, detail: str, invalid: list[InvalidParam] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.invalid = invalid


def _control(name: str) -> _Refusal:
    return _Refusal(
        400,
        "Het verzoek bevat een stuurteken (bijvoorbeeld NUL); dat is nergens toegestaan.",
        [
            InvalidParam(
                name=safe_name(name) or UNKNOWN_NAME,
                code="controlCharacter",
                reason="Dit veld bevat een stuurteken; dat is niet toegestaan.",
            )
        ],
    )


def _check_url_and_headers(scope: Scope) -> None:
    if has_control_character(scope["path"]):
        raise _control("(pad)")
    query = scope.get("query_string", b"").decode("latin-1")
    for key, value in parse_qsl(query, keep_blank_values=True):
        if has_control_character(key) or has_control_character(value):
            raise _control(key)
        if carries_bsn(value):
            raise _Refusal(
                400,
                "Een BSN hoort niet in de URL. Stuur het in de body van een POST-verzoek.",
                [
                    InvalidParam(
                        name=safe_name(key) or UNKNOWN_NAME, code="bsnInUrl", reason="BSN in URL"
                    )
                ],
            )
    headers = scope.get("headers", [])
    if sum(len(n) + len(v) for n, v in headers) > MAX_HEADER_BYTES:
        raise _Refusal(
            431,
            f"De headers van het verzoek (bijvoorbeeld het token) zijn samen groter dan "
            f"{MAX_HEADER_BYTES} bytes.",
        )
    for raw_name, raw_value in headers:
        value = raw_value.decode("latin-1")
        if has_control_character(value.replace("\t", " ")):
            raise _control(raw_name.decode("latin-1").title())


def _walk_json(document: Any) -> None:
    # Iterative: a deeply nested document must not exhaust the stack here.
    pending: list[tuple[Any, str]] = [(document, "")]
    while pending:
        value, path = pending.pop()
        if isinstance(value, str):
            if has_control_character(value, free_text=True):
                raise _control(path or "body")
        elif isinstance(value, dict):
            for key, child in value.items():
                if has_control_character(key):
                    raise _control(f"{path}.{UNKNOWN_NAME}" if path else UNKNOWN_NAME)
                pending.append((child, f"{path}.{key}" if path else key))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                pending.append((child, f"{path}.{index}" if path else str(index)))


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _read_body(scope: Scope, receive: Receive, limit: int) -> tuple[bytes, list[Message]]:
    """The whole body (at most ``limit`` bytes) and the messages to replay to the app."""
    declared = _content_length(scope)
    if declared is not None and declared > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            # A disconnect: hand it on, the app notices.
            return b"".join(chunks), [message]
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, [{"type": "http.request", "body": body, "more_body": False}]


def _too_large(limit: int) -> _Refusal:
    return _Refusal(413, f"De body van het verzoek is groter dan {limit} bytes.")


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


class EdgeMiddleware:
    """See the module docstring. ``max_request_bytes`` is read from the app's runtime
    (``[api] max_request_bytes`` in ``config/hub.toml``) on each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def _limit(self, scope: Scope) -> int:
        runtime = getattr(getattr(scope.get("app"), "state", None), "runtime", None)
        api = getattr(getattr(getattr(runtime, "tenants", None), "hub", None), "api", None)
        return int(getattr(api, "max_request_bytes", DEFAULT_MAX_REQUEST_BYTES))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_parent = None
        for name, value in scope.get("headers", []):
            if name == b"traceparent":
                raw_parent = value.decode("latin-1")
        parent = parse_traceparent(raw_parent)
        trace_id = parent[0] if parent else new_trace_id()
        state = scope.setdefault("state", {})
        state["trace_id"] = trace_id
        state["traceparent"] = safe_traceparent(raw_parent)
        state["gemeente"] = "-"
        status = {"code": 500, "started": False}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["API-Version"] = API_VERSION
                headers["X-Trace-Id"] = trace_id
                status["code"] = int(message["status"])
                status["started"] = True
            await send(message)

        token = current_trace_id.set(trace_id)
        started = time.perf_counter()
        failure: BaseException | None = None
        try:
            try:
                _check_url_and_headers(scope)
                if scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
                    body, messages = await _read_body(scope, receive, self._limit(scope))
                    if body:
                        try:
                            document = json.loads(body)
                        except (ValueError, RecursionError):
                            # Not JSON: the route's own validation names the problem.
                            document = None
                        _walk_json(document)
                    receive = _replay(messages, receive)
            except _Refusal as refusal:
                response = problem_response(
                    Request(scope), refusal.status, refusal.detail, invalid=refusal.invalid
                )
                await response(scope, receive, send_with_headers)
            else:
                await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            failure = exc
            if not status["started"]:
                response = problem_response(
                    Request(scope),
                    500,
                    "Er ging iets mis in de hub. Meld het trace id aan de beheerder.",
                )
                await response(scope, receive, send_with_headers)
        finally:
            current_trace_id.reset(token)
        self._account(scope, trace_id, status["code"], time.perf_counter() - started, failure)

    @staticmethod
    def _account(
        scope: Scope, trace_id: str, status: int, elapsed: float, failure: BaseException | None
    ) -> None:
        route = _route_template(scope)
        method = scope["method"]
        gemeente = str(scope.get("state", {}).get("gemeente", "-"))
        REQUESTS.labels(route, method, str(status), gemeente).inc()
        REQUEST_LATENCY.labels(route, method, gemeente).observe(elapsed)
        extra = {"trace_id": trace_id, "gemeente": gemeente}
        if failure is not None:
            # One line for the failed request: the access fields and the (scrubbed) traceback.
            log.error(
                "%s %s %s %.1fms unhandled %s",
                method,
                route,
                status,
                elapsed * 1000,
                type(failure).__name__,
                exc_info=failure,
                extra=extra,
            )
            return
        # The route template, never the concrete URL: no ids or search terms in the access log.
        log.info("%s %s %s %.1fms", method, route, status, elapsed * 1000, extra=extra)
