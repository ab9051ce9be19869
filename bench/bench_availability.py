"""Refreshing availability of 1,000 mailboxes: batched clients against one call per mailbox.

Runs both backends against their loopback doubles (same synthetic calendars), with a small
injected latency per upstream request so that round trips count as they do in production.
Prints upstream calls and wall time for each way, and the ratios, measured in the same run.

    .venv/bin/python bench/bench_availability.py [--mailboxes 1000] [--latency-ms 5]
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from plugins.exchange.config import ExchangeSettings
from plugins.exchange.double import Kalenders, demo_kalenders, serve
from plugins.exchange.ews_client import EwsClient
from plugins.exchange.graph_client import GraphClient

SECRET_ENV = "KCC_BENCH_EXCHANGE_SECRET"
WAYS = {
    "per-mailbox": "one call per mailbox",
    "batched-cold": "batched, first run",
    "batched-warm": "batched, replies cached",
}


def _settings(kind: str, base_url: str) -> ExchangeSettings:
    oauth2 = {
        "tenant_id": "bench",
        "client_id": "kcc-hub-test",
        "client_secret": "${" + SECRET_ENV + "}",
        "authority": base_url,
    }
    if kind == "ews":
        backend = {"ews": {"service_endpoint": base_url + "/EWS/Exchange.asmx", "oauth2": oauth2}}
    else:
        backend = {"graph": {"base_url": base_url + "/v1.0", "oauth2": oauth2}}
    return ExchangeSettings.model_validate(
        {"backend": kind, "afzender": "kcc@gemeente.test", **backend}
    )


def _client(kind: str, settings: ExchangeSettings) -> EwsClient | GraphClient:
    return EwsClient(settings) if kind == "ews" else GraphClient(settings)


def _run(
    kind: str, kalenders: Kalenders, emails: list[str], way: str
) -> tuple[Counter[str], float]:
    batched = way != "per-mailbox"
    with serve(kind, kalenders) as double:
        settings = _settings(kind, double.base_url)
        client = _client(kind, settings)
        nu = datetime.now(UTC)
        # Warm-up outside the measurement: token, server version, time zone definition.
        client.agendas(["vrij@gemeente.test"], nu, nu + timedelta(hours=1))
        if way == "batched-warm":
            # A periodic refresh after the first: automatic replies still cached.
            client.agendas(emails, nu, nu + timedelta(hours=96))
        kalenders.reset_calls()
        started = time.perf_counter()
        if batched:
            client.agendas(emails, nu, nu + timedelta(hours=96))
        else:
            for email in emails:
                client.agendas([email], nu, nu + timedelta(hours=96))
        elapsed = time.perf_counter() - started
        calls = Counter(c.operation for c in kalenders.aanroepen)
    return calls, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mailboxes", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=5.0)
    args = parser.parse_args()
    os.environ.setdefault(SECRET_ENV, "test-secret")
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")  # loopback doubles speak http
    emails = [f"medewerker{i:04d}@gemeente.test" for i in range(args.mailboxes)]
    print(f"{args.mailboxes} mailboxes, {args.latency_ms:.0f} ms injected latency per request")
    print(
        f"{'backend':8} {'way':28} {'calls':>6} {'availability':>12} {'wall s':>8}  per operation"
    )
    for kind in ("ews", "graph"):
        results = {}
        for way, label in WAYS.items():
            kalenders = demo_kalenders(n=args.mailboxes)
            kalenders.fouten.latency = args.latency_ms / 1000
            calls, elapsed = _run(kind, kalenders, emails, way)
            availability = calls["GetUserAvailability"] + calls["getSchedule"]
            results[way] = (sum(calls.values()), availability, elapsed)
            print(
                f"{kind:8} {label:28} {sum(calls.values()):6d} {availability:12d} "
                f"{elapsed:8.2f}  {dict(calls)}"
            )
        base = results["per-mailbox"]
        for way in ("batched-cold", "batched-warm"):
            ours = results[way]
            print(
                f"{kind:8} ratio one-per-mailbox / {way}: calls {base[0] / ours[0]:.1f}x, "
                f"availability calls {base[1] / ours[1]:.0f}x, wall time {base[2] / ours[2]:.1f}x"
            )


if __name__ == "__main__":
    main()
