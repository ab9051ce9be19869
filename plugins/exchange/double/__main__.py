"""``python -m plugins.exchange.double --port N [--kind ews|graph] [--mailboxes 200]``."""

from __future__ import annotations

import argparse
import signal
import threading

from plugins.exchange.double.kalenders import demo_kalenders
from plugins.exchange.double.server import start


def main() -> None:
    parser = argparse.ArgumentParser(description="Exchange test double (EWS or Microsoft Graph)")
    parser.add_argument("--port", type=int, default=8085)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--kind", choices=("ews", "graph"), default="ews")
    parser.add_argument("--mailboxes", type=int, default=200)
    parser.add_argument("--domein", default="gemeente.test")
    args = parser.parse_args()
    running = start(args.kind, demo_kalenders(n=args.mailboxes, domein=args.domein), args.host, args.port)
    print(f"{args.kind} double on {running.base_url} (client id kcc-hub-test)", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    running.server.shutdown()


if __name__ == "__main__":
    main()
