"""The plugin contract of KCC Hub: every hook a plugin may implement.

This module is the plugin author's documentation. A plugin is a Python module
(normally ``plugins/<name>/plugin.py`` or your own package) registered under the
entry-point group ``kcc_hub.plugins`` and decorated with ``hub.hookimpl``::

    from hub import hookimpl

    @hookimpl
    def kcc_plugin_info() -> PluginInfo: ...

How the core calls you
----------------------
* The core calls **one plugin at a time**: for a gemeente that enabled your
  plugin, your implementation is called with a :class:`~hub.plugin_api.HookContext`
  whose ``settings`` is *your* validated settings model for *that* gemeente.
  You never see another plugin's or another gemeente's settings.
* Hooks marked *first answer* are asked of each enabled plugin offering the
  capability in configuration order; the first non-``None`` answer wins.
  Hooks marked *collected* are asked of every such plugin and the answers are
  combined (two zaaksystemen side by side).
* Hooks are synchronous. The API runs them in worker threads and the
  Dramatiq workers call them directly; do blocking I/O with timeouts.
* Retries, backoff (tenacity), timeouts around the whole call, caching, circuit
  breaking and the privacy logboek are the core's business. A plugin raises a
  typed error from :mod:`hub.errors` (``UpstreamUnavailable``, ``UpstreamTimeout``,
  ``UpstreamRejected``, ``NotFound``, ``InvalidRequest``) and lets the core decide.
  Only ``UpstreamUnavailable``/``UpstreamTimeout`` are retried.
* Never log person data (BSN, names, addresses) and never put secrets or
  person data in an error message. Resolve secrets (``SecretRef.resolve()``)
  at the moment of use, never at import.
* Never write to the store. Return records; the core stores them.
* Unknown ``kcc_*`` functions marked ``@hookimpl`` are rejected at start-up, so a
  typo in a hook name fails loudly instead of silently doing nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import pluggy

from hub.domain.beschikbaarheid import Beschikbaarheid
from hub.domain.medewerkers import Medewerker
from hub.domain.meldingen import NieuweMelding, UpstreamMelding
from hub.domain.zaken import BronStatus, Zaak
from hub.plugin_api import Health, HookContext, Notification, PluginInfo, SyncBatch

PROJECT = "kcc_hub"
hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec
def kcc_plugin_info() -> PluginInfo:  # type: ignore[empty-body]
    """Describe the plugin: name, version, capabilities and settings model. **Required.**

    ``settings_model`` is a pydantic ``BaseModel`` class; the core validates the
    gemeente's ``[plugins.<name>]`` table from ``config/gemeenten/<code>.toml``
    against it and refuses to start on errors (``kcc-hub config check`` shows
    them). Use :data:`hub.secrets.Secret` for every credential so a literal
    secret in configuration is rejected. Called once at start-up; must not do I/O.
    """


@hookspec
def kcc_healthcheck(ctx: HookContext) -> Health:  # type: ignore[empty-body]
    """Check the upstream for ``ctx.gemeente`` cheaply (one light request) and report.

    Return ``Health(state=OK|DEGRADED|DOWN, detail=...)``. Do not raise for an
    unreachable upstream: report ``DOWN`` with a short reason without secrets.
    Used by ``GET /api/v1/gemeenten/{code}/plugins``.
    """


@hookspec
def kcc_sync(ctx: HookContext, since: Mapping[str, Any] | None, full: bool) -> Iterator[SyncBatch]:  # type: ignore[empty-body]
    """Yield the changes since the checkpoint ``since`` as :class:`SyncBatch` es.

    ``since`` is the ``checkpoint`` of the last successful run (``None`` the
    first time or after ``--full``). Decide yourself when a checkpoint is no
    longer usable (e.g. AD's ``invocationID`` changed) and then yield a full
    set with ``full=True``. Put the new checkpoint on the last batch: the core
    stores it only when the generator finishes without error, so a failed run is
    simply repeated. Batches must be idempotent (full state per record, stable
    ids) because runs may be repeated. Set ``total`` for the progress bar.

    A directory plugin yields ``medewerkers`` (:class:`Medewerker`) and may add
    ``groepen``, ``lidmaatschappen`` and ``uitgeschakelde_accounts``
    (``hub.domain.groepen``): then roles can come from its groups and a disabled
    account is refused by name. List every kind in ``PluginInfo.sync_kinds``: a full
    run removes, per kind, what it did not deliver.
    """


@hookspec
def kcc_search_medewerkers(ctx: HookContext, zoek: str, limit: int) -> list[Medewerker] | None:
    """*First answer.* Live search in the directory upstream (not the store).

    The API serves medewerkers from the synchronised store; this hook exists for
    diagnostics and benchmarks. Escape every user input for the upstream's
    query language (``ldap3.utils.conv.escape_filter_chars``).
    """


@hookspec
def kcc_get_beschikbaarheid(
    ctx: HookContext, emails: Sequence[str], van: datetime, tot: datetime
) -> list[Beschikbaarheid] | None:
    """*First answer.* Availability of these mailboxes between ``van`` and ``tot``.

    Return one :class:`Beschikbaarheid` per address asked, in any order. One
    mailbox that cannot be read gives status ``onbekend`` for that one only; only
    a failure of the whole upstream raises. Batch internally to the upstream's
    limits. Never return subjects, locations or attendees: times only. Fill
    ``werktijden`` when the calendar knows the mailbox's working hours (they make
    the weekly grid of the smoelenboek).
    """


@hookspec
def kcc_send_notification(ctx: HookContext, notification: Notification) -> str | None:
    """*First answer.* Send a mail; return the upstream's message id.

    Must be idempotent per ``notification.id``: the core may retry after a
    failure that happened after the upstream accepted the mail. Check upstream
    (e.g. a sent item tagged with the id) before sending again.
    """


@hookspec
def kcc_get_personen(
    ctx: HookContext, query: Mapping[str, Any], fields: Sequence[str]
) -> dict[str, Any] | None:
    """*First answer.* Query the BRP and answer in Haal Centraal BRP Personen v2 shape.

    ``query`` is a Haal Centraal request body (``type`` plus its parameters),
    already validated (BSNs pass the 11-proof). ``fields`` lists the field paths
    the caller's role may see: ask the upstream for these only (data
    minimisation). ``ctx.doel``/``ctx.verwerkingsactiviteit``/``ctx.caller`` go to
    the upstream's doelbinding headers where configured. Return
    ``{"type": ..., "personen": [...]}``; the core masks and logs it.
    """


@hookspec
def kcc_search_zaken(
    ctx: HookContext, bsn: str | None, kvk: str | None
) -> tuple[list[Zaak], list[BronStatus]] | None:
    """*Collected.* The zaken of a person (``bsn``) or organisation (``kvk``).

    Return all pages. A plugin that covers several zaaksystemen returns one
    :class:`BronStatus` per source, so one failing source is reported rather than
    fatal. Never put the BSN in a log line or an error.
    """


@hookspec
def kcc_get_zaak(ctx: HookContext, identificatie: str) -> Zaak | None:
    """*First answer.* One zaak by its identificatie, or ``None`` when unknown here."""


@hookspec
def kcc_create_melding(
    ctx: HookContext, melding: NieuweMelding, idempotency_key: str
) -> UpstreamMelding | None:
    """*First answer.* File a melding upstream; called from the outbox job.

    ``idempotency_key`` is stable across retries of the same melding: use it so
    a retry after the upstream accepted the first attempt finds that melding
    instead of creating a second one.
    """


@hookspec
def kcc_get_melding(ctx: HookContext, extern_id: str) -> UpstreamMelding | None:
    """*First answer.* The upstream's current view of one melding."""
