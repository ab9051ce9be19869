"""Plugins import the hub through its one public façade, ``hub.plugin_sdk``."""

from __future__ import annotations

import ast
from pathlib import Path

import hub.plugin_sdk

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"


def _production_modules() -> list[Path]:
    # A plugin's tests/ and double/ are scaffolding: they may use the hub's test helpers.
    return [
        path
        for path in sorted(PLUGINS.rglob("*.py"))
        if not {"tests", "double"} & set(path.relative_to(PLUGINS).parts)
    ]


def _hub_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "hub" or node.module.startswith("hub."):
                found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name == "hub" or a.name.startswith("hub.")]
    return found


def test_plugin_code_imports_the_hub_only_through_the_plugin_sdk() -> None:
    outside = {
        f"{path.relative_to(PLUGINS)}: {module}"
        for path in _production_modules()
        for module in _hub_imports(path)
        if module != "hub.plugin_sdk"
    }
    assert _production_modules(), "no plugin modules found"
    assert outside == set()


def test_everything_the_plugin_sdk_lists_can_be_imported_from_it() -> None:
    missing = [name for name in hub.plugin_sdk.__all__ if not hasattr(hub.plugin_sdk, name)]
    assert missing == []


def test_no_plugin_imports_another_plugin() -> None:
    crossing = set()
    for path in _production_modules():
        own = path.relative_to(PLUGINS).parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if module and module.startswith("plugins.") and module.split(".")[1] != own:
                crossing.add(f"{path.relative_to(PLUGINS)}: {module}")
    assert crossing == set()
