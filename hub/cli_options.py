"""Options shared by every ``kcc-hub`` command group (the core's and the areas' own)."""

from __future__ import annotations

from pathlib import Path

import click

config_option = click.option(
    "--config",
    "config_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="KCC_HUB_CONFIG",
    help="Configuration directory with hub.toml and gemeenten/<code>.toml (default: config/).",
)
