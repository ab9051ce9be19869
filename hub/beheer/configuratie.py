"""The configuration check (``kcc-hub config check``) for one gemeente's beheerder.

The files are read again from disk, so a beheerder sees whether the configuration the next
start will load is valid, not only the one running now. Problems in another gemeente's file
are left out: a beheerder of one gemeente has no business with another's settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hub.pluginmanager import LoadedPlugins
from hub.runtime import load_configuration
from hub.settings_errors import ConfigError, ConfigProblem
from hub.tenants import Gemeente, config_dir


@dataclass(frozen=True)
class ConfigCheck:
    map: str
    problemen: list[ConfigProblem]
    plugins: list[str]
    sync_intervallen: dict[str, int] = field(default_factory=dict)
    niet_geladen: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problemen


def _directory(gemeente: Gemeente) -> Path:
    if gemeente.source is not None:
        return gemeente.source.parent.parent
    return config_dir()


def _voor_gemeente(problem: ConfigProblem, directory: Path, code: str) -> bool:
    gemeenten = directory / "gemeenten"
    path = Path(problem.file)
    if path.parent == gemeenten and path.suffix == ".toml":
        return path.stem == code
    return True


def config_check(loaded: LoadedPlugins, gemeente: Gemeente) -> ConfigCheck:
    directory = _directory(gemeente)
    problemen: list[ConfigProblem] = []
    try:
        tenants = load_configuration(directory, loaded)
    except ConfigError as exc:
        problemen = sorted(p for p in exc.problems if _voor_gemeente(p, directory, gemeente.code))
        tenants = None
    opnieuw = tenants.get(gemeente.code) if tenants is not None else None
    if tenants is not None and opnieuw is None:
        problemen.append(
            ConfigProblem(str(directory / "gemeenten"), gemeente.code, "file no longer exists")
        )
    bron = opnieuw or gemeente
    return ConfigCheck(
        map=str(directory),
        problemen=problemen,
        plugins=list(bron.plugins),
        sync_intervallen=dict(bron.sync_intervals),
        niet_geladen=[f"{f.name}: {f.error}" for f in loaded.failures],
    )
