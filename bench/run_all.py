"""``make bench``: run every ``bench/bench_*.py``, then print one table of their ratios.

Each bench prints its own report (passed through here as it runs) and, for the table,
lines ``summary: <what> = <ratio> [(detail)]``; the ratios are against baselines measured
in the same run, so they mean something on a shared, noisy machine where absolute times
do not. A bench that cannot run here (no Samba for the live LDAP comparison) is listed
with the reason. The 2/1 API processes ratio comes from the scale-out run
(``make scale-test``), which needs its own cluster of processes.

    .venv/bin/python bench/run_all.py [bench_name ...]
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SUMMARY = re.compile(r"^summary: (?P<what>.+?) = (?P<ratio>[\d.]+x?)(?: \((?P<detail>.*)\))?$")
# Rows the table always has, in this order, with what fills them when no bench did.
EXPECTED = {
    "hub / live LDAP": "bench_directory.py (needs root and Samba)",
    "privacy pipeline overhead / bare upstream call": "bench_privacy.py",
    "batched / per-mailbox calls": "bench_availability.py",
    "directory req/s, 2 workers / 1 worker": "bench_directory_http.py",
    "2 / 1 API processes (scale-out)": "see make scale-test (prints 'ratio 2/1')",
    "CLI start": "bench_cli.py",
}


def machine() -> str:
    cpus = os.cpu_count()
    model = "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else model
    return f"{platform.node()}: {cpus} CPUs ({model}), Python {platform.python_version()}"


def run(script: Path) -> tuple[list[tuple[str, str, str]], str | None]:
    """The bench's summary rows, or why it did not finish."""
    print(f"== {script.name}", flush=True)
    rows: list[tuple[str, str, str]] = []
    process = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=BENCH.parent,
    )
    assert process.stdout is not None
    tail: list[str] = []
    for line in process.stdout:
        print(line, end="", flush=True)
        tail = [*tail[-4:], line.strip()]
        match = SUMMARY.match(line.strip())
        if match:
            rows.append((match["what"], match["ratio"], match["detail"] or ""))
    if process.wait() != 0:
        return rows, f"exit {process.returncode}: {tail[-1] if tail else ''}"[:100]
    return rows, None


def main() -> None:
    wanted = set(sys.argv[1:])
    scripts = sorted(p for p in BENCH.glob("bench_*.py") if not wanted or p.stem in wanted)
    started = time.time()
    rows: list[tuple[str, str, str]] = []
    failures: dict[str, str] = {}
    for script in scripts:
        found, failure = run(script)
        rows.extend(found)
        if failure:
            failures[script.name] = failure
    print()
    print(f"Summary, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}, {machine()}")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"| {'ratio':<64} | {'value':>7} | detail")
    print(f"|{'-' * 66}|{'-' * 9}|-------")
    for what, ratio, detail in rows:
        print(f"| {what:<64} | {ratio:>7} | {detail}")
    covered = " ".join(what for what, _, _ in rows)
    for expected, source in EXPECTED.items():
        if not any(word in covered for word in (expected.split(" (")[0],)):
            bench = source.split(" ")[0]
            reason = failures.get(bench, source)
            print(f"| {expected:<64} | {'-':>7} | {reason}")
    for bench, failure in failures.items():
        print(f"{bench} did not finish: {failure}")


if __name__ == "__main__":
    main()
