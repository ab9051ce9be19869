"""``python -m plugins.exchange.double --port N [--kind both|ews|graph] [--mailboxes 200]``."""

from __future__ import annotations

import argparse
import os

from devkit.doubles import stop_on_signals
from plugins.exchange.double.kalenders import demo_kalenders
from plugins.exchange.double.server import start
from plugins.exchange.double.tokens import TokenIssuer


def main() -> None:
    parser = argparse.ArgumentParser(description="Exchange test double (EWS or Microsoft Graph)")
    parser.add_argument("--port", type=int, default=8085)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--kind", choices=("ews", "graph", "both"), default="both")
    parser.add_argument("--mailboxes", type=int, default=200)
    parser.add_argument("--domein", default="gemeente.test")
    parser.add_argument(
        "--client-secret",
        default=os.environ.get("KCC_DEMO_SECRET", "test-secret"),
        help="secret of the app registration the token endpoint accepts",
    )
    args = parser.parse_args()
    kalenders = demo_kalenders(n=args.mailboxes, domein=args.domein)
    kalenders.elk_adres = True  # any address the demo directory holds gets a calendar
    tokens = TokenIssuer(client_secret=args.client_secret)
    running = start(args.kind, kalenders, args.host, args.port, tokens=tokens)
    print(
        f"Exchange double ({args.kind}) on {running.base_url}: EWS {running.ews_url}, "
        f"Graph {running.base_url}/v1.0, client id {tokens.client_id}",
        flush=True,
    )
    # The signal handler only sets a flag: an Event set from a handler can deadlock.
    stop_on_signals().wait()
    running.server.shutdown()


if __name__ == "__main__":
    main()
