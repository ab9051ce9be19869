"""``python -m plugins.openklant.double --port 8723``: an Open Klant double.

``--kiss-contactverzoeken N`` seeds N contactverzoeken as KISS writes them (internetaken
"created elsewhere"), for a demo of the hub picking them up. While it runs:
``curl -X POST localhost:8723/_admin/kiss-contactverzoeken -H 'Content-Type: application/json'
-d '{"onderwerp": "Vraag over parkeren"}'`` seeds one more, and
``curl localhost:8723/_admin/opgeslagen`` shows everything stored.
"""

from __future__ import annotations

import argparse
import os

from devkit.doubles import stop_on_signals
from plugins.openklant.double.server import DEFAULT_TOKEN, OpenKlantDouble


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8723)
    # The demo's config points at ${KCC_DEMO_SECRET}; `kcc-hub demo` sets it for every double.
    parser.add_argument("--token", default=os.environ.get("KCC_DEMO_SECRET", DEFAULT_TOKEN))
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--kiss-contactverzoeken", type=int, default=0)
    args = parser.parse_args()
    double = OpenKlantDouble(
        tokens=[args.token], page_size=args.page_size, host=args.host, port=args.port
    )
    for _ in range(args.kiss_contactverzoeken):
        double.seed_contactverzoek()
    print(f"Open Klant double: {double.api_url}", flush=True)
    double.start()
    # The signal handler only sets a flag: an Event set from a handler can deadlock.
    stop_on_signals().wait()
    double.stop()


if __name__ == "__main__":
    main()
