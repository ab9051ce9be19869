"""``kcc-hub``: the command line for IT admins and privacy officers.

Every command reads configuration from ``--config`` (default ``config/`` or
``KCC_HUB_CONFIG``) and the store from ``DATABASE_URL`` (default SQLite under
``var/``). Exit status is non-zero on any problem, so commands compose in scripts.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hub import __version__
from hub.cli_options import config_option
from hub.settings_errors import ConfigError

console = Console(stderr=False)
err = Console(stderr=True)

ROLE_CHOICES = click.Choice(
    ["kcc-medewerker", "backoffice", "privacy-officer", "beheerder", "teamleider"]
)


def _runtime(config_dir: Path | None):  # type: ignore[no-untyped-def]
    from hub.runtime import Runtime

    try:
        return Runtime.build(config_dir=config_dir)
    except ConfigError as exc:
        err.print("[red]Configuration is invalid:[/red]")
        for problem in exc.problems:
            err.print(f"  {problem}", markup=False, highlight=False)
        err.print("Run 'kcc-hub config check' for the full report.")
        sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="kcc-hub")
def main() -> None:
    """KCC Hub: one API over the directory, calendars, BRP, zaaksystemen and meldingen
    for a gemeente's klantcontactcentrum.

    \b
    Quick start:   kcc-hub demo            (everything in one process, demo gemeente 9999)
    Production:    kcc-hub db upgrade      (once per release)
                   kcc-hub serve           (N of these behind a load balancer)
                   kcc-hub worker          (N of these, sharing REDIS_URL)
                   kcc-hub scheduler       (exactly one)
    """
    from hub.logging_setup import configure_logging

    configure_logging(os.environ.get("KCC_HUB_LOG_LEVEL", "WARNING"))


# ---------------------------------------------------------------- config
@main.group()
def config() -> None:
    """Validate per-gemeente configuration."""


@config.command("check")
@config_option
def config_check(config_dir: Path | None) -> None:
    """Validate hub.toml and every config/gemeenten/<code>.toml against the plugins' settings.

    Prints every problem as FILE: KEY: REASON and exits 1 when there is any.
    """
    from hub.pluginmanager import load_plugins
    from hub.runtime import load_configuration
    from hub.tenants import config_dir as default_dir

    loaded = load_plugins()
    for failure in loaded.failures:
        click.echo(f"warning: plugin {failure.name} not loaded: {failure.error}", err=True)
    directory = config_dir or default_dir()
    try:
        tenants = load_configuration(directory, loaded)
    except ConfigError as exc:
        # Plain lines (no wrapping) so admins can grep and diff the report.
        for problem in exc.problems:
            click.echo(str(problem))
        click.echo(f"{len(exc.problems)} problem(s) found in {directory}", err=True)
        sys.exit(1)
    for code, gemeente in sorted(tenants.gemeenten.items()):
        plugins = ", ".join(gemeente.plugins) or "no plugins"
        click.echo(f"{code} {gemeente.naam}: {plugins}")
    click.echo(f"OK: {len(tenants.gemeenten)} gemeente(n) in {directory}")


# ---------------------------------------------------------------- plugins
@main.command("plugins")
def plugins_cmd() -> None:
    """List the plugins found through the 'kcc_hub.plugins' entry points, and any that failed."""
    from hub.pluginmanager import load_plugins

    loaded = load_plugins()
    table = Table("name", "version", "capabilities", "loaded from", title="Plugins")
    for name, info in sorted(loaded.infos.items()):
        caps = ", ".join(sorted(c.value for c in info.capabilities))
        table.add_row(name, info.version, caps, loaded.sources[name])
    console.print(table)
    for failure in loaded.failures:
        console.print(f"[red]failed[/red] {failure.name}: {failure.error}", highlight=False)


# ---------------------------------------------------------------- token
@main.command("token")
@click.option("--gemeente", "gemeenten", multiple=True, required=True, help="CBS code; repeatable.")
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
    from hub.tenants import load_tenants

    # Only the auth settings matter here; no need for the logboek keys or a store.
    try:
        tenants = load_tenants(config_dir, load_plugins().settings_models())
    except ConfigError as exc:
        for problem in exc.problems:
            err.print(f"  {problem}", markup=False, highlight=False)
        sys.exit(2)
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
        err.print(f"refused: {exc}", markup=False)
        sys.exit(1)
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
    console.print("database is up to date")


# ---------------------------------------------------------------- sync
@main.command("sync")
@click.argument("gemeente")
@click.argument("plugin")
@click.option("--full", is_flag=True, help="Ignore the checkpoint and synchronise everything.")
@config_option
def sync_cmd(gemeente: str, plugin: str, full: bool, config_dir: Path | None) -> None:
    """Synchronise PLUGIN for GEMEENTE now, in this process, with a progress bar.

    For a calendar plugin (exchange) this refreshes the availability of every synced
    medewerker with a mail address.
    """
    from hub.errors import KccError
    from hub.plugin_api import Capability
    from hub.pluginmanager import implements
    from hub.sync.runner import run_sync

    rt = _runtime(config_dir)
    info = rt.loaded.infos.get(plugin)
    if (
        info is not None
        and Capability.BESCHIKBAARHEID in info.capabilities
        and not implements(rt.loaded.manager, plugin, "kcc_sync")
    ):
        from hub.beschikbaarheid import refresh_gemeente

        with console.status(f"{gemeente}/{plugin}: refreshing availability"):
            try:
                count = refresh_gemeente(rt.store, rt.host, gemeente)
            except KccError as exc:
                err.print(f"refresh failed: {exc.title}: {exc.detail}", markup=False)
                sys.exit(1)
        console.print(f"availability refreshed for {count} mailbox(es)")
        return
    with Progress(
        TextColumn(f"{gemeente}/{plugin}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
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
            err.print(f"sync failed: {exc.title}: {exc.detail}", markup=False)
            sys.exit(1)
    kind = "full" if outcome.full else "incremental"
    console.print(f"{kind} sync done: {outcome.records} record(s), run {outcome.run_id}")


# ---------------------------------------------------------------- jobs
@main.group()
def jobs() -> None:
    """Background jobs."""


@jobs.command("dead")
@click.option("--gemeente", default=None, help="Only this gemeente.")
@config_option
def jobs_dead(gemeente: str | None, config_dir: Path | None) -> None:
    """List messages that failed after all retries, newest first."""
    from hub.jobs.dead_letters import list_dead

    rt = _runtime(config_dir)
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
    console.print(table)
    if not rows:
        console.print("no dead letters")


# ---------------------------------------------------------------- processes
@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="Uvicorn worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Run the API (production: behind a TLS-terminating load balancer, REDIS_URL set)."""
    import uvicorn

    from hub.api.server import run_options

    uvicorn.run(
        "hub.api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        **run_options(),
    )


@main.command("worker")
@click.option("--threads", default=4, show_default=True, type=int)
@click.option("--processes", default=1, show_default=True, type=int)
def worker(threads: int, processes: int) -> None:
    """Run Dramatiq workers for syncs, mail and the outbox (needs REDIS_URL)."""
    if not os.environ.get("REDIS_URL"):
        err.print(
            "REDIS_URL is not set: a separate worker needs the Redis broker "
            "(the embedded default runs its worker inside 'kcc-hub demo')."
        )
        sys.exit(2)
    from dramatiq.cli import main as dramatiq_main

    sys.argv = [
        "dramatiq",
        "hub.jobs.worker_entry",
        "--threads",
        str(threads),
        "--processes",
        str(processes),
    ]
    sys.exit(dramatiq_main())  # type: ignore[no-untyped-call]


@main.command("scheduler")
@click.option(
    "--every", default=15.0, show_default=True, type=float, help="Seconds between checks."
)
@config_option
def scheduler_cmd(every: float, config_dir: Path | None) -> None:
    """Enqueue periodic syncs per gemeente × plugin. Run exactly one."""
    import signal
    import threading

    from hub.jobs.context import install_runtime
    from hub.scheduler import run_forever

    rt = _runtime(config_dir)
    install_runtime(rt)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        run_forever(rt, stop, every)
    except KeyboardInterrupt:
        stop.set()


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-doubles", is_flag=True, help="Do not start the local test doubles.")
def demo(host: str, port: int, no_doubles: bool) -> None:
    """Run everything in one process: API, worker, scheduler, SQLite under var/, test doubles."""
    from hub.demo import run_demo

    run_demo(host=host, port=port, start_doubles=not no_doubles)


def _register_optional_groups() -> None:
    """Commands contributed by hub areas that may not be installed in every build."""
    for module_name, attr in (("hub.privacy.cli", "logboek"),):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        main.add_command(getattr(module, attr))


_register_optional_groups()
