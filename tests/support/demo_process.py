"""``kcc-hub demo`` as a subprocess for tests: started in its own working directory, ready
when it prints "Press Ctrl+C to stop.", stopped with SIGTERM. Tests that use it take the
fixed double ports (8711-8723), so run them under ``flock /tmp/kcc-demo.lock``."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
READY = "Press Ctrl+C to stop."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo_environment() -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
        "KCC_HUB_CONFIG": str(REPO / "config"),
        "PYTHONPATH": str(REPO),
        "KCC_HUB_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


@dataclass
class DemoProcess:
    proc: subprocess.Popen[bytes]
    workdir: Path
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.workdir / "demo.log"

    @property
    def env_file(self) -> Path:
        return self.workdir / "var" / "demo.env"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, seconds: float = 180) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.proc.poll() is None:
            if READY in self.output():
                return
            time.sleep(0.2)
        raise AssertionError(f"the demo did not get ready:\n{self.output()[-3000:]}")

    def stop(self, sig: int = signal.SIGTERM, seconds: float = 30) -> float:
        """Send ``sig``; return how long the whole process group took to exit."""
        started = time.monotonic()
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            return float("inf")
        return time.monotonic() - started

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def start_demo(workdir: Path, port: int | None = None, *args: str) -> DemoProcess:
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    with (workdir / "demo.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hub", "demo", "--port", str(port), *args],
            cwd=workdir,
            env=demo_environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return DemoProcess(proc=proc, workdir=workdir, port=port)


@contextmanager
def running_demo(workdir: Path, port: int | None = None) -> Iterator[DemoProcess]:
    demo = start_demo(workdir, port)
    try:
        demo.wait_ready()
        yield demo
    finally:
        if demo.proc.poll() is None:
            demo.stop()
        demo.kill()
