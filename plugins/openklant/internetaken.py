"""Watching Open Klant for internetaken: the ``internetaken`` sync kind.

Open Klant has no change feed without a Notificaties component and no date-range filters; it
lists internetaken newest first. Each run therefore

1. reads the internetaken ``te_verwerken``, page by page. One that was not open at the end of
   the last run is new: it is read with its klantcontact, betrokkene, digitale adressen and
   actors and handed to the hub, which gives one created elsewhere (KISS) the hub's mail,
   reminders and worklists, and links one the hub wrote itself. One that was open already
   has not changed in a way the hub follows, and is skipped;
2. reads the internetaken ``verwerkt`` from the newest back to those assigned shortly before
   the newest one the last run saw: handled since then, also those created and handled
   between two runs;
3. reads once more each internetaak that was open at the end of the last run and is in
   neither list (handled long after it was assigned, or removed).

The checkpoint holds the uuids open at the end of the run and the newest ``toegewezenOp``
seen (Open Klant's clock; the hub's only until Open Klant showed one). A run without one (the first,
or ``--full``) hands over every open internetaak. When more are open than
``internetaken.max_pages`` pages hold, the rest waits for a later run and nothing is taken for
handled.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from hub.plugin_sdk import ExterneInternetaak, NotFound, SyncBatch
from plugins.openklant.client import OpenKlantClient
from plugins.openklant.contactverzoeken import TE_VERWERKEN, VERWERKT, read_contactverzoek
from plugins.openklant.klantcontacten import sleutel_van, taken_van
from plugins.openklant.mapping import externe_internetaak
from plugins.openklant.models import InterneTaak

log = logging.getLogger(__name__)

KIND = "internetaken"
# toegewezenOp is set when an internetaak is written; writes take a moment to commit, so an
# internetaak assigned a little before the newest one seen may still have been missing then.
MARGE = timedelta(minutes=10)


class _Run:
    def __init__(self, client: OpenKlantClient, since: Mapping[str, Any] | None, full: bool):
        self.client = client
        # Open at the end of the last run; None: hand over every open internetaak.
        self.vorige: set[str] | None = None
        # The newest toegewezenOp seen so far, and how far back to read handled ones.
        self.nieuwste: datetime | None = None
        self.grens: datetime | None = None
        if not full and since is not None:
            self.vorige = set(since.get("open", []))
            if since.get("nieuwste"):
                self.nieuwste = datetime.fromisoformat(since["nieuwste"])
                self.grens = self.nieuwste - MARGE

    def pages(self, status: str) -> Iterator[tuple[list[InterneTaak], bool]]:
        """(results, last page) for each page of one status, up to ``max_pages``."""
        polling = self.client.settings.internetaken
        for number in range(1, polling.max_pages + 1):
            page = self.client.internetaken.page(
                page=number, page_size=polling.page_size, status=status
            )
            for taak in page.results:
                if taak.toegewezen_op is not None and (
                    self.nieuwste is None or taak.toegewezen_op > self.nieuwste
                ):
                    self.nieuwste = taak.toegewezen_op
            yield page.results, not page.next
            if not page.next:
                return


def sync_internetaken(
    client: OpenKlantClient, since: Mapping[str, Any] | None, full: bool
) -> Iterator[SyncBatch]:
    """Yield the internetaken the hub has to know about, one batch per page read."""
    if not client.settings.internetaken.enabled:
        return
    begin = datetime.now(UTC)
    run = _Run(client, since, full)
    first = run.vorige is None
    open_nu: set[str] = set()
    compleet = False
    for results, last in run.pages(TE_VERWERKEN):
        open_nu |= {str(t.uuid) for t in results}
        nieuw = [t for t in results if run.vorige is None or str(t.uuid) not in run.vorige]
        if batch := _batch(client, nieuw, first):
            yield batch
        compleet = last
    gezien: set[str] = set()
    if run.grens is not None:
        for results, _last in run.pages(VERWERKT):
            recent = [t for t in results if t.toegewezen_op is None or t.toegewezen_op >= run.grens]
            gezien |= {str(t.uuid) for t in recent}
            if batch := _batch(client, recent, first):
                yield batch
            if len(recent) < len(results):
                break
    gesloten = []
    if run.vorige is not None and compleet:
        for uuid in sorted(run.vorige - open_nu - gezien):
            try:
                gesloten.append(client.internetaken.get(uuid))
            except NotFound:
                continue  # removed in Open Klant: the hub keeps its own history
    # Incomplete: what was open and was not reached is still taken for open.
    still_open = open_nu if compleet else open_nu | (run.vorige or set())
    # Nothing seen yet: the hub's clock stands in for Open Klant's (MARGE covers the skew).
    nieuwste = run.nieuwste or begin
    checkpoint: dict[str, Any] = {"open": sorted(still_open), "nieuwste": nieuwste.isoformat()}
    yield SyncBatch(
        kind=KIND,
        upserts=list(_extern_all(client, gesloten)),
        full=first,
        checkpoint=checkpoint,
    )


def _batch(client: OpenKlantClient, taken: list[InterneTaak], full: bool) -> SyncBatch | None:
    upserts = list(_extern_all(client, taken))
    return SyncBatch(kind=KIND, upserts=list(upserts), full=full) if upserts else None


def _extern_all(client: OpenKlantClient, taken: list[InterneTaak]) -> Iterator[ExterneInternetaak]:
    for taak in taken:
        extern = _extern(client, taak)
        if extern is not None:
            yield extern


def _extern(client: OpenKlantClient, taak: InterneTaak) -> ExterneInternetaak | None:
    """The internetaak with what the hub needs, or None for one the hub is still writing."""
    gelezen = read_contactverzoek(client, taak)
    kc = gelezen.klantcontact
    kcc_hub_id = next((k for k, v in taken_van(client, kc).items() if v == str(taak.uuid)), None)
    if kcc_hub_id is None and sleutel_van(client, kc) is not None:
        # The hub's own klantcontact, whose write stopped before it mapped this internetaak:
        # the hub holds the contactverzoek already and links it when the write is retried.
        log.info("internetaak %s is still being written by the hub; skipped", taak.uuid)
        return None
    return externe_internetaak(client.settings, gelezen, kcc_hub_id)
