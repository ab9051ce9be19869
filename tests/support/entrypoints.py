"""Install a plugin through a real entry point, the way pip would, into a temporary site directory.

A ``*.dist-info`` directory with ``entry_points.txt`` on ``sys.path`` is exactly
what ``importlib.metadata`` reads for an installed distribution, so the hub
finds the plugin through the ``kcc_hub.plugins`` group with no special casing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def install_plugin_distribution(
    site: Path, dist: str, entry_name: str, module_name: str, source: str
) -> Path:
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module_name}.py").write_text(source, encoding="utf-8")
    info = site / f"{dist}-1.0.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[kcc_hub.plugins]\n{entry_name} = {module_name}\n", encoding="utf-8"
    )
    return site


@contextmanager
def on_sys_path(site: Path) -> Iterator[None]:
    sys.path.insert(0, str(site))
    try:
        yield
    finally:
        sys.path.remove(str(site))
        for name in [m for m in sys.modules if m.startswith("kcc_thirdparty")]:
            del sys.modules[name]
