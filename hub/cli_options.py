"""Options shared by every ``kcc-hub`` command group (the core's and the areas' own).

Kept free of heavy imports: ``kcc-hub --help`` and every ``--help`` import this module.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

config_option = click.option(
    "--config",
    "config_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="KCC_HUB_CONFIG",
    help="Configuration directory with hub.toml and gemeenten/<code>.toml (default: config/).",
)

GEMEENTE_HELP = "Four-digit CBS gemeentecode, e.g. 0363."


def gemeente_option(*, required: bool = True, multiple: bool = False) -> Callable[[F], F]:
    """``--gemeente``/``-g``: the one spelling of the gemeente in every command."""
    help_text = GEMEENTE_HELP + (" Repeatable." if multiple else "")
    if not required:
        help_text += " Default: every gemeente."
    return click.option(
        "--gemeente",
        "-g",
        "gemeenten" if multiple else "gemeente",
        required=required,
        multiple=multiple,
        metavar="CODE",
        help=help_text,
    )


DEMO_ENV_FILE = Path("var") / "demo.env"


def load_env_file(path: Path) -> list[str]:
    """Put the ``KEY=value`` lines of ``path`` into the environment; return the keys set.

    The file's values win over the shell's: pointing the CLI at the demo means using the
    demo's configuration directory, database and secrets.
    """
    from dotenv import dotenv_values

    if not path.is_file():
        raise click.ClickException(
            f"--env-file {path}: no such file; start the demo first (make demo), "
            f"which writes {DEMO_ENV_FILE}, or give the path of that file"
        )
    values = dotenv_values(path)
    for key, value in values.items():
        if value is not None:
            os.environ[key] = value
    return sorted(k for k, v in values.items() if v is not None)
