"""Run the BRP doubles for ``make demo``.

    python -m plugins.brp.double --port 8091                     # Haal Centraal only
    python -m plugins.brp.double --port 8091 --stufbg-port 8092  # and the StUF-BG responder
    python -m plugins.brp.double --port 8091 --auth apikey       # key from BRP_DOUBLE_API_KEY

Serves the synthetic persons (demo person BSN 999993653) on 127.0.0.1 until Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import sys

from devkit.doubles import stop_on_signals
from plugins.brp.double.haalcentraal import Auth, HaalCentraalDouble
from plugins.brp.double.stufbg import StufBgDouble


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m plugins.brp.double", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091, help="Haal Centraal port (0: any)")
    parser.add_argument("--stufbg-port", type=int, default=None, help="also run StUF-BG here")
    parser.add_argument("--auth", choices=("none", "apikey", "oauth2"), default="none")
    args = parser.parse_args(argv)

    auth = Auth(mode=args.auth)
    auth.api_key = os.environ.get("BRP_DOUBLE_API_KEY", auth.api_key)
    auth.client_secret = os.environ.get("BRP_DOUBLE_CLIENT_SECRET", auth.client_secret)
    doubles: list[HaalCentraalDouble | StufBgDouble] = [
        HaalCentraalDouble(host=args.host, port=args.port, auth=auth).start()
    ]
    hc = doubles[0]
    assert isinstance(hc, HaalCentraalDouble)
    print(f"Haal Centraal BRP double: base_url = {hc.base_url}", flush=True)
    if args.auth == "oauth2":
        print(f"  OAuth2 token_url = {hc.token_url}, client_id = {auth.client_id}", flush=True)
    if args.stufbg_port is not None:
        stuf = StufBgDouble(host=args.host, port=args.stufbg_port).start()
        doubles.append(stuf)
        print(f"StUF-BG 0204 double: endpoint = {stuf.endpoint}", flush=True)

    # The signal handler only sets a flag: an Event set from a handler can deadlock.
    stop_on_signals().wait()
    for double in doubles:
        double.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
