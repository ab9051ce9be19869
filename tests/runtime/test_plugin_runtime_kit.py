"""The plugin runtime kit: one Retry-After parser, core-built clients, no plugin retry loops
or client caches (issue 12, acceptance 3)."""

from __future__ import annotations

import ast
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from hub.plugin_clients import ClientRegistry
from hub.retry_after import retry_after_seconds

REPO = Path(__file__).resolve().parents[2]
PLUGINS = REPO / "plugins"
NOW = datetime(2026, 12, 2, 4, 0, 0, tzinfo=UTC)


def test_retry_after_in_seconds() -> None:
    assert retry_after_seconds("120", now=NOW) == 120.0


def test_retry_after_as_an_http_date_is_the_seconds_until_then() -> None:
    assert retry_after_seconds("Wed, 02 Dec 2026 04:00:30 GMT", now=NOW) == 30.0


def test_retry_after_in_the_past_means_now() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=NOW) == 0.0


def test_an_unreadable_or_missing_retry_after_is_no_advice_not_an_error() -> None:
    assert [retry_after_seconds(v, now=NOW) for v in (None, "", "soon", "-5", "1.5e3x")] == [
        None
    ] * 5


class _Settings(BaseModel):
    url: str


class _Client:
    def __init__(self, settings: _Settings) -> None:
        self.settings = settings
        self.closed = False

    def close(self) -> None:
        self.closed = True


def test_a_client_is_built_once_per_gemeente_and_settings_and_replaced_when_they_change() -> None:
    built: list[tuple[str, str]] = []

    def build(gemeente: str, plugin: str, settings: BaseModel) -> _Client:
        built.append((gemeente, plugin))
        assert isinstance(settings, _Settings)
        return _Client(settings)

    registry = ClientRegistry(build)
    first = registry.get("9999", "fixi", _Settings(url="https://a"))
    assert registry.get("9999", "fixi", _Settings(url="https://a")) is first
    other = registry.get("0363", "fixi", _Settings(url="https://a"))
    changed = registry.get("9999", "fixi", _Settings(url="https://b"))

    assert built == [("9999", "fixi"), ("0363", "fixi"), ("9999", "fixi")]
    assert first.closed and not changed.closed and other is not first


def test_closing_the_registry_closes_every_client() -> None:
    registry = ClientRegistry(lambda g, p, s: _Client(s))  # type: ignore[arg-type]
    clients = [registry.get(g, "fixi", _Settings(url="https://a")) for g in ("9999", "0363")]

    registry.close()

    assert all(c.closed for c in clients)


def test_no_plugin_uses_tenacity() -> None:
    found = subprocess.run(
        ["grep", "-rn", "tenacity", str(PLUGINS)], capture_output=True, text=True, check=False
    )
    assert found.stdout == ""


def _module_level_state(path: Path) -> list[str]:
    """Module-level locks and caches: a plugin keeps state in its core-built client instead."""
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if isinstance(value, ast.Call):
            called = ast.unparse(value.func)
            if called.endswith(("Lock", "RLock", "Client", "Cache", "_Tokens", "_Categories")):
                found.append(f"{path.relative_to(PLUGINS)}: {ast.unparse(node)}")
        elif isinstance(value, ast.Dict) and not value.keys:
            found.append(f"{path.relative_to(PLUGINS)}: {ast.unparse(node)}")
    return found


def test_no_plugin_keeps_a_module_level_client_cache() -> None:
    modules = [
        p
        for p in PLUGINS.rglob("*.py")
        if not {"tests", "double"} & set(p.relative_to(PLUGINS).parts)
    ]
    assert [hit for path in modules for hit in _module_level_state(path)] == []


def test_every_http_plugin_builds_its_client_through_the_core() -> None:
    from hub.pluginmanager import implements, load_plugins

    loaded = load_plugins()
    for name in ("ad", "brp", "exchange", "fixi", "openklant", "zaak"):
        assert implements(loaded.manager, name, "kcc_build_client"), name
