"""Running the API under uvicorn the hub's way: problem+json even for requests the server itself
refuses, and uvicorn's loggers through the scrubbing formatter.

Requests that never reach the application (malformed HTTP, a header block over
the server's limit, such as an oversized token) are answered by the server's
protocol. Its default answer is plain text; :class:`ProblemH11Protocol` answers
with the same ``application/problem+json`` body, trace id and ``API-Version``
header as the application does.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol

from hub.api.edge import API_VERSION
from hub.logging_setup import uvicorn_log_config
from hub.tracing import new_trace_id

log = logging.getLogger("hub.access")

PROTOCOL = "hub.api.server:ProblemH11Protocol"
# How long uvicorn's supervisor (``serve --workers N``) waits for a worker to answer its
# health ping before killing and replacing it. uvicorn's default, 5 s, is shorter than a
# worker's start (importing the app, loading plugins: 2-3 s of CPU, and 15-45 s on a busy
# two-core machine), so workers were killed while starting and restarted in a loop. A hung
# worker is still replaced, after this long.
WORKER_HEALTHCHECK_SECONDS = 60


class ProblemH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a problem+json answer to requests it cannot parse."""

    def send_400_response(self, msg: str) -> None:
        trace_id = new_trace_id()
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Ongeldig verzoek",
                "status": 400,
                "detail": "Het HTTP-verzoek is ongeldig, of de headers (bijvoorbeeld het token) "
                "zijn groter dan de server toestaat.",
                "traceId": trace_id,
            }
        ).encode()
        headers = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
            (b"api-version", API_VERSION.encode()),
            (b"x-trace-id", trace_id.encode()),
            (b"connection", b"close"),
        ]
        log.info("- unparsed 400 (%s)", msg, extra={"trace_id": trace_id, "gemeente": "-"})
        try:
            output = self.conn.send(
                h11.Response(status_code=400, headers=headers, reason=b"Bad Request")
            )
            output += self.conn.send(h11.Data(data=body)) or b""
            output += self.conn.send(h11.EndOfMessage()) or b""
            self.transport.write(output or b"")
        except h11.LocalProtocolError:
            # The connection is past the point of answering (e.g. a response already began).
            pass
        self.transport.close()


def server_config(app: Any, *, host: str, port: int, **options: Any) -> Config:
    """A uvicorn ``Config`` with the hub's protocol and no access log of its own, for a process
    that configured logging itself (:func:`hub.logging_setup.configure_logging`): uvicorn adds
    no handlers, so its loggers propagate to the scrubbing root handler."""
    options.setdefault("log_config", None)
    return Config(app, host=host, port=port, http=PROTOCOL, access_log=False, **options)


def run_options() -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` (``kcc-hub serve``): the hub's protocol, and a
    logging configuration whose only handler scrubs, for the server's own processes."""
    return {
        "http": PROTOCOL,
        "access_log": False,
        "log_config": uvicorn_log_config(),
        "timeout_worker_healthcheck": WORKER_HEALTHCHECK_SECONDS,
    }
