"""Klantcontacten and contactverzoeken: every contact registered in one call, every callback
routed, mailed, reminded and never lost.

* :mod:`~hub.klantcontacten.tables` — the hub's own index (whatever the system of record)
* :mod:`~hub.klantcontacten.registratie` — registering a klantcontact with its contactverzoek
* :mod:`~hub.klantcontacten.routering` — medewerker, afdeling or groep; who "mij" is
* :mod:`~hub.klantcontacten.toegang` — who may see and handle what
* :mod:`~hub.klantcontacten.behandeling` — pogingen, afhandelen, doorzetten
* :mod:`~hub.klantcontacten.zoeken` — klantcontacten by period and betrokkene; worklists
* :mod:`~hub.klantcontacten.werkdagen` — deadlines in working days (Dutch holidays)
* :mod:`~hub.klantcontacten.outbox` — mail and forwarding after the commit, with leases
* :mod:`~hub.klantcontacten.notificaties` — the mails
* :mod:`~hub.klantcontacten.herinneringen` — reminder and escalation, each once
* :mod:`~hub.klantcontacten.doorsturen` — the Klantinteracties seam (Open Klant)
* :mod:`~hub.klantcontacten.overname` — internetaken created elsewhere (sync kind)
* :mod:`~hub.klantcontacten.bewaring` — retention

``SINK`` stores the ``internetaken`` of a sync (installed by :mod:`hub.wiring`); importing
the package registers the outbox handlers.
See docs/klantcontacten.md.
"""

from __future__ import annotations

from hub.klantcontacten import doorsturen, notificaties  # noqa: F401  (register handlers)
from hub.klantcontacten.bewaring import purge
from hub.klantcontacten.herinneringen import plan
from hub.klantcontacten.outbox import (
    Beleid,
    OutboxOpgegeven,
    dispatch,
    opnieuw,
    set_dispatcher,
    te_doen,
    verwerk,
)
from hub.klantcontacten.overname import SINK

__all__ = [
    "SINK",
    "Beleid",
    "OutboxOpgegeven",
    "dispatch",
    "opnieuw",
    "plan",
    "purge",
    "set_dispatcher",
    "te_doen",
    "verwerk",
]
