"""``python -m plugins.zaak.double --port 8713``: a ZGW double with demo zaken."""

from __future__ import annotations

import argparse
import os

from plugins.zaak.double.server import ZgwDouble

# Synthetic persons of the BRP double (valid 11-proof BSNs from the 99999 test range), so the
# demo klantbeeld shows zaken for them, and a KvK number.
DEMO_BSNS = ("999993653", "999994529", "999992880")
DEMO_KVK = "69599084"

DEMO_SECRET = "demo-secret-not-for-production-0000000000"  # noqa: S105 - public demo value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8713)
    parser.add_argument("--prefix", default="ZAAK")
    parser.add_argument("--client-id", default="kcc-hub")
    # The demo's config points at ${KCC_DEMO_SECRET}; `kcc-hub demo` sets it for every double.
    parser.add_argument("--secret", default=os.environ.get("KCC_DEMO_SECRET", DEMO_SECRET))
    parser.add_argument("--page-size", type=int, default=20)
    args = parser.parse_args()
    double = ZgwDouble(
        prefix=args.prefix,
        clients={args.client_id: args.secret},
        page_size=args.page_size,
        host=args.host,
        port=args.port,
    )
    for index, bsn in enumerate(DEMO_BSNS):
        double.add_zaken(bsn=bsn, aantal=5 + 10 * index)
    double.add_zaken(kvk=DEMO_KVK, aantal=4)
    print(f"ZGW double {args.prefix}: zaken {double.zaken_url} catalogi {double.catalogi_url}")
    double.serve_forever()


if __name__ == "__main__":
    main()
