"""``python -m plugins.fixi.double --port 8714``: a Fixi double.

Change a melding's status from outside with
``curl -X POST localhost:8714/_admin/issues/FX-2026-000001/status``
``-H 'Content-Type: application/json' -d '{"status": "Afgehandeld", "closed": true}'``.
"""

from __future__ import annotations

import argparse
import os

from plugins.fixi.double.server import FixiDouble

DEMO_SECRET = "demo-secret-not-for-production-0000000000"  # noqa: S105 - public demo value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8714)
    parser.add_argument("--client-id", default="kcc-hub")
    # The demo's config points at ${KCC_DEMO_SECRET}; `kcc-hub demo` sets it for every double.
    parser.add_argument("--secret", default=os.environ.get("KCC_DEMO_SECRET", DEMO_SECRET))
    args = parser.parse_args()
    double = FixiDouble(clients={args.client_id: args.secret}, host=args.host, port=args.port)
    print(f"Fixi double: {double.base_url}")
    double.serve_forever()


if __name__ == "__main__":
    main()
