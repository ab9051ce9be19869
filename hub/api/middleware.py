"""Per-request concerns, installed once: the edge (trace id, ``API-Version``, control characters,
body size, BSNs kept out of URLs, unhandled errors, metrics, access log). See :mod:`hub.api.edge`."""

from __future__ import annotations

from fastapi import FastAPI

from hub import __version__
from hub.api.edge import API_VERSION, EdgeMiddleware


def install_middleware(app: FastAPI) -> None:
    app.add_middleware(EdgeMiddleware)


__all__ = ["API_VERSION", "__version__", "install_middleware"]
