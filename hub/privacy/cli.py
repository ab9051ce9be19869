"""``kcc-hub logboek …``: the privacy officer's commands (registered by ``hub.cli``).

* ``verify``  — check a gemeente's hash chain (exit 1 when broken, naming the first broken record)
* ``export``  — every record as JSON lines, for archiving or verification elsewhere
* ``inzage``  — the AVG art. 15 answer for one BSN: who saw the data, when, for what purpose
* ``purge``   — remove records past the bewaartermijn, leaving a signed checkpoint

A BSN on the command line ends up in shell history: give ``-`` to read it from
standard input instead.
"""

from __future__ import annotations

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


@logboek_group.command("verify")
@_gemeente_option
@config_option
def verify_cmd(gemeente: str, config_dir: Path | None) -> None:
    """Check the hash chain; exit 1 and name the first broken record when it is not intact."""
    from hub.privacy import logboek as lb

    store, privacy, _ = _load(config_dir, gemeente)
    with store.session() as session:
        result = lb.verify(session, privacy.sleutels)
    start = (
        f"after checkpoint {result.checkpoint_volgnummer}"
        if result.checkpoint_volgnummer
        else "from the start"
    )
    if result.intact:
        click.echo(
            f"OK: logboek of gemeente {gemeente} intact, {result.aantal_gecontroleerd} record(s) "
            f"checked {start}, last sequence number {result.laatste_volgnummer}"
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
    from hub.privacy import logboek as lb

    store, _privacy, _ = _load(config_dir, gemeente)
    out = _output(output)
    try:
        with store.session() as session:
            for item in lb.export(session, gemeente, van=_moment(van), tot=_moment(tot)):
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
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
    from hub.privacy import logboek as lb

    if bsn == "-":
        bsn = sys.stdin.readline().strip()
    if not is_valid_bsn(bsn):
        raise click.BadParameter("not a valid BSN (9 digits and the 11-proof)", param_hint="BSN")
    store, privacy, config = _load(config_dir, gemeente)
    omschrijvingen = {code: d.omschrijving for code, d in privacy.doelen.by_code.items()}
    with store.session() as session:
        regels = lb.inzage(
            session,
            privacy.sleutels,
            bsn,
            doel_omschrijvingen=omschrijvingen,
            organisatie=f"Gemeente {config.naam}",
            met_medewerker=met_medewerker,
        )
    out = _output(output)
    try:
        if fmt == "csv":
            out.write(lb.inzage_csv(regels))
        else:
            document = lb.inzage_json(gemeente, bsn, regels)
            out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    finally:
        if output:
            out.close()


@logboek_group.command("purge")
@_gemeente_option
@config_option
def purge_cmd(gemeente: str, config_dir: Path | None) -> None:
    """Remove records older than the gemeente's bewaartermijn, leaving a signed checkpoint."""
    from hub.privacy import logboek as lb
    from hub.privacy.retention import purge_logboek

    store, privacy, _ = _load(config_dir, gemeente)
    try:
        result = purge_logboek(store, privacy)
    except lb.PurgeGeweigerd as exc:
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
