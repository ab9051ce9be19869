"""The runtime a worker uses: built lazily from the environment, or installed by the caller."""

from __future__ import annotations

import threading

from hub.runtime import Runtime

_runtime: Runtime | None = None
_lock = threading.Lock()


def install_runtime(runtime: Runtime | None) -> None:
    global _runtime
    with _lock:
        _runtime = runtime


def job_runtime() -> Runtime:
    global _runtime
    with _lock:
        if _runtime is None:
            _runtime = Runtime.build()
        return _runtime


def close_runtime() -> None:
    """Close the plugins' clients (connection pools) of a runtime built here, if one was."""
    global _runtime
    with _lock:
        runtime, _runtime = _runtime, None
    if runtime is not None:
        runtime.close()
