"""A worker that submits one melding from the outbox, in a process of its own, so a test can
kill it (``kill -9``) in the middle of a submission. Also the Fixi plugin host it uses.

    python -m tests.support.outbox_worker <database_url> <fixi_base_url> <melding_id>
"""

from __future__ import annotations

import sys

from hub.meldingen import submit_outbox
from hub.pluginmanager import PluginHost, load_plugins
from hub.store.db import Store, make_engine
from hub.tenants import AuthSettings, Gemeente
from plugins.fixi.config import FixiSettings

FIXI_CLIENT = "kcc-hub"
FIXI_SECRET_ENV = "FIXI_SECRET"


def fixi_host(base_url: str, timeout_seconds: float = 30.0) -> PluginHost:
    """The hub's real PluginHost with only the Fixi plugin (``KCC_HUB_LOAD_PLUGINS=fixi``)."""
    settings = FixiSettings.model_validate(
        {
            "base_url": base_url,
            "client_id": FIXI_CLIENT,
            "client_secret": "${" + FIXI_SECRET_ENV + "}",
            "timeout_seconds": timeout_seconds,
            "retry_wait_seconds": 0.01,
        }
    )
    gemeente = Gemeente(
        code="9999",
        naam="Voorbeeldstad",
        plugin_settings={"fixi": settings},
        auth=AuthSettings(),
    )
    return PluginHost(load_plugins(), {"9999": gemeente}, retry_attempts=1)


def main() -> None:
    database_url, fixi_url, melding_id = sys.argv[1:4]
    store = Store(make_engine(database_url))
    print(submit_outbox(store, fixi_host(fixi_url), "9999", melding_id), flush=True)


if __name__ == "__main__":
    main()
