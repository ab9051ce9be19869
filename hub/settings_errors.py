"""Readable configuration problems: file, key and reason, for admins and for ``config check``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError


@dataclass(frozen=True, order=True)
class ConfigProblem:
    file: str
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.reason}"


class ConfigError(Exception):
    """Raised when configuration is invalid; carries every problem found, not only the first."""

    def __init__(self, problems: Iterable[ConfigProblem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def problems_from_validation(
    file: Path | str, prefix: str, exc: ValidationError
) -> list[ConfigProblem]:
    """Turn pydantic's errors into one problem per offending key, without echoing secret values."""
    found = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(part) for part in err["loc"] if part != "__root__")
        key = f"{prefix}.{loc}" if prefix and loc else (prefix or loc or "(root)")
        reason = _reason(err)
        found.append(ConfigProblem(str(file), key, reason))
    return found


def _reason(err: Any) -> str:
    kind = err.get("type", "")
    msg = str(err.get("msg", "invalid"))
    if kind == "missing":
        return "required setting is missing"
    if kind == "extra_forbidden":
        return "unknown setting (check the spelling; see the plugin's settings reference)"
    # pydantic prefixes custom errors with "Value error, "; admins do not need that.
    return msg.removeprefix("Value error, ")
