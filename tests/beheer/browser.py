"""Driving Debian's Chromium with Playwright: launch, axe-core, keyboard check, screenshots.

No browser is downloaded: Playwright launches ``/usr/bin/chromium`` (``make test`` installs
Debian's ``chromium`` and ``chromium-driver`` when run as root). axe-core comes from the npm
registry into ``.tools/node`` (``KCC_AXE`` names the file) and is evaluated in each page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO / "var" / "screenshots"
# WCAG 2.0 and 2.1, levels A and AA: what gemeenten are bound to.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_source() -> str:
    path = Path(os.environ.get("KCC_AXE") or REPO / ".tools/node/node_modules/axe-core/axe.min.js")
    if not path.is_file():
        pytest.skip(f"axe-core is not installed at {path} (make test installs it into .tools/node)")
    return path.read_text(encoding="utf-8")


@contextmanager
def chromium(profile: Path) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed (make test installs chromium and "
            "chromium-driver when run as root)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),  # a fresh --user-data-dir
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            accept_downloads=True,
            locale="nl-NL",
            timezone_id="Europe/Amsterdam",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(20_000)
        try:
            yield context
        finally:
            context.close()


_MARK_FOCUSABLE = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])';
  const all = Array.from(document.querySelectorAll(selector))
    .filter(e => !e.disabled && e.getClientRects().length > 0);
  all.forEach((e, i) => e.setAttribute('data-kb', String(i)));
  return all.length;
}"""


@dataclass
class Tab:
    """One page of the browser for one test, with what it saw."""

    page: Any
    test: str
    axe: str
    urls: list[str] = field(default_factory=list)
    html: dict[str, str] = field(default_factory=dict)

    def check(self, label: str, *, keyboard: bool = True) -> None:
        """Screenshot, every control reachable by Tab, axe-core with 0 violations.

        Call it right after a navigation: the keyboard check starts from a fresh page.
        """
        self.page.wait_for_load_state("load")
        self.html[f"{label} {self.page.url}"] = self.page.content()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^a-z0-9-]+", "-", f"{self.test}-{label}".lower()).strip("-")
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        if keyboard:
            self.keyboard_reaches_everything(label)
        self.page.evaluate(self.axe)
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        violations = [
            f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
        ]
        assert violations == [], f"axe-core on {label} ({self.page.url}): {violations}"

    def keyboard_reaches_everything(self, label: str) -> None:
        count = self.page.evaluate(_MARK_FOCUSABLE)
        seen: list[str | None] = []
        wanted = {str(i) for i in range(count)}
        # A date field takes a Tab per part (day, month, year), hence the margin.
        for _ in range(count * 4 + 4):
            self.page.keyboard.press("Tab")
            seen.append(self.page.evaluate("() => document.activeElement.getAttribute('data-kb')"))
            if wanted <= set(seen):
                break
        assert (
            seen[0] == "0"
            and self.page.evaluate("() => document.querySelector('[data-kb=\"0\"]').className")
            == "skip-link"
        ), f"{label}: the first Tab does not reach the skip link"
        missing = wanted - set(seen)
        assert not missing, f"{label}: {len(missing)} control(s) not reachable by keyboard"
