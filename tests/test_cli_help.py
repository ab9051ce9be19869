"""``kcc-hub --help`` and every subcommand's ``--help`` answer fast: they import neither the
web framework, the database layer, any plugin nor their clients (measured in modules loaded,
not in seconds: see bench/ for timings)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from hub.cli import main

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("fastapi", "starlette", "sqlalchemy", "exchangelib", "zeep", "ldap3", "pydantic",
         "uvicorn", "dramatiq", "httpx", "cryptography", "plugins", "rich")  # fmt: skip


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            paths += command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


PATHS = command_paths(main)

_PROBE = """
import sys
sys.argv = ["kcc-hub", *{args!r}, "--help"]
try:
    from hub.cli import main
    main()
except SystemExit as exit:
    code = exit.code
heavy = sorted({{name.split(".")[0] for name in sys.modules}} & set({heavy!r}))
print("\\n" + __import__("json").dumps({{"code": code, "heavy": heavy}}))
"""


def test_every_command_is_listed() -> None:
    names = {" ".join(p) for p in PATHS}
    assert {
        "demo",
        "serve",
        "worker",
        "scheduler",
        "config check",
        "logboek verify",
        "logboek anchor",
    } <= names


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "kcc-hub")
def test_help_loads_no_heavy_module(path: tuple[str, ...]) -> None:
    script = _PROBE.format(args=list(path), heavy=list(HEAVY))
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["code"] in (0, None), result.stdout + result.stderr
    assert outcome["heavy"] == [], f"'{' '.join(path)} --help' imports {outcome['heavy']}"
    assert "Usage:" in result.stdout


def test_the_gemeente_option_is_spelled_the_same_everywhere() -> None:
    spellings = set()
    for path in PATHS:
        command: click.Command = main
        for name in path:
            assert isinstance(command, click.Group)
            command = command.commands[name]
        for param in command.params:
            if "gemeente" in (param.name or "") or "gemeente" in " ".join(param.opts):
                spellings.add((tuple(param.opts), param.param_type_name))
    assert spellings == {(("--gemeente", "-g"), "option")}
