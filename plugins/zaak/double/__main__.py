"""``python -m plugins.zaak.double --port 8701``: a ZGW double with demo zaken."""

from __future__ import annotations

import argparse

from plugins.zaak.double.server import ZgwDouble

# Synthetic persons (valid 11-proof BSNs from the RvIG test range) and a KvK number.
DEMO_BSNS = ("999993653", "999990019", "999991772")
DEMO_KVK = "69599084"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument("--prefix", default="ZAAK")
    parser.add_argument("--client-id", default="kcc-hub")
    parser.add_argument("--secret", default="zgw-demo-geheim-voor-de-lokale-demo-omgeving")
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
