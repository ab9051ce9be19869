"""Upstream clients, built by the core once per gemeente × plugin × settings.

A plugin that talks to an upstream implements ``kcc_build_client(ctx)`` (see
:mod:`hub.hookspecs`): it returns one client object holding what is worth keeping between
calls (a connection pool, a token, a cached category list). The core asks for it the first
time a hook of that plugin is called for that gemeente, hands it to every later call as
``ctx.client``, and builds a new one when the settings change (keyed by a fingerprint of
the validated settings), closing the old one. Everything is closed when the process shuts
down. Plugins therefore keep no module-level caches of their own.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

log = logging.getLogger(__name__)

Builder = Callable[[str, str, BaseModel], object | None]


def fingerprint(settings: BaseModel) -> str:
    """A stable digest of validated settings (secret references, never secret values)."""
    return hashlib.sha256(settings.model_dump_json().encode()).hexdigest()


def close_client(client: object) -> None:
    """Close a client if it can be closed; a failing close never stops a reload."""
    close = getattr(client, "close", None)
    if not callable(close):
        return
    try:
        close()
    except Exception as exc:  # a broken pool must not keep the others open
        log.warning("closing a plugin client failed: %s", type(exc).__name__)


class ClientRegistry:
    """The clients of one process, keyed by (gemeente, plugin)."""

    def __init__(self, build: Builder) -> None:
        self._build = build
        self._clients: dict[tuple[str, str], tuple[str, object | None]] = {}
        self._lock = threading.Lock()

    def get(self, gemeente: str, plugin: str, settings: BaseModel) -> Any:
        key = (gemeente, plugin)
        digest = fingerprint(settings)
        with self._lock:
            current = self._clients.get(key)
            if current is not None and current[0] == digest:
                return current[1]
            client = self._build(gemeente, plugin, settings)
            self._clients[key] = (digest, client)
        if current is not None and current[1] is not None:
            close_client(current[1])  # settings changed: the old pool goes
        return client

    def close(self) -> None:
        """Close every client (shutdown, configuration reload)."""
        with self._lock:
            clients = [client for _, client in self._clients.values()]
            self._clients.clear()
        for client in clients:
            if client is not None:
                close_client(client)
