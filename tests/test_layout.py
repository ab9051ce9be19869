"""The layout rules of the code base (issue 12): small hub modules, hub independent of the
plugins, the hub's tests under tests/."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MAX_LINES = 500


def _hub_modules() -> list[Path]:
    return sorted((REPO / "hub").rglob("*.py"))


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_no_module_in_hub_is_over_500_lines() -> None:
    too_long = {
        str(p.relative_to(REPO)): n
        for p in _hub_modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


def test_nothing_in_hub_imports_the_plugins_or_the_devkit() -> None:
    offenders = {
        str(p.relative_to(REPO)): sorted(
            m for m in _imported(p) if m.split(".")[0] in ("plugins", "devkit", "tests")
        )
        for p in _hub_modules()
    }
    # The demo command loads devkit only when run from a checkout (hub/cli_processes.py).
    offenders["hub/cli_processes.py"] = [
        m for m in offenders.get("hub/cli_processes.py", []) if m != "devkit.demo"
    ]
    assert {k: v for k, v in offenders.items() if v} == {}


def test_plugin_tests_test_their_plugin_not_the_hub() -> None:
    """A test under plugins/NAME/tests/ uses its plugin or its double (imported, or run as
    ``python -m plugins.NAME…``); one that only exercises hub code belongs in tests/."""
    misplaced = []
    for path in sorted((REPO / "plugins").glob("*/tests/test_*.py")):
        if f"plugins.{path.parts[-3]}" not in path.read_text(encoding="utf-8"):
            misplaced.append(str(path.relative_to(REPO)))
    assert misplaced == []
