"""Refreshing availability of 1,000 mailboxes: batched automatic replies against one per mailbox.

Runs both backends against their loopback doubles (same synthetic calendars), with a small
injected latency per upstream request so that round trips count as they do in production.
Calls are counted at the doubles. Three ways per backend, measured in the same run:

* ``per-mailbox`` (the baseline): availability batched, automatic replies one request per
  mailbox, as the EWS backend did with ``GetUserOofSettings`` before ``GetMailTips``;
* ``batched-cold``: the plugin as it is, automatic-reply cache empty;
* ``batched-warm``: a later refresh, automatic replies still cached.

Connecting (token, server version, time zone definition) happens once per process and is done
before measuring. The EWS and Graph answers for the same calendars are compared too.

    .venv/bin/python bench/bench_availability.py [--mailboxes 1000] [--latency-ms 5]
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from plugins.exchange.afwezigheidstekst import platte_tekst
from plugins.exchange.agenda import Afwezigheid
from plugins.exchange.backend import beschikbaarheden
from plugins.exchange.config import ExchangeSettings
from plugins.exchange.double import Kalenders, demo_kalenders, serve
from plugins.exchange.ews_client import EwsClient
from plugins.exchange.graph_client import GraphClient, _afwezigheid

SECRET_ENV = "KCC_BENCH_EXCHANGE_SECRET"
WAYS = {
    "per-mailbox": "replies one per mailbox",
    "batched-cold": "batched, first run",
    "batched-warm": "batched, replies cached",
}
AVAILABILITY = ("GetUserAvailability", "getSchedule")


class EwsRepliesPerMailbox(EwsClient):
    """The baseline: GetUserOofSettings for each mailbox, ``afwezigheid_parallel`` at a time."""

    def _afwezigheden(self, emails: Sequence[str]) -> list[Afwezigheid | None]:
        with ThreadPoolExecutor(max_workers=self.settings.afwezigheid_parallel) as pool:
            return list(pool.map(self._settings_of, emails))

    def _settings_of(self, email: str) -> Afwezigheid | None:
        oof = self._call(lambda: self._account(email).oof_settings)
        if oof.state == "Disabled":
            return Afwezigheid(aan=False)
        scheduled = oof.state == "Scheduled"
        return Afwezigheid(
            aan=True,
            van=datetime.fromtimestamp(oof.start.timestamp(), UTC)
            if scheduled and oof.start
            else None,
            tot=datetime.fromtimestamp(oof.end.timestamp(), UTC) if scheduled and oof.end else None,
            bericht=platte_tekst(oof.internal_reply),
        )


class GraphRepliesPerMailbox(GraphClient):
    """The baseline: one mailboxSettings request per mailbox instead of JSON batches."""

    def _afwezigheden(self, emails: Sequence[str]) -> dict[str, Afwezigheid | None]:
        def one(email: str) -> Afwezigheid | None:
            path = self._user(email) + "/mailboxSettings/automaticRepliesSetting"
            return _afwezigheid(self._call("GET", path).json())

        with ThreadPoolExecutor(max_workers=self.settings.afwezigheid_parallel) as pool:
            return dict(zip(emails, pool.map(one, emails), strict=True))


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


def _client(kind: str, way: str, settings: ExchangeSettings) -> EwsClient | GraphClient:
    if kind == "ews":
        return EwsRepliesPerMailbox(settings) if way == "per-mailbox" else EwsClient(settings)
    return GraphRepliesPerMailbox(settings) if way == "per-mailbox" else GraphClient(settings)


def _run(
    kind: str, kalenders: Kalenders, emails: list[str], way: str, nu: datetime
) -> tuple[Counter[str], float, list[object]]:
    van, tot = nu, nu + timedelta(hours=96)
    with serve(kind, kalenders) as double:
        settings = _settings(kind, double.base_url)
        client = _client(kind, way, settings)
        # Connecting, outside the measurement: token, server version, time zone definition.
        client.agendas(["vrij@gemeente.test"], van, van + timedelta(hours=1))
        if way == "batched-warm":
            client.agendas(emails, van, tot)  # the first refresh fills the reply cache
        kalenders.reset_calls()
        started = time.perf_counter()
        answers = beschikbaarheden(client, settings, emails, van, tot, nu=nu)
        elapsed = time.perf_counter() - started
        calls = Counter(c.operation for c in kalenders.aanroepen)
    return calls, elapsed, list(answers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mailboxes", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=5.0)
    args = parser.parse_args()
    os.environ.setdefault(SECRET_ENV, "test-secret")
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")  # loopback doubles speak http
    nu = datetime.now(UTC).replace(microsecond=0)
    # The named afwezig@ mailbox has scheduled automatic replies around now.
    emails = [f"medewerker{i:04d}@gemeente.test" for i in range(args.mailboxes - 1)]
    emails.append("afwezig@gemeente.test")
    print(f"{args.mailboxes} mailboxes, {args.latency_ms:.0f} ms injected latency per request")
    print(f"{'backend':8} {'way':26} {'calls':>6} {'wall s':>7}  per operation")
    answers: dict[str, list[object]] = {}
    summary = []
    for kind in ("ews", "graph"):
        results = {}
        for way, label in WAYS.items():
            kalenders = demo_kalenders(nu, n=args.mailboxes)
            kalenders.fouten.latency = args.latency_ms / 1000
            calls, elapsed, answer = _run(kind, kalenders, emails, way, nu)
            results[way] = (sum(calls.values()), elapsed)
            answers[f"{kind} {way}"] = answer
            print(
                f"{kind:8} {label:26} {sum(calls.values()):6d} {elapsed:7.2f}  "
                + ", ".join(f"{op} {n}" for op, n in sorted(calls.items()))
            )
        base_calls, base_wall = results["per-mailbox"]
        for way in ("batched-cold", "batched-warm"):
            ours_calls, ours_wall = results[way]
            summary.append(
                f"{kind:8} batched/per-mailbox ({way}): calls {ours_calls}/{base_calls} = "
                f"{ours_calls / base_calls:.3f} ({base_calls / ours_calls:.1f}x fewer), "
                f"wall time {base_wall / ours_wall:.1f}x faster"
            )
            summary.append(
                f"summary: batched / per-mailbox calls ({kind}, {way}) = "
                f"{ours_calls / base_calls:.3f} ({ours_calls} / {base_calls} calls)"
            )
    print("\n".join(summary))
    checks = {
        "EWS and Graph answers for the same calendars equal": (
            answers["ews batched-cold"] == answers["graph batched-cold"]
        ),
        "EWS GetMailTips answers equal to GetUserOofSettings per mailbox": (
            answers["ews batched-cold"] == answers["ews per-mailbox"]
        ),
    }
    for check, same in checks.items():
        print(f"{check}: {'yes' if same else 'NO'}")
    if not all(checks.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
