"""The demo gemeente's medewerkers directory for ``kcc-hub demo``.

Where Samba can run (root, or Samba already installed) the demo provisions a
throw-away Samba AD DC, fills it with synthetic medewerkers and enables the
``ad`` plugin against it, so the first sync is the real LDAPS code path. Where
it cannot, the directory is seeded through the same sink a full sync uses and
the ``ad`` plugin points at an address where no DC answers (so ``/plugins``
honestly shows it as down).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DEMO_OU = "OU=Gemeente,DC=gemeente,DC=test"
DEMO_PEOPLE = 250


@dataclass(frozen=True)
class DemoDirectory:
    config_dir: Path
    description: str
    real_dc: bool


def _ad_table(host: str, ca_file: str | None, base: str) -> str:
    ca = f'ca_file = "{ca_file}"\n' if ca_file else ""
    return (
        "\n# ------------------------------------------------------------------ Active Directory"
        "\n# Written by `kcc-hub demo`: the throw-away demo DC (see devkit/demo_directory.py).\n"
        "[plugins.ad]\n"
        f'servers = ["{host}"]\n'
        'tls = "ldaps"\n'
        f"{ca}"
        'bind_user = "Administrator@gemeente.test"\n'
        'bind_password = "${KCC_DEMO_AD_PASSWORD}"\n'
        f'search_bases = ["{base}"]\n'
    )


def _overlay(source: Path, target: Path, gemeente: str, table: str) -> Path:
    """A copy of the configuration with the demo DC added to the demo gemeente's file."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    path = target / "gemeenten" / f"{gemeente}.toml"
    path.write_text(path.read_text(encoding="utf-8") + table, encoding="utf-8")
    return target


def _samba_possible() -> bool:
    return os.geteuid() == 0 or shutil.which("samba-tool") is not None


@contextlib.contextmanager
def demo_directory(source: Path, workdir: Path, gemeente: str) -> Iterator[DemoDirectory]:
    target = workdir / "demo-config"
    if _samba_possible():
        from plugins.ad.double.samba import (
            SambaUnavailableError,
            add_people_parallel,
            make_people,
            samba_dc,
        )

        try:
            with samba_dc() as dc:
                people = make_people(DEMO_PEOPLE, seed=9999, prefix="mw")
                add_people_parallel(dc, people, DEMO_OU)
                os.environ["KCC_DEMO_AD_PASSWORD"] = dc.admin_password
                table = _ad_table(dc.host, str(dc.tls.ca_file), DEMO_OU)
                yield DemoDirectory(
                    _overlay(source, target, gemeente, table),
                    f"Active Directory (Samba AD DC) on ldaps://{dc.host}, {len(people)} medewerkers",
                    real_dc=True,
                )
                return
        except SambaUnavailableError as exc:
            log.warning("no demo DC (%s); seeding the directory instead", exc)
    os.environ.setdefault("KCC_DEMO_AD_PASSWORD", "no-dc-in-this-demo")
    # 127.0.0.1:1: nothing answers there, so the plugin is reported down, not pretending.
    table = _ad_table("127.0.0.1:1", None, DEMO_OU)
    yield DemoDirectory(
        _overlay(source, target, gemeente, table),
        "Active Directory: none (no root for Samba); directory seeded through the sync sink",
        real_dc=False,
    )
