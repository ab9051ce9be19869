"""Klantbeeld latency against its slowest source, with injected delays, as ratios in one run.

Real brp, zaak and fixi plugins over their loopback doubles (spec checks on), SQLite store:

* baseline: a klantbeeld with no injected delay (the hub's own cost);
* three sources delayed 100, 200 and 300 ms (BRP, zaaksysteem A, zaaksysteem B): the total
  minus the baseline, divided by the slowest delay (300 ms) — at most about 1 when the
  sources are asked concurrently (less when a delay overlaps the section's own work), about
  2 (600/300) when one after the other;
* one source (zaaksysteem A) delayed 3 s past a zaken deadline of 1 s: the total against
  that deadline — the answer should come within deadline + 50 ms.

Usage: ``python bench/bench_klantbeeld.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fastapi.testclient import TestClient  # noqa: E402

from hub.api.app import create_app  # noqa: E402
from hub.auth import issue_dev_token  # noqa: E402
from hub.runtime import Runtime  # noqa: E402
from hub.store.migrate import upgrade  # noqa: E402
from hub.tenants import AuthSettings  # noqa: E402
from plugins.brp.double import run_haalcentraal_double  # noqa: E402
from plugins.fixi.double import run_fixi_double  # noqa: E402
from plugins.zaak.double import run_zgw_double  # noqa: E402

BSN = "999993653"
SECRET = "geheim-van-het-zaaksysteem-0123456789abcdef"
ZOEKEN = "/zaken/api/v1/zaken"


def _bron(naam: str, zgw: object) -> str:
    return (
        "[[plugins.zaak.bronnen]]\n"
        f'naam = "{naam}"\n'
        f'zaken_url = "{zgw.zaken_url}"\n'  # type: ignore[attr-defined]
        f'catalogi_urls = ["{zgw.catalogi_url}"]\n'  # type: ignore[attr-defined]
        'client_id = "kcc-hub"\nsecret = "${ZGW_SECRET}"\nmax_attempts = 1\n'
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ.update(
        KCC_HUB_DEV_KEY="bench-klantbeeld-dev-key-" + "k" * 40,
        KCC_HUB_LOAD_PLUGINS="brp,zaak,fixi",
        ZGW_SECRET=SECRET,
        FIXI_SECRET="fixi-bench-geheim-0123456789abcdef",
        KCC_LOGBOEK_HMAC_SLEUTEL=base64.b64encode(b"h" * 32).decode(),
        KCC_LOGBOEK_ENCRYPTIE_SLEUTEL=base64.b64encode(b"e" * 32).decode(),
    )
    tmp = Path(tempfile.mkdtemp(prefix="bench-klantbeeld-"))
    with (
        run_haalcentraal_double() as brp,
        run_zgw_double(prefix="A", clients={"kcc-hub": SECRET}) as zgw_a,
        run_zgw_double(prefix="B", clients={"kcc-hub": SECRET}) as zgw_b,
        run_fixi_double(clients={"kcc-hub": os.environ["FIXI_SECRET"]}) as fixi,
    ):
        zgw_a.add_zaken(bsn=BSN, aantal=3)
        zgw_b.add_zaken(bsn=BSN, aantal=2)
        (tmp / "config" / "gemeenten").mkdir(parents=True)
        shutil.copy(REPO / "config" / "hub.toml", tmp / "config" / "hub.toml")
        (tmp / "config" / "gemeenten" / "9999.toml").write_text(
            'naam = "Voorbeeldstad"\n[plugins.brp]\nbackend = "haalcentraal"\n'
            f'[plugins.brp.haalcentraal]\nbase_url = "{brp.base_url}"\n'
            + _bron("A", zgw_a)
            + _bron("B", zgw_b)
            + f'[plugins.fixi]\nbase_url = "{fixi.base_url}"\nclient_id = "kcc-hub"\n'
            'client_secret = "${FIXI_SECRET}"\n'
            '[[doelen]]\ncode = "kcc-identificatie"\nomschrijving = "Wie belt er"\n'
            'verwerkingsactiviteit = "https://register.example/kcc-1"\n'
            'rollen = ["kcc-medewerker", "backoffice"]\n'
            "[klantbeeld.deadlines_ms]\npersoon = 2000\nzaken = 2000\n",
            encoding="utf-8",
        )
        url = f"sqlite:///{tmp / 'hub.sqlite3'}"
        upgrade(url)
        runtime = Runtime.build(config_dir=tmp / "config", database_url=url)
        token = issue_dev_token(
            AuthSettings.model_validate({"dev_key": "${KCC_HUB_DEV_KEY}"}),
            subject="bench",
            gemeenten=["9999"],
            roles=["kcc-medewerker"],
        )
        headers = {"Authorization": f"Bearer {token}"}
        body = {"bsn": BSN, "doel": "kcc-identificatie"}
        with TestClient(create_app(runtime)) as client:

            def timed() -> float:
                started = time.perf_counter()
                response = client.post(
                    "/api/v1/gemeenten/9999/klantbeeld", json=body, headers=headers
                )
                assert response.status_code == 200, response.text
                return (time.perf_counter() - started) * 1000

            timed()  # warm up: imports, catalogue cache, connections
            base = statistics.median(timed() for _ in range(args.runs))
            brp.faults.latency = 0.1
            zgw_a.faults.only_path = zgw_b.faults.only_path = ZOEKEN
            zgw_a.faults.latency, zgw_b.faults.latency = 0.2, 0.3
            delayed = statistics.median(timed() for _ in range(args.runs))
            ratio = (delayed - base) / 300
            print(f"baseline (no delay)            p50 {base:7.1f} ms")
            print(f"delays 100/200/300 ms           p50 {delayed:7.1f} ms")
            print(f"  extra / slowest (300 ms)      ratio {ratio:.2f} (concurrent ≤ ~1, serial ~2)")
            brp.faults.latency = zgw_b.faults.latency = 0.0
            zgw_a.faults.latency = 3.0
            runtime.tenants.gemeenten["9999"].klantbeeld.deadlines_ms.zaken = 1000
            late = statistics.median(timed() for _ in range(args.runs))
            print(f"zaken 3 s late, deadline 1 s    p50 {late:7.1f} ms")
            print(f"  over the deadline             {late - 1000:+.1f} ms (goal ≤ +50 ms)")
            # Let the abandoned zaken calls finish before the doubles stop.
            time.sleep(3.5)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
