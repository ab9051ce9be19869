"""Full and incremental synchronisation of the medewerkers directory from one pinned DC.

A checkpoint is ``{"dc", "invocation_id", "usn"}``: the DC we read, the identity of
its database, and its ``highestCommittedUSN`` read *before* the searches (so a
change made during a run is picked up by the next one). ``uSNChanged`` values
only mean something on the DC that assigned them, so a run uses one connection
to one DC; a different DC or a restored DC (new ``invocationID``) means the
checkpoint is useless and a full resync follows.

Incremental runs do two searches from ``usn + 1``:

1. in the configured bases, objects matching the user filter and enabled: upserts;
2. in the whole naming context, every changed user object, tombstones included
   (show-deleted control): each one that was not upserted in (1) has left the
   directory as we define it (deleted, disabled, moved out of scope) and is
   deleted by ``objectGUID``. Deleting an id the store does not hold is a no-op.

Moves and renames keep ``objectGUID``, so the medewerker keeps its id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hub.errors import UpstreamUnavailable
from hub.plugin_api import SyncBatch
from plugins.ad.client import DISABLED_FILTER, AdClient, AdConnection, DcInfo
from plugins.ad.config import AdSettings
from plugins.ad.mapping import is_disabled, to_medewerker

KIND = "medewerkers"


def usable_checkpoint(since: Mapping[str, Any] | None, dc: DcInfo) -> int | None:
    """The USN to continue from, or None when only a full sync is safe."""
    if not since:
        return None
    try:
        usn = int(since["usn"])
        invocation_id = str(since["invocation_id"])
    except (KeyError, TypeError, ValueError):
        return None
    if not dc.invocation_id or invocation_id != dc.invocation_id:
        return None
    if usn < 0 or usn > dc.highest_committed_usn:
        return None
    return usn


def checkpoint_of(dc: DcInfo, medewerkers: int | None) -> dict[str, Any]:
    """The checkpoint; ``medewerkers`` (the last full count) sizes the next progress bar."""
    return {
        "dc": dc.server,
        "invocation_id": dc.invocation_id,
        "usn": dc.highest_committed_usn,
        "medewerkers": medewerkers,
    }


def _known_count(since: Mapping[str, Any] | None) -> int | None:
    value = since.get("medewerkers") if since else None
    return value if isinstance(value, int) and value >= 0 else None


def sync_medewerkers(
    settings: AdSettings, since: Mapping[str, Any] | None, full: bool
) -> Iterator[SyncBatch]:
    """Yield the directory's changes since ``since`` (or everything, ``full=True``)."""
    client = AdClient(settings)
    prefer = str(since.get("dc")) if since and since.get("dc") else None
    with client.connect(prefer=prefer) as conn:
        dc = conn.dc_info()
        if not dc.default_naming_context:
            raise UpstreamUnavailable("de DC gaf geen defaultNamingContext", source="ad")
        usn = None if full else usable_checkpoint(since, dc)
        if usn is None:
            yield from _full(conn, settings, dc, _known_count(since))
        else:
            yield from _incremental(conn, settings, dc, usn, _known_count(since))


def _enabled_filter(settings: AdSettings, extra: str = "") -> str:
    return f"(&{settings.user_filter}(!{DISABLED_FILTER}){extra})"


def _full(
    conn: AdConnection, settings: AdSettings, dc: DcInfo, estimate: int | None
) -> Iterator[SyncBatch]:
    attributes = settings.attributes.ldap_attributes()
    seen: set[str] = set()
    pending: SyncBatch | None = None
    for base in settings.search_bases:
        for page in conn.paged_search(base, _enabled_filter(settings), attributes):
            upserts = []
            for entry in page:
                # Overlapping search bases must not produce the same medewerker twice.
                if entry.guid in seen or is_disabled(entry):
                    continue
                seen.add(entry.guid)
                upserts.append(to_medewerker(entry, settings.attributes))
            if pending is not None:
                yield pending
            pending = SyncBatch(kind=KIND, upserts=list(upserts), full=True, total=estimate)
    last = pending or SyncBatch(kind=KIND, full=True)
    last.checkpoint = checkpoint_of(dc, len(seen))
    last.total = len(seen)
    yield last


def _incremental(
    conn: AdConnection, settings: AdSettings, dc: DcInfo, usn: int, count: int | None
) -> Iterator[SyncBatch]:
    changed = f"(uSNChanged>={usn + 1})"
    attributes = settings.attributes.ldap_attributes()
    upserted: set[str] = set()
    for base in settings.search_bases:
        for page in conn.paged_search(base, _enabled_filter(settings, changed), attributes):
            upserts = []
            for entry in page:
                if entry.guid in upserted or is_disabled(entry):
                    continue
                upserted.add(entry.guid)
                upserts.append(to_medewerker(entry, settings.attributes))
            if upserts:
                yield SyncBatch(kind=KIND, upserts=list(upserts))
    deletes: list[str] = []
    for page in conn.paged_search(
        dc.default_naming_context,
        f"(&(objectClass=user){changed})",
        ["objectGUID"],
        show_deleted=True,
    ):
        deletes.extend(e.guid for e in page if e.guid not in upserted)
    yield SyncBatch(
        kind=KIND,
        deletes=sorted(set(deletes)),
        checkpoint=checkpoint_of(dc, count),
        total=len(upserted) + len(set(deletes)),
    )
