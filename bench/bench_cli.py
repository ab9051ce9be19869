"""CLI start: ``kcc-hub --help`` and other light commands against a bare interpreter start.

Each command runs ``--runs`` times as a fresh process; printed are the median wall time and
the median CPU time (user + system of the child, which a busy machine inflates far less
than wall time), and the ratio to ``python -c pass``, the floor any Python CLI has.
``-X importtime`` (``python -X importtime -m hub --help``) shows what a slow one imports.

    .venv/bin/python bench/bench_cli.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KCC_HUB = str(REPO / ".venv" / "bin" / "kcc-hub")
COMMANDS = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "kcc-hub --help": [KCC_HUB, "--help"],
    "kcc-hub serve --help": [KCC_HUB, "serve", "--help"],
    "kcc-hub logboek --help": [KCC_HUB, "logboek", "--help"],
    "import hub.api.app (an API worker's start)": [sys.executable, "-c", "import hub.api.app"],
}


def measure(command: list[str], runs: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{args.runs} runs each; load {os.getloadavg()}")
    print(f"{'command':<46} {'wall s':>7} {'CPU s':>7} {'CPU / baseline':>15}")
    base_cpu = 0.0
    help_cpu = help_wall = 0.0
    for name, command in COMMANDS.items():
        wall, cpu = measure(command, args.runs)
        base_cpu = base_cpu or cpu
        if name == "kcc-hub --help":
            help_cpu, help_wall = cpu, wall
        print(f"{name:<46} {wall:7.2f} {cpu:7.2f} {cpu / base_cpu:14.1f}x")
    print(
        f"summary: CLI start, kcc-hub --help / python -c pass (CPU) = {help_cpu / base_cpu:.1f} "
        f"(--help {help_cpu:.2f} s CPU, {help_wall:.2f} s wall)"
    )


if __name__ == "__main__":
    main()
