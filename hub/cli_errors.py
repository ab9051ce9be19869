"""Every ``kcc-hub`` error as one line: what is wrong or missing, and how to provide it.

No traceback reaches an admin's terminal (``KCC_HUB_DEBUG=1`` shows it when a
developer needs it). Exceptions are recognised by their module without importing
it, so ``--help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

import click


class _NeverRaised(click.UsageError):
    pass


# click >= 8.2 raises this for a bare group ("kcc-hub", "kcc-hub logboek").
NO_ARGS_IS_HELP: type[click.UsageError] = getattr(
    click.exceptions, "NoArgsIsHelpError", _NeverRaised
)

DEMO_HINT = "next to a running demo, add --env-file var/demo.env (docs/demo.md)"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "the default SQLite database var/kcc-hub.sqlite3"
    try:
        from sqlalchemy.engine import make_url

        return "DATABASE_URL " + make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "DATABASE_URL (not a valid URL)"


def _is(exc: BaseException, module_prefix: str, *names: str) -> bool:
    """Whether ``exc`` is (a subclass of) one of ``names`` defined under ``module_prefix``."""
    for cls in type(exc).__mro__:
        if cls.__module__.startswith(module_prefix) and (not names or cls.__name__ in names):
            return True
    return False


def describe(exc: BaseException) -> str:
    """One line for an exception a command did not handle itself."""
    if _is(exc, "hub.secrets", "SecretResolutionError"):
        return f"{exc}: set it in the environment, or {DEMO_HINT}"
    if _is(exc, "hub.settings_errors", "ConfigError"):
        problems = getattr(exc, "problems", [])
        if any(getattr(p, "key", "") == "(directory)" for p in problems):
            return (
                f"no configuration found ({problems[0]}): pass --config DIR or set "
                f"KCC_HUB_CONFIG; {DEMO_HINT}"
            )
        first = f"; first: {problems[0]}" if problems else ""
        return (
            f"the configuration is invalid ({len(problems)} problem(s){first}); "
            "'kcc-hub config check' lists them all"
        )
    if _is(exc, "hub.privacy.keys", "SleutelFout"):
        return f"logboek key: {exc}; generate keys as docs/privacy.md describes, or {DEMO_HINT}"
    if _is(exc, "hub.errors"):
        title = getattr(exc, "title", type(exc).__name__)
        return f"{title}: {getattr(exc, 'detail', exc)}"
    if _is(exc, "sqlalchemy"):
        text = str(getattr(exc, "orig", "") or "")
        if "no such table" in text or ("does not exist" in text and "relation" in text):
            return (
                f"{_database_url()} has no hub tables: run 'kcc-hub db upgrade', "
                f"or point DATABASE_URL at the hub's database; {DEMO_HINT}"
            )
        return (
            f"cannot use {_database_url()} ({type(getattr(exc, 'orig', exc)).__name__}): "
            f"set DATABASE_URL to the hub's database, or {DEMO_HINT}"
        )
    if _is(exc, "redis"):
        return (
            f"cannot reach Redis ({type(exc).__name__}): check REDIS_URL, or unset it to use "
            "the in-process broker of a single process"
        )
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or type(exc).__name__}"
    first_line = (str(exc).strip().splitlines() or [""])[0][:200]
    return (
        f"unexpected {type(exc).__name__}"
        + (f": {first_line}" if first_line else "")
        + " (KCC_HUB_DEBUG=1 shows the traceback)"
    )


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


class KccGroup(click.Group):
    """The root group: turns every error into one ``error: …`` line and an exit status.

    Usage errors exit 2, configuration and runtime errors 1 (as before), Ctrl+C 130.
    """

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NO_ARGS_IS_HELP as exc:
            # A group without a command: its help, as asked for implicitly.
            click.echo(exc.format_message())
            sys.exit(0)
        except click.UsageError as exc:
            hint = f" ('{exc.ctx.command_path} --help' lists the options)" if exc.ctx else ""
            _fail(f"{exc.format_message()}{hint}", exc.exit_code)
        except click.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except click.Abort:
            _fail("aborted", 1)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except Exception as exc:
            if os.environ.get("KCC_HUB_DEBUG"):
                raise
            _fail(describe(exc), 1)
        sys.exit(result if isinstance(result, int) else 0)
