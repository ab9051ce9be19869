"""``kcc-hub``: the command line for IT admins and privacy officers.

Every command reads configuration from ``--config`` (default ``config/`` or
``KCC_HUB_CONFIG``) and the store from ``DATABASE_URL`` (default SQLite under
``var/``). ``--env-file`` reads ``KEY=value`` lines into the environment first:
``kcc-hub --env-file var/demo.env …`` runs a command against a running demo.
Exit status is non-zero on any problem, so commands compose in scripts; every
error is one line (:mod:`hub.cli_errors`).

Imports are lazy: ``kcc-hub --help`` and every ``--help`` load neither the web
framework, the database layer nor any plugin.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from hub import __version__
from hub.cli_errors import KccGroup, describe
from hub.cli_options import config_option, gemeente_option, load_env_file

if TYPE_CHECKING:
    from rich.console import Console

    from hub.runtime import Runtime

ROLE_CHOICES = click.Choice(
    ["kcc-medewerker", "backoffice", "privacy-officer", "beheerder", "teamleider"]
)


def console() -> Console:
    from rich.console import Console

    return Console(stderr=False)


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def runtime_for(config_dir: Path | None) -> Runtime:
    from hub.runtime import Runtime
    from hub.settings_errors import ConfigError

    try:
        return Runtime.build(config_dir=config_dir)
    except ConfigError as exc:
        fail(describe(exc), 2)


@click.group(
    cls=KccGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="kcc-hub")
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="KCC_HUB_ENV_FILE",
    default=None,
    help="Read KEY=value lines into the environment first (its values win). "
    "'--env-file var/demo.env' points the CLI at a running demo.",
)
def main(env_file: Path | None) -> None:
    """KCC Hub: one API over the directory, calendars, BRP, zaaksystemen and meldingen
    for a gemeente's klantcontactcentrum.

    \b
    Quick start:   kcc-hub demo            (everything in one process, demo gemeente 9999)
                   kcc-hub --env-file var/demo.env logboek verify -g 9999
                                           (any command against the running demo)
    Production:    kcc-hub db upgrade      (once per release)
                   kcc-hub serve           (N of these behind a load balancer)
                   kcc-hub worker          (N of these, sharing REDIS_URL)
                   kcc-hub scheduler       (exactly one)
    """
    if env_file is not None:
        load_env_file(env_file)
    from hub.logging_setup import configure_logging

    configure_logging(os.environ.get("KCC_HUB_LOG_LEVEL", "WARNING"))
    invoked = click.get_current_context().invoked_subcommand
    if invoked not in LONG_RUNNING and not os.environ.get("KCC_HUB_DEBUG"):
        _log_without_tracebacks()


# Processes whose logs are an operator's: they keep tracebacks. A command's log lines are an
# admin's terminal: one line each.
LONG_RUNNING = frozenset({"serve", "worker", "scheduler", "demo"})


class _OneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = (
                f"{record.getMessage()} ({type(error).__name__}; KCC_HUB_DEBUG=1 shows more)"
            )
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def _log_without_tracebacks() -> None:
    for handler in logging.getLogger().handlers:
        # First, before the handler's own filters render the traceback into the message.
        handler.filters.insert(0, _OneLine())


# ---------------------------------------------------------------- config
@main.group()
def config() -> None:
    """Validate per-gemeente configuration."""


@config.command("check")
@config_option
def config_check(config_dir: Path | None) -> None:
    """Validate hub.toml and every config/gemeenten/<code>.toml against the plugins' settings,
    resolve every secret reference and open every file the settings name.

    Prints every problem as FILE: KEY: REASON and exits 1 when there is any.
    """
    from hub.config_check import check_configuration
    from hub.pluginmanager import load_plugins
    from hub.tenants import config_dir as default_dir

    loaded = load_plugins()
    for failure in loaded.failures:
        click.echo(f"warning: plugin {failure.name} not loaded: {failure.error}", err=True)
    directory = config_dir or default_dir()
    tenants, problems = check_configuration(directory, loaded)
    if problems:
        # Plain lines (no wrapping) so admins can grep and diff the report.
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"{len(problems)} problem(s) found in {directory}", err=True)
        sys.exit(1)
    for code, gemeente in sorted(tenants.gemeenten.items()):
        plugins = ", ".join(gemeente.plugins) or "no plugins"
        click.echo(f"{code} {gemeente.naam}: {plugins}")
    click.echo(f"OK: {len(tenants.gemeenten)} gemeente(n) in {directory}")


# ---------------------------------------------------------------- plugins
@main.command("plugins")
def plugins_cmd() -> None:
    """List the plugins found through the 'kcc_hub.plugins' entry points, and any that failed."""
    from rich.table import Table

    from hub.pluginmanager import load_plugins

    loaded = load_plugins()
    table = Table("name", "version", "capabilities", "loaded from", title="Plugins")
    for name, info in sorted(loaded.infos.items()):
        caps = ", ".join(sorted(c.value for c in info.capabilities))
        table.add_row(name, info.version, caps, loaded.sources[name])
    out = console()
    out.print(table)
    for failure in loaded.failures:
        out.print(f"[red]failed[/red] {failure.name}: {failure.error}", highlight=False)


# ---------------------------------------------------------------- token
@main.command("token")
@gemeente_option(multiple=True)
@click.option(
    "--role", "roles", type=ROLE_CHOICES, multiple=True, required=True, help="Repeatable."
)
@click.option("--sub", default="dev-gebruiker", show_default=True, help="Subject (user id).")
@click.option("--name", default=None, help="Display name.")
@click.option("--hours", default=8, show_default=True, type=click.IntRange(1, 24 * 7))
@config_option
def token_cmd(
    gemeenten: tuple[str, ...],
    roles: tuple[str, ...],
    sub: str,
    name: str | None,
    hours: int,
    config_dir: Path | None,
) -> None:
    """Print a development token (HS256). Refuses when no dev key is configured."""
    from hub.auth import issue_dev_token
    from hub.pluginmanager import load_plugins
    from hub.secrets import SecretResolutionError
    from hub.settings_errors import ConfigError
    from hub.tenants import load_tenants

    # Only the auth settings matter here; no need for the logboek keys or a store.
    try:
        tenants = load_tenants(config_dir, load_plugins().settings_models())
    except ConfigError as exc:
        fail(describe(exc), 2)
    auth = tenants.hub.auth
    if len(gemeenten) == 1 and (g := tenants.get(gemeenten[0])) is not None:
        auth = g.auth
    try:
        token = issue_dev_token(
            auth,
            subject=sub,
            gemeenten=list(gemeenten),
            roles=list(roles),
            name=name,
            lifetime_seconds=hours * 3600,
        )
    except SecretResolutionError as exc:
        fail(f"refused: {describe(exc)}")
    click.echo(token)


# ---------------------------------------------------------------- db
@main.group()
def db() -> None:
    """Database migrations (Alembic)."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations to DATABASE_URL (default: SQLite under var/)."""
    from hub.store.migrate import upgrade

    upgrade()
    click.echo("database is up to date")


# ---------------------------------------------------------------- sync
@main.command("sync")
@click.argument("plugin")
@gemeente_option()
@click.option("--full", is_flag=True, help="Ignore the checkpoint and synchronise everything.")
@config_option
def sync_cmd(plugin: str, gemeente: str, full: bool, config_dir: Path | None) -> None:
    """Synchronise PLUGIN for the gemeente now, in this process, with a progress bar.

    For a calendar plugin (exchange) this refreshes the availability of every synced
    medewerker with a mail address.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from hub.beschikbaarheid import is_calendar_plugin, refresh_recorded
    from hub.errors import KccError
    from hub.sync.runner import run_sync

    rt = runtime_for(config_dir)
    out = console()
    if is_calendar_plugin(rt, plugin):
        with out.status(f"{gemeente}/{plugin}: refreshing availability"):
            try:
                count = refresh_recorded(rt, gemeente, plugin)
            except KccError as exc:
                fail(f"refresh failed: {exc.title}: {exc.detail}")
        out.print(f"availability refreshed for {count} mailbox(es)")
        return
    with Progress(
        TextColumn(f"{gemeente}/{plugin}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=out,
        transient=False,
    ) as bar:
        task = bar.add_task("sync", total=None)

        def progress(done: int, total: int | None) -> None:
            if total is not None:
                bar.update(task, total=total)
            bar.advance(task, done)

        try:
            outcome = run_sync(rt, gemeente, plugin, full=full, progress=progress)
        except KccError as exc:
            fail(f"sync failed: {exc.title}: {exc.detail}")
    kind = "full" if outcome.full else "incremental"
    removed = f", {outcome.removed} removed" if outcome.removed else ""
    out.print(
        f"{kind} sync done: {outcome.records} record(s) synchronised{removed}, run {outcome.run_id}"
    )


# ---------------------------------------------------------------- jobs
@main.group()
def jobs() -> None:
    """Background jobs."""


@jobs.command("dead")
@gemeente_option(required=False)
@config_option
def jobs_dead(gemeente: str | None, config_dir: Path | None) -> None:
    """List messages that failed after all retries, newest first."""
    from rich.table import Table

    from hub.jobs.dead_letters import list_dead

    rt = runtime_for(config_dir)
    out = console()
    with rt.store.session() as session:
        rows = list_dead(session, gemeente)
        table = Table(
            "gemeente", "failed at", "actor", "arguments", "retries", "error", title="Dead letters"
        )
        for row in rows:
            table.add_row(
                row.gemeente,
                row.failed_at.isoformat(timespec="seconds"),
                row.actor,
                str(row.arguments.get("args")),
                str(row.retries),
                row.error,
            )
    out.print(table)
    if not rows:
        out.print("no dead letters")


def _register_command_modules() -> None:
    """Commands that live next to what they run (processes) or in their hub area (logboek)."""
    from hub.cli_processes import demo, scheduler_cmd, serve, worker

    for command in (serve, worker, scheduler_cmd, demo):
        main.add_command(command)
    import importlib

    for module_name, attr in (("hub.privacy.cli", "logboek"),):
        try:
            module: Any = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        main.add_command(getattr(module, attr))


_register_command_modules()
