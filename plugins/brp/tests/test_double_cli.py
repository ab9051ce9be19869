"""``python -m plugins.brp.double`` (used by ``make demo``) starts both doubles and answers."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[3]


def test_the_module_serves_both_doubles_until_terminated() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "plugins.brp.double", "--port", "0", "--stufbg-port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first, second = process.stdout.readline(), process.stdout.readline()
        base_url = re.search(r"base_url = (\S+)", first)
        endpoint = re.search(r"endpoint = (\S+)", second)
        assert base_url and endpoint, (first, second)
        response = httpx.post(
            base_url.group(1) + "/personen",
            content=json.dumps(
                {"type": "RaadpleegMetBurgerservicenummer", "burgerservicenummer": ["999993653"],
                 "fields": ["naam.geslachtsnaam"]}
            ),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )  # fmt: skip
        assert response.json()["personen"] == [{"naam": {"geslachtsnaam": "Jansen"}}]
        assert httpx.get(endpoint.group(1)).status_code == 404  # only POST is a question
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
