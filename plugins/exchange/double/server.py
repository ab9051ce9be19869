"""Start the doubles: in-process on port 0 for tests, or from the command line for ``make demo``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import ThreadingHTTPServer

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
    allow_reuse_address = True


def start(kind: str, kalenders: Kalenders, host: str = "127.0.0.1", port: int = 0) -> RunningDouble:
    """Start one double (``ews`` or ``graph``) in a background thread."""
    tokens = TokenIssuer()
    if kind == "ews":
        handler = ews.make_handler(ews.EwsHandler(kalenders, tokens, BASIC_USER), tokens)
    elif kind == "graph":
        handler = graph.make_handler(graph.GraphApi(kalenders, tokens), tokens)
    else:
        raise ValueError(kind)
    server = _Server((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, name=f"{kind}-double", daemon=True)
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
