"""Zaak plugin: a caller's zaken from one or more ZGW zaaksystemen, with readable statuses."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from hub.plugin_sdk import (
    BronStatus,
    Capability,
    ConfigurationError,
    Health,
    HealthState,
    HookContext,
    KccError,
    PluginInfo,
    SecretResolutionError,
    UpstreamTimeout,
    Zaak,
    ZaakMetBetrokkenen,
    __version__,
    hookimpl,
)
from plugins.zaak.config import ZaakSettings, ZgwBron
from plugins.zaak.zgw_client import ZaakVerbindingen, ZgwClient


def _client(ctx: HookContext[ZaakSettings], bron: ZgwBron) -> ZgwClient:
    # The pool and Catalogi cache the core keeps for this gemeente; a hook called directly
    # (a test) gets a client with its own pool, closed when the call is done.
    shared = ctx.client_as(ZaakVerbindingen)
    try:
        if shared is None:
            return ZgwClient(bron, gemeente=ctx.gemeente, caller=ctx.caller)
        return ZgwClient(
            bron,
            gemeente=ctx.gemeente,
            caller=ctx.caller,
            http=shared.pool(bron),
            cache=shared.cache(bron),
        )
    except SecretResolutionError as exc:
        raise ConfigurationError(
            f"Het secret van zaaksysteem {bron.naam} is niet te lezen: {exc}", source=bron.naam
        ) from None


@hookimpl
def kcc_build_client(ctx: HookContext[ZaakSettings]) -> ZaakVerbindingen:
    return ZaakVerbindingen(ctx.settings.bronnen)


@hookimpl
def kcc_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="zaak",
        version=__version__,
        description="Zaken uit zaaksystemen via de ZGW API's (Zaken en Catalogi).",
        capabilities=frozenset({Capability.ZAKEN}),
        settings_model=ZaakSettings,
    )


@hookimpl
def kcc_healthcheck(ctx: HookContext[ZaakSettings]) -> Health:
    settings: ZaakSettings = ctx.settings
    latencies: list[float] = []
    problems: list[str] = []
    for bron in settings.bronnen:
        try:
            latencies.append(_client(ctx, bron).ping())
        except KccError as exc:
            problems.append(exc.detail)
    if not problems:
        return Health(HealthState.OK, latency_ms=max(latencies, default=None))
    state = HealthState.DOWN if len(problems) == len(settings.bronnen) else HealthState.DEGRADED
    return Health(state, detail="; ".join(problems))


@hookimpl
def kcc_search_zaken(
    ctx: HookContext[ZaakSettings], bsn: str | None, kvk: str | None
) -> tuple[list[Zaak], list[BronStatus]] | None:
    """Ask every zaaksysteem at once; one failing source is reported, not fatal.

    When every source fails the first source's error is raised, so the caller
    gets a 502/503/504 problem instead of an empty list that looks like "no zaken".
    """
    if not bsn and not kvk:
        return None
    settings: ZaakSettings = ctx.settings

    def one(bron: ZgwBron) -> tuple[list[Zaak], BronStatus, KccError | None]:
        try:
            with _client(ctx, bron) as client:
                zaken = client.zaken_van(bsn=bsn, kvk=kvk)
        except KccError as exc:
            status = "time-out" if isinstance(exc, UpstreamTimeout) else "mislukt"
            return [], BronStatus(bron=bron.naam, status=status, detail=exc.detail), exc
        detail = None
        if client.onvolledig:
            detail = (
                f"{client.onvolledig} omschrijving(en) van zaaktype, status of resultaat "
                f"niet te lezen: {client.onvolledig_reden or 'eerder opvraagfout'}"
            )
        return (
            zaken,
            BronStatus(bron=bron.naam, status="ok", detail=detail, aantal=len(zaken)),
            None,
        )

    with ThreadPoolExecutor(max_workers=len(settings.bronnen)) as pool:
        outcomes = list(pool.map(one, settings.bronnen))
    errors = [e for _, _, e in outcomes if e is not None]
    if errors and len(errors) == len(outcomes):
        raise errors[0]
    zaken = [z for found, _, _ in outcomes for z in found]
    return zaken, [status for _, status, _ in outcomes]


@hookimpl
def kcc_get_zaak(ctx: HookContext[ZaakSettings], identificatie: str) -> ZaakMetBetrokkenen | None:
    """The first source that knows the identificatie answers, with the zaak's betrokkenen
    (ZGW rollen); a failing source is skipped unless no other source could answer, because
    then "not found" would be a guess."""
    settings: ZaakSettings = ctx.settings
    first_error: KccError | None = None
    for bron in settings.bronnen:
        try:
            with _client(ctx, bron) as client:
                found = client.zaak(identificatie)
        except KccError as exc:
            first_error = first_error or exc
            continue
        if found is not None:
            return found
    if first_error is not None:
        raise first_error
    return None
