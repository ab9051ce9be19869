"""The runnable examples of the documentation (see docs/demo.md, "Examples in these docs are
tested"): fenced ``sh`` blocks whose first line is ``# expect: NNN``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^\s*```(?P<lang>[A-Za-z]*)\s*$")
MARKER = re.compile(r"^\s*#\s*expect:\s*(?P<status>[1-5][0-9]{2})\s*$")
SHELLS = frozenset({"sh", "bash", "shell", "console"})


@dataclass(frozen=True)
class Example:
    file: str
    line: int
    expected: int
    script: str

    @property
    def name(self) -> str:
        return f"{self.file}:{self.line}"


def examples_in(path: Path, root: Path) -> list[Example]:
    """The marked shell blocks of one Markdown file, in order."""
    found = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if fence is None:
            index += 1
            continue
        start = index
        index += 1
        body: list[str] = []
        while index < len(lines) and not FENCE.match(lines[index]):
            body.append(lines[index])
            index += 1
        index += 1  # the closing fence
        first = next((line for line in body if line.strip()), "")
        marker = MARKER.match(first)
        if fence["lang"] in SHELLS and marker is not None:
            found.append(
                Example(
                    file=str(path.relative_to(root)),
                    line=start + 1,
                    expected=int(marker["status"]),
                    script="\n".join(body),
                )
            )
    return found


def documented_examples(root: Path) -> list[Example]:
    """Every marked example in README.md and docs/*.md."""
    files = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    return [example for path in files if path.exists() for example in examples_in(path, root)]
