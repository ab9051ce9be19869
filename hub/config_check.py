"""``kcc-hub config check``: everything the hub would trip over at run time, found in one run.

Start-up validation (:func:`hub.runtime.load_configuration`) checks the shape of
the configuration. The check goes further, so that what passes it does not fail
later: it resolves every secret reference (``${ENV_VAR}`` or a file) and opens
every file a setting names (a ``ca_file``, a client certificate, a WSDL, the witness's
TSA certificate), in ``hub.toml`` and in every plugin's settings, and collects every problem of every
gemeente, each as ``FILE: KEY: REASON``. Secret values are never printed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from hub.pluginmanager import LoadedPlugins
from hub.privacy.settings import privacy_problems
from hub.secrets import SecretRef, SecretResolutionError
from hub.settings_errors import ConfigProblem
from hub.tenants import Tenants, config_dir, read_tenants


def _walk(value: Any, key: str) -> Iterator[tuple[str, SecretRef | Path]]:
    """Every secret reference and file path inside a settings value, with its dotted key."""
    if isinstance(value, SecretRef | Path):
        yield key, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name), f"{key}.{name}" if key else name)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, f"{key}.{index}")
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _walk(item, f"{key}.{name}")


def secret_problem(ref: SecretRef) -> str | None:
    """Why this reference cannot be used, or None; never the secret itself."""
    try:
        value = ref.resolve()
    except SecretResolutionError as exc:
        return str(exc)
    if not value:
        return f"{ref.reference} resolves to an empty value"
    return None


def file_problem(path: Path) -> str | None:
    """Why this file cannot be read, or None."""
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except FileNotFoundError:
        return f"file {path} does not exist (relative paths start in the hub's working directory)"
    except IsADirectoryError:
        return f"{path} is a directory; a file is expected"
    except OSError as exc:
        return f"file {path} cannot be read ({exc.strerror or type(exc).__name__})"
    return None


def directory_problem(path: Path) -> str | None:
    """Why this directory cannot be used, or None: it is a directory, or can be made (the hub
    creates it on first use) because its nearest existing parent is a writable directory."""
    if path.exists():
        return None if path.is_dir() else f"{path} is not a directory"
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        return f"directory {path} does not exist and cannot be created in {parent}"
    return None


def _path_problem(key: str, path: Path) -> str | None:
    # Settings named ``directory`` (the witness's anchor store) hold a directory, not a file.
    if key.rsplit(".", 1)[-1] == "directory":
        return directory_problem(path)
    return file_problem(path)


def reference_problems(source: str, prefix: str, settings: BaseModel) -> list[ConfigProblem]:
    """Unresolvable secrets, unreadable files and unusable directories in one settings model."""
    problems = []
    for key, item in _walk(settings, prefix):
        reason = secret_problem(item) if isinstance(item, SecretRef) else _path_problem(key, item)
        if reason is not None:
            problems.append(ConfigProblem(source, key, reason))
    return problems


def check_configuration(
    directory: Path | None, loaded: LoadedPlugins
) -> tuple[Tenants, list[ConfigProblem]]:
    """Validate ``directory`` completely; returns what loaded and every problem found."""
    directory = directory or config_dir()
    tenants, problems = read_tenants(directory, loaded.settings_models())
    problems.extend(privacy_problems(tenants.gemeenten.values()))
    hub_file = str(directory / "hub.toml")
    problems.extend(reference_problems(hub_file, "", tenants.hub))
    for code, gemeente in sorted(tenants.gemeenten.items()):
        source = str(gemeente.source) if gemeente.source else f"gemeente {code}"
        if gemeente.auth is not tenants.hub.auth:
            problems.extend(reference_problems(source, "auth", gemeente.auth))
        for name, settings in gemeente.plugin_settings.items():
            problems.extend(reference_problems(source, f"plugins.{name}", settings))
    return tenants, sorted(set(problems))
