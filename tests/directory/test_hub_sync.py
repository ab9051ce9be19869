"""The AD plugin inside the hub: the core's sync runner stores the directory, search serves it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import hub.directory
from hub.errors import UpstreamUnavailable
from hub.runtime import Runtime
from hub.store.migrate import upgrade
from hub.sync import state
from hub.sync.runner import run_sync
from plugins.ad.double.samba import add_people, make_people
from plugins.ad.tests.conftest import GEMEENTE_OU, PASSWORD_ENV, Directory

pytestmark = pytest.mark.samba
REPO = Path(__file__).resolve().parents[2]


def _toml_table(name: str, values: dict[str, object]) -> str:
    lines = [f"[{name}]"]
    nested = []
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, dict):
            nested.append(_toml_table(f"{name}.{key}", value))
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n" + "".join(nested)


@pytest.fixture
def runtime(
    directory: Directory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dev_key: str
) -> Runtime:
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "ad")
    config = tmp_path / "config"
    (config / "gemeenten").mkdir(parents=True)
    shutil.copy(REPO / "config" / "hub.toml", config / "hub.toml")
    settings = directory.settings().model_dump(mode="json")
    settings["bind_password"] = "${" + PASSWORD_ENV + "}"
    (config / "gemeenten" / "9999.toml").write_text(
        'naam = "Voorbeeldstad"\n' + _toml_table("plugins.ad", settings), encoding="utf-8"
    )
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    return Runtime.build(config_dir=config, database_url=url)


def _find(rt: Runtime, zoek: str) -> list[tuple[str, object]]:
    with rt.store.session() as session:
        found, _total = hub.directory.search(session, "9999", zoek, limit=5)
    return [(m.account_naam or "", synced) for m, synced in found]


def test_the_runner_stores_the_directory_and_keeps_serving_it_while_the_dc_is_down(
    runtime: Runtime, directory: Directory
) -> None:
    first = run_sync(runtime, "9999", "ad")
    assert first.status == "ok" and first.full
    person = directory.people[42]
    found = _find(runtime, f"{person.voornaam} {person.sn}")
    assert person.sam in [account for account, _ in found]
    synced_at = dict(found)[person.sam]

    directory.dc.stop()
    try:
        with pytest.raises(UpstreamUnavailable):
            run_sync(runtime, "9999", "ad")
        with runtime.store.session() as session:
            failed = state.last_runs(session, "9999", "ad", limit=1)[0]
            assert failed.status == "failed"
        # The last synced directory still answers, with its timestamp.
        assert dict(_find(runtime, f"{person.voornaam} {person.sn}"))[person.sam] == synced_at
    finally:
        directory.dc.start()

    (late,) = make_people(1, seed=21, prefix="rt")
    with directory.dc.connection() as conn:
        add_people(conn, [late], f"OU=Runner,{GEMEENTE_OU}")
    caught_up = run_sync(runtime, "9999", "ad")
    assert caught_up.status == "ok" and not caught_up.full
    assert late.sam in [account for account, _ in _find(runtime, late.sam)]
