"""``kcc-hub logboek …``: the privacy officer's commands (registered by ``hub.cli``).

* ``verify``  — check a gemeente's hash chain (exit 1 when broken, naming the first broken record)
* ``export``  — every record as JSON lines, for archiving or verification elsewhere
* ``inzage``  — the AVG art. 15 answer for one BSN: who saw the data, when, for what purpose
* ``purge``   — remove records past the bewaartermijn, leaving a signed checkpoint

A BSN on the command line ends up in shell history: give ``-`` to read it from
standard input instead.

``inzage`` and ``export`` are themselves processings of person data: each leaves a
logboek record (activity ``logboek-inzage`` with the BSN as betrokkene, or
``logboek-export``) with the operating-system user as medewerker, role
``privacy-officer`` and client ``kcc-hub-cli``, in the same transaction as the read.
"""

from __future__ import annotations

import getpass
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from hub.cli_options import config_option, gemeente_option

# Imported where used, so that ``kcc-hub logboek … --help`` stays fast.
if TYPE_CHECKING:
    from hub.privacy.settings import GemeentePrivacy
    from hub.store.db import Store

_gemeente_option = gemeente_option()


def _load(config_dir: Path | None, code: str) -> tuple[Store, GemeentePrivacy, Any]:
    from hub.pluginmanager import load_plugins
    from hub.privacy.settings import privacy_for
    from hub.settings_errors import ConfigError
    from hub.store.db import Store
    from hub.tenants import load_tenants

    try:
        tenants = load_tenants(config_dir, load_plugins().settings_models())
        gemeente = tenants.get(code)
        if gemeente is None:
            raise click.ClickException(
                f"gemeente {code} is not configured: add gemeenten/{code}.toml to the "
                "configuration, or pass --config DIR (the demo's: --env-file var/demo.env)"
            )
        privacy = privacy_for(gemeente)
    except ConfigError as exc:
        from hub.cli_errors import describe

        raise click.ClickException(describe(exc)) from exc
    return Store.from_env(), privacy, gemeente


def _log_cli(
    session: Any, privacy: GemeentePrivacy, activiteit: str, bsn: str | None = None
) -> None:
    """The command's own logboek record (see the module docstring)."""
    from hub.caller import Caller
    from hub.privacy.logboek import chain as logboek_chain
    from hub.privacy.pipeline import new_logboek_invoer
    from hub.store.base import utcnow
    from hub.tracing import new_trace_id

    user = getpass.getuser()
    caller = Caller(
        subject=f"cli:{user}",
        display_name=user,
        roles=frozenset({"privacy-officer"}),
        gemeenten=frozenset({privacy.gemeente}),
        client_id="kcc-hub-cli",
    )
    invoer = new_logboek_invoer(privacy, caller, new_trace_id(), activiteit)
    invoer.velden.append("logboek")
    if bsn is not None:
        invoer.betrokkenen.append(bsn)
    invoer.end_time = utcnow()
    logboek_chain.append(session, privacy.sleutels, invoer)


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise click.BadParameter("give a time zone, e.g. 2026-01-01T00:00:00+01:00")
    return moment


def _output(path: Path | None) -> IO[str]:
    return path.open("w", encoding="utf-8", newline="") if path else sys.stdout


@click.group("logboek")
def logboek_group() -> None:
    """The logboek of person-data access: verify, export, inzage (AVG article 15), purge."""


def _witness(config_dir: Path | None) -> Any:
    from hub.privacy.witness import witness_from_settings, witness_settings_in
    from hub.tenants import config_dir as default_config_dir

    settings = witness_settings_in(config_dir or default_config_dir())
    return None if settings is None else witness_from_settings(settings)


@logboek_group.command("verify")
@_gemeente_option
@click.option(
    "--witness-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Anchor lines exported from the syslog/SIEM witness, to check the chain against.",
)
@config_option
def verify_cmd(gemeente: str, witness_file: Path | None, config_dir: Path | None) -> None:
    """Check the hash chain, and against the witness when one is configured (or given):
    exit 1 and name the first broken record when it is not intact, rolled back or wiped."""
    from hub.privacy import witness as w
    from hub.privacy.logboek import chain as logboek_chain

    store, privacy, _ = _load(config_dir, gemeente)
    getuige = None if witness_file else _witness(config_dir)
    bevinding: w.Bevinding | None = None
    with store.session() as session:
        result = logboek_chain.verify(session, privacy.sleutels)
        if result.intact and (witness_file or getuige):
            try:
                ankers: list[w.Anker] = []
                if witness_file:
                    with witness_file.open(encoding="utf-8", errors="replace") as fh:
                        ankers = w.read_syslog_lines(fh)
                elif getuige is not None:
                    ankers = getuige.lees(gemeente)
            except w.WitnessUnreadable as exc:
                raise click.ClickException(str(exc)) from exc
            bevinding = w.check_chain(session, privacy.sleutels, ankers, result.laatste_volgnummer)
    if bevinding is not None and not bevinding.intact:
        click.echo(
            f"BROKEN: logboek of gemeente {gemeente}: record {bevinding.volgnummer}: "
            f"{bevinding.reden}"
        )
        sys.exit(1)
    start = (
        f"after checkpoint {result.checkpoint_volgnummer}"
        if result.checkpoint_volgnummer
        else "from the start"
    )
    if result.intact:
        click.echo(
            f"OK: logboek of gemeente {gemeente} intact, {result.aantal_gecontroleerd} record(s) "
            f"checked {start}, last sequence number {result.laatste_volgnummer}"
            + (
                f", witnessed up to {bevinding.getuige_volgnummer}"
                if bevinding is not None and bevinding.getuige_volgnummer is not None
                else ""
            )
        )
        return
    breuk = result.eerste_breuk
    click.echo(
        f"BROKEN: logboek of gemeente {gemeente}: first broken record "
        f"{breuk.volgnummer if breuk else '?'}: {breuk.reden if breuk else ''}"
    )
    sys.exit(1)


@logboek_group.command("export")
@_gemeente_option
@click.option("--van", default=None, help="From this moment (ISO 8601 with time zone).")
@click.option("--tot", default=None, help="Until this moment (exclusive).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
@config_option
def export_cmd(
    gemeente: str, van: str | None, tot: str | None, output: Path | None, config_dir: Path | None
) -> None:
    """Write the records as JSON lines (first line: chain head and checkpoint)."""
    from hub.privacy.logboek import query as logboek_query

    store, privacy, _ = _load(config_dir, gemeente)
    out = _output(output)
    try:
        with store.session() as session:
            for item in logboek_query.export(session, gemeente, van=_moment(van), tot=_moment(tot)):
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
            _log_cli(session, privacy, "logboek-export")
    finally:
        if output:
            out.close()


@logboek_group.command("inzage")
@click.argument("bsn")
@_gemeente_option
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="json")
@click.option(
    "--met-medewerker",
    is_flag=True,
    help="Name the medewerkers (by default only their role, see docs/privacy.md).",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
@config_option
def inzage_cmd(
    bsn: str,
    gemeente: str,
    fmt: str,
    met_medewerker: bool,
    output: Path | None,
    config_dir: Path | None,
) -> None:
    """Answer an AVG article 15 request for BSN ('-' reads it from stdin): who, when, why."""
    from hub.bsn import is_valid_bsn
    from hub.privacy import inzage

    if bsn == "-":
        bsn = sys.stdin.readline().strip()
    if not is_valid_bsn(bsn):
        raise click.BadParameter("not a valid BSN (9 digits and the 11-proof)", param_hint="BSN")
    store, privacy, config = _load(config_dir, gemeente)
    omschrijvingen = {code: d.omschrijving for code, d in privacy.doelen.by_code.items()}
    with store.session() as session:
        regels = inzage.inzage(
            session,
            privacy.sleutels,
            bsn,
            doel_omschrijvingen=omschrijvingen,
            organisatie=f"Gemeente {config.naam}",
            met_medewerker=met_medewerker,
        )
        _log_cli(session, privacy, "logboek-inzage", bsn)
    out = _output(output)
    try:
        if fmt == "csv":
            out.write(inzage.inzage_csv(regels))
        else:
            document = inzage.inzage_json(gemeente, bsn, regels)
            out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    finally:
        if output:
            out.close()


@logboek_group.command("anchor")
@_gemeente_option
@config_option
def anchor_cmd(gemeente: str, config_dir: Path | None) -> None:
    """Write the chain head to the configured witness now (the scheduler does it regularly)."""
    from hub.privacy.witness import anchor

    store, privacy, _ = _load(config_dir, gemeente)
    getuige = _witness(config_dir)
    if getuige is None:
        raise click.ClickException("no [witness] is configured in hub.toml (see docs/privacy.md)")
    with store.session() as session:
        anker = anchor(session, privacy.sleutels, getuige)
    click.echo(f"gemeente {gemeente}: head {anker.volgnummer} anchored")


@logboek_group.command("purge")
@_gemeente_option
@config_option
def purge_cmd(gemeente: str, config_dir: Path | None) -> None:
    """Remove records older than the gemeente's bewaartermijn, leaving a signed checkpoint."""
    from hub.privacy.logboek import retention as logboek_retention
    from hub.privacy.retention import purge_logboek

    store, privacy, _ = _load(config_dir, gemeente)
    try:
        result = purge_logboek(store, privacy)
    except logboek_retention.PurgeGeweigerd as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"gemeente {gemeente}: {result.verwijderd} record(s) removed"
        + (
            f", checkpoint at {result.tot_en_met_volgnummer}"
            if result.tot_en_met_volgnummer
            else ""
        )
    )


# ``hub.cli`` registers the group under this attribute name.
logboek = logboek_group
