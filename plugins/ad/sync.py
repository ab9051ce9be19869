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

Besides the medewerkers a run yields the directory's groups and memberships (so roles
can come from AD groups) and the switched-off accounts (so a disabled user is refused,
not merely unknown). A user's ``memberOf`` is a back link: adding someone to a group
changes the group's ``uSNChanged``, not the user's. An incremental run therefore also
pages the changed groups and reads each one's members, so a membership change reaches
the next incremental run instead of waiting for a full one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ldap3.utils.conv import escape_filter_chars

from hub.plugin_sdk import Lidmaatschappen, SyncBatch, UpstreamUnavailable
from plugins.ad.client import DISABLED_FILTER, AdClient, AdConnection, DcInfo, LdapEntry
from plugins.ad.config import GROUP_ATTRIBUTES, AdSettings
from plugins.ad.mapping import (
    group_ids,
    is_disabled,
    to_groep,
    to_medewerker,
    to_uitgeschakeld,
)

KIND = "medewerkers"
GROEPEN = "groepen"
LIDMAATSCHAPPEN = "lidmaatschappen"
UITGESCHAKELD = "uitgeschakelde_accounts"
SYNC_KINDS = frozenset({KIND, GROEPEN, LIDMAATSCHAPPEN, UITGESCHAKELD})


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
    settings: AdSettings,
    since: Mapping[str, Any] | None,
    full: bool,
    *,
    client: AdClient | None = None,
) -> Iterator[SyncBatch]:
    """Yield the directory's changes since ``since`` (or everything, ``full=True``)."""
    client = client or AdClient(settings)
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


def _users(
    conn: AdConnection,
    settings: AdSettings,
    extra: str,
    seen: set[str],
    full: bool,
    total: int | None,
) -> Iterator[SyncBatch]:
    """Enabled users in the bases, each page as medewerkers plus their direct groups."""
    attributes = settings.attributes.ldap_attributes()
    for base in settings.search_bases:
        for page in conn.paged_search(base, _enabled_filter(settings, extra), attributes):
            upserts = []
            leden = []
            for entry in page:
                # Overlapping search bases must not produce the same medewerker twice.
                if entry.guid in seen or is_disabled(entry):
                    continue
                seen.add(entry.guid)
                upserts.append(to_medewerker(entry, settings.attributes))
                groepen = group_ids(entry, settings.attributes.groepen)
                leden.append(Lidmaatschappen(lid=entry.guid, groepen=groepen))
            if upserts or full:
                yield SyncBatch(kind=KIND, upserts=list(upserts), full=full, total=total)
                yield SyncBatch(kind=LIDMAATSCHAPPEN, upserts=list(leden), full=full)


def _disabled(
    conn: AdConnection, settings: AdSettings, extra: str, seen: set[str], full: bool
) -> Iterator[SyncBatch]:
    """Switched-off accounts in the bases, so the hub can refuse them by name."""
    mapping = settings.attributes
    attributes = [a for a in ("objectGUID", mapping.account_naam, mapping.email) if a]
    ldap_filter = f"(&{settings.user_filter}{DISABLED_FILTER}{extra})"
    for base in settings.search_bases:
        for page in conn.paged_search(base, ldap_filter, attributes):
            accounts = [to_uitgeschakeld(e, mapping) for e in page if e.guid not in seen]
            seen.update(a.id for a in accounts)
            if accounts or full:
                yield SyncBatch(kind=UITGESCHAKELD, upserts=list(accounts), full=full)


def _members(conn: AdConnection, dc: DcInfo, group: LdapEntry) -> list[str]:
    """Direct members of a group, found through their memberOf (no ranged ``member`` reads)."""
    found: list[str] = []
    ldap_filter = f"(memberOf={escape_filter_chars(group.dn)})"
    for page in conn.paged_search(dc.default_naming_context, ldap_filter, ["objectGUID"]):
        found.extend(e.guid for e in page)
    return sorted(set(found))


def _groups(
    conn: AdConnection,
    settings: AdSettings,
    dc: DcInfo,
    extra: str,
    seen: set[str],
    full: bool,
) -> Iterator[SyncBatch]:
    """Groups in the group bases with the groups they are in (nesting).

    An incremental run also reads each changed group's members: that is where a
    membership change shows.
    """
    ldap_filter = f"(&{settings.group_filter}{extra})"
    for base in settings.group_bases:
        for page in conn.paged_search(base, ldap_filter, GROUP_ATTRIBUTES):
            groepen = []
            leden = []
            for entry in page:
                if entry.guid in seen:
                    continue
                seen.add(entry.guid)
                groepen.append(to_groep(entry))
                leden.append(Lidmaatschappen(lid=entry.guid, groepen=group_ids(entry, "memberOf")))
                if not full:
                    leden.append(Lidmaatschappen(groep=entry.guid, leden=_members(conn, dc, entry)))
            if groepen or full:
                yield SyncBatch(kind=GROEPEN, upserts=list(groepen), full=full)
                yield SyncBatch(kind=LIDMAATSCHAPPEN, upserts=list(leden), full=full)


def _full(
    conn: AdConnection, settings: AdSettings, dc: DcInfo, estimate: int | None
) -> Iterator[SyncBatch]:
    seen: set[str] = set()
    yield from _users(conn, settings, "", seen, True, estimate)
    yield from _disabled(conn, settings, "", set(), True)
    if settings.sync_groups:
        yield from _groups(conn, settings, dc, "", set(), True)
    # The last batch carries the checkpoint: stored only when the whole run succeeded.
    yield SyncBatch(kind=KIND, full=True, checkpoint=checkpoint_of(dc, len(seen)), total=len(seen))


def _incremental(
    conn: AdConnection, settings: AdSettings, dc: DcInfo, usn: int, count: int | None
) -> Iterator[SyncBatch]:
    changed = f"(uSNChanged>={usn + 1})"
    upserted: set[str] = set()
    disabled: set[str] = set()
    groups: set[str] = set()
    yield from _users(conn, settings, changed, upserted, False, None)
    yield from _disabled(conn, settings, changed, disabled, False)
    if settings.sync_groups:
        yield from _groups(conn, settings, dc, changed, groups, False)
    # Every changed user or group object, tombstones included: what was not upserted above
    # has left the directory as we define it (deleted, disabled, moved out of scope).
    gone_users: set[str] = set()
    changed_users: set[str] = set()
    gone_groups: set[str] = set()
    for page in conn.paged_search(
        dc.default_naming_context,
        f"(&(|(objectClass=user)(objectClass=group)){changed})",
        ["objectGUID", "objectClass"],
        show_deleted=True,
    ):
        for entry in page:
            classes = {c.lower() for c in entry.all("objectClass")}
            if "group" in classes:
                if entry.guid not in groups:
                    gone_groups.add(entry.guid)
                continue
            changed_users.add(entry.guid)
            if entry.guid not in upserted:
                gone_users.add(entry.guid)
    yield SyncBatch(kind=UITGESCHAKELD, deletes=sorted(changed_users - disabled))
    if settings.sync_groups:
        yield SyncBatch(kind=GROEPEN, deletes=sorted(gone_groups))
    yield SyncBatch(kind=LIDMAATSCHAPPEN, deletes=sorted(gone_users | gone_groups))
    yield SyncBatch(
        kind=KIND,
        deletes=sorted(gone_users),
        checkpoint=checkpoint_of(dc, count),
        total=len(upserted) + len(gone_users),
    )
