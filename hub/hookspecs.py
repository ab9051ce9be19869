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
* Retries, backoff (tenacity, :mod:`hub.retrying`), timeouts around the whole call,
  circuit breaking per gemeente × plugin (:mod:`hub.breakers`), building and closing
  clients (:func:`kcc_build_client`) and the privacy logboek are the core's business.
  A plugin holds **no retry loop**: it makes one attempt, raises a typed error from
  :mod:`hub.errors` (``UpstreamUnavailable(retry_after=…)``, ``UpstreamTimeout``,
  ``UpstreamRejected``, ``UpstreamRefusedContent``, ``NotFound``, ``InvalidRequest``)
  and lets the core decide. Only ``UpstreamUnavailable``/``UpstreamTimeout`` are retried.
  HTTP plugins build their pool and send through :mod:`hub.http_transport`, which draws
  that line the same way for everyone. Import from :mod:`hub.plugin_sdk` only.
* Never log person data (BSN, names, addresses) and never put secrets or
  person data in an error message. Resolve secrets (``SecretRef.resolve()``)
  at the moment of use, never at import.
* Never write to the store. Return records; the core stores them.
* Unknown ``kcc_*`` functions marked ``@hookimpl`` are rejected at start-up, so a
  typo in a hook name fails loudly instead of silently doing nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import pluggy

from hub.domain.beschikbaarheid import Beschikbaarheid
from hub.domain.klantcontacten_seam import (
    KlantcontactRegistratie,
    KlantcontactVastgelegd,
    SeamContactverzoek,
)
from hub.domain.medewerkers import Medewerker
from hub.domain.meldingen import MeldingCategorie, NieuweMelding, UpstreamMelding
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
def kcc_build_client(ctx: HookContext) -> object | None:
    """Build this plugin's upstream client for ``ctx.gemeente`` and ``ctx.settings``.

    Return one object holding what is worth keeping between calls: the connection pool
    (``hub.http_transport.new_http_client``), a token, a cached list. The core calls this
    once per gemeente × settings (keyed by a fingerprint of the validated settings), hands
    the object to every later hook call as ``ctx.client`` (``ctx.client_as(MyClient)``)
    and calls its ``close()`` when the settings change or the process stops. Keep no
    module-level cache of clients yourself. Must not do I/O (no login here: fetch a token
    on first use) and must be thread-safe: calls of one gemeente share the object.
    ``ctx.caller``, ``ctx.doel`` and the like are empty here; they belong to each call.
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

    Kinds the core stores (declare yours in ``PluginInfo.sync_kinds``): ``medewerkers``
    (:class:`~hub.domain.medewerkers.Medewerker`), ``beschikbaarheid``,
    ``meldingstatussen`` and ``internetaken``. A directory plugin may add ``groepen``,
    ``lidmaatschappen`` and ``uitgeschakelde_accounts`` (``hub.domain.groepen``): then roles
    can come from its groups and a disabled account is refused by name. A full run removes,
    per kind, what it did not deliver.

    ``internetaken`` (a Klantinteracties system of record, e.g. Open Klant): yield every
    internetaak that is new or changed since ``since`` as
    :class:`~hub.domain.klantcontacten_seam.ExterneInternetaak`, full state, with ``systeem`` set to
    your plugin's name. The core takes one it does not know into its own index as a
    contactverzoek and gives it the hub's mail, reminders, escalation and worklists, exactly
    as one registered through the hub; one it knows only follows your ``status`` (``verwerkt``
    there closes it here). Set ``kcc_hub_id`` on internetaken the hub created itself through
    :func:`kcc_register_klantcontact` (recognise your own marker), so they are linked rather
    than imported twice. Poll ``internetaken`` (Open Klant has no change feed without a
    Notificaties component); a checkpoint of the newest ``toegewezenOp`` seen plus a full run
    now and then (``full=True``) is enough: the core never deletes contactverzoeken that a
    full run did not repeat. Fill ``klantcontactExternId`` so several internetaken of one
    klantcontact share it, and ``betrokkene.digitaleAdressen`` so the mail can carry the
    callback number; a BSN is not taken over.
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


@hookspec
def kcc_get_melding_categorieen(ctx: HookContext) -> list[MeldingCategorie] | None:
    """*First answer.* The categories a melding can be filed under in your upstream.

    Every ``naam`` you return must be accepted as ``NieuweMelding.categorie`` by your
    :func:`kcc_create_melding` (include the gemeente's configured aliases if you map names).
    The core lists them at ``GET …/meldingen/categorieen`` and refuses a new melding with a
    category not among them at once (400 naming ``categorie``), instead of after the call when
    the outbox submits it. Cache the list (it changes rarely and is asked for every new
    melding); raise ``UpstreamUnavailable`` when it cannot be read, and the core accepts the
    melding unchecked rather than losing it.
    """


@hookspec
def kcc_register_klantcontact(
    ctx: HookContext, klantcontact: KlantcontactRegistratie
) -> KlantcontactVastgelegd | None:
    """*First answer.* Write a registered klantcontact to the Klantinteracties system of record.

    Called from the hub's outbox after the hub committed the klantcontact to its own index, so
    the agent's request never waits on you and a down upstream only delays this call. Write
    what KISS writes for the same contact (``docs/klantcontacten.md`` lists it): the
    ``klantcontact``; a ``betrokkene`` (``rol`` ``klant``, ``initiator``) with its
    ``digitaleAdressen``; an ``onderwerpobject`` per entry of ``onderwerpobjecten`` (a zaak:
    ``zgw-Zaak``/``openzaak``/``uuid``); and per entry of ``contactverzoeken`` an
    ``internetaak`` (``gevraagdeHandeling``, ``toelichting``, ``status``) with
    ``toegewezenAanActoren``, creating or finding the ``actoren`` with KISS's identificator
    codes (medewerker ``mdw``/``obj``/``idf`` with the identificatie KISS knows them by,
    which the seam offers as ``accountNaam``, ``medewerkerId`` and ``emailadres``, or
    ``mdw``/``handmatig``/``email``; afdeling ``afd``/``obj``/``idf``; groep
    ``grp``/``obj``/``idf``). ``geregistreerdDoor`` is the agent (``mdw``/``msei``/``email``).

    **A retry must never create a second resource.** The core calls again after any failure,
    also one that happened after your upstream accepted the request. ``klantcontact.id`` and
    each ``contactverzoeken[].id`` are the hub's own ids, stable across every retry: store them
    with what you create (for instance an ``onderwerpobject`` with ``codeRegister``
    ``kcc-hub``, or the klantcontact's ``referentienummer``) and look for them before creating
    anything. When ``klantcontact.externId`` is set, the klantcontact exists already (a
    contactverzoek was added later): create only the new internetaak.

    ``betrokkene.burgerservicenummer`` is decrypted for you (to link a ``partij``); never log
    it, nor phone numbers or e-mail addresses. Return the external ids and URLs of the
    klantcontact and of each internetaak keyed by the hub's contactverzoek id; the core keeps
    them and passes them back in later calls. Raise ``UpstreamUnavailable`` for a failure worth
    retrying and ``InvalidRequest`` when the upstream refuses the content (not retried).
    """


@hookspec
def kcc_update_contactverzoek(
    ctx: HookContext, contactverzoek: SeamContactverzoek, idempotency_key: str
) -> bool | None:
    """*First answer.* Push a contactverzoek's change to the system of record's internetaak.

    Called from the outbox after a poging, ``_afhandelen`` or ``_doorzetten``, only for a
    contactverzoek your plugin holds (``contactverzoek.externId``/``externUrl`` are the
    internetaak your :func:`kcc_register_klantcontact` returned, or that you yielded through
    the ``internetaken`` sync kind). ``contactverzoek`` is the **full current state**, not a
    delta: set ``status`` (and ``afgehandeldOp`` when ``verwerkt``) and
    ``toegewezenAanActoren`` to what it says, so repeated or reordered calls converge.
    ``pogingen`` lists every callback attempt with a stable ``id``; record the ones you have
    not recorded yet (e.g. as a klantcontact with ``indicatieContactGelukt``) and find earlier
    ones by that id, so a retry records none twice. ``idempotency_key`` is stable for this one
    change. Return ``True`` when applied.
    """


# How the core names a hook when it calls one: the spec function itself
# (``hookspecs.kcc_create_melding``), so an editor follows the call here and the answer is
# typed. A plain string name is still accepted for third-party embedding code.
Hook = Callable[..., Any] | str
