"""Start the doubles: in-process on port 0 for tests, or from the command line for ``make demo``."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from plugins.exchange.double import ews, graph
from plugins.exchange.double.kalenders import Kalenders, demo_kalenders
from plugins.exchange.double.tokens import TokenIssuer

BASIC_USER = ("GEMEENTE\\svc-kcc", "test-password")


@dataclass
class RunningDouble:
    base_url: str
    port: int
    kalenders: Kalenders
    tokens: TokenIssuer
    server: ThreadingHTTPServer

    @property
    def ews_url(self) -> str:
        return f"{self.base_url}/EWS/Exchange.asmx"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


def _combined(
    ews_handler: type[BaseHTTPRequestHandler], graph_handler: type[BaseHTTPRequestHandler]
) -> type[BaseHTTPRequestHandler]:
    """EWS under /EWS/Exchange.asmx and Graph everywhere else, on one port (``make demo``)."""

    class Handler(ews_handler, graph_handler):  # type: ignore[valid-type,misc]
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            if self.path.lower().startswith("/ews/"):
                ews_handler.do_POST(self)  # type: ignore[attr-defined]
            else:
                graph_handler.do_POST(self)  # type: ignore[attr-defined]

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            graph_handler.do_GET(self)  # type: ignore[attr-defined]

    return Handler


SENT_ITEMS_PATH = "/_double/verzonden"


def _with_sent_items(
    handler: type[BaseHTTPRequestHandler], kalenders: Kalenders
) -> type[BaseHTTPRequestHandler]:
    """Add ``GET /_double/verzonden``: every mail the double accepted, newest last, as JSON.

    Not part of EWS or Graph: a window for people trying the demo (``make demo``, then
    ``curl http://127.0.0.1:8711/_double/verzonden``) and for tests, like a mail catcher's.
    """

    class Handler(handler):  # type: ignore[valid-type,misc]
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if self.path.split("?", 1)[0] != SENT_ITEMS_PATH:
                served = getattr(super(), "do_GET", None)
                if served is None:
                    self.send_error(501, "Unsupported method ('GET')")
                else:
                    served()
                return
            payload = json.dumps(
                {
                    "verzonden": [
                        {
                            "id": mail.id,
                            "afzender": mail.sender,
                            "aan": list(mail.to),
                            "onderwerp": mail.subject,
                            "tekst": mail.body,
                            "notificatieId": mail.notification_id,
                        }
                        for mail in list(kalenders.verzonden)
                    ]
                },
                ensure_ascii=False,
                indent=2,
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def start(
    kind: str,
    kalenders: Kalenders,
    host: str = "127.0.0.1",
    port: int = 0,
    tokens: TokenIssuer | None = None,
) -> RunningDouble:
    """Start a double (``ews``, ``graph`` or ``both`` on one port) in a background thread."""
    tokens = tokens or TokenIssuer()
    ews_handler = ews.make_handler(ews.EwsHandler(kalenders, tokens, BASIC_USER), tokens)
    graph_handler = graph.make_handler(graph.GraphApi(kalenders, tokens), tokens)
    if kind == "ews":
        handler = ews_handler
    elif kind == "graph":
        handler = graph_handler
    elif kind == "both":
        handler = _combined(ews_handler, graph_handler)
    else:
        raise ValueError(kind)
    server = _Server((host, port), _with_sent_items(handler, kalenders))
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"{kind}-double",
        daemon=True,
    )
    thread.start()
    bound = server.server_address[1]
    return RunningDouble(f"http://{host}:{bound}", int(bound), kalenders, tokens, server)


@contextmanager
def serve(kind: str, kalenders: Kalenders | None = None) -> Iterator[RunningDouble]:
    """Run a double for the duration of a ``with`` block."""
    running = start(kind, kalenders if kalenders is not None else demo_kalenders())
    try:
        yield running
    finally:
        running.server.shutdown()
        running.server.server_close()
