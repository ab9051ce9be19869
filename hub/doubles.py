"""Shared parts of the plugins' loopback test doubles (``plugins/<name>/double``).

Plugins never import each other, so what their doubles have in common lives here.
"""

from __future__ import annotations

from typing import Any

from werkzeug.serving import WSGIRequestHandler


class QuietHandler(WSGIRequestHandler):
    """Writes no access lines: upstream URLs (ZGW) and bodies can carry person data, and
    nothing about persons belongs in a log, not even a double's."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return

    def log(self, type: str, message: str, *args: Any) -> None:
        return
