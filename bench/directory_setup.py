"""A configured hub with a large synthetic directory, for the directory benchmarks.

One gemeente (9999) with the AD plugin enabled (it is never contacted: the directory is
served from the store), N demo medewerkers stored through the sync sink as a full sync
would, and one finished sync run. Used by ``bench_directory_http.py`` and by hand for
profiling (``python bench/directory_setup.py DIR`` prints the environment to serve it).
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

GEMEENTE = "9999"
URL = f"/api/v1/gemeenten/{GEMEENTE}/medewerkers"
# What agents type while searching: three-letter prefixes, whole names, tussenvoegsels,
# afdeling and expertise words; a cached mix repeats these.
QUERY_MIX = (
    "jan",
    "jan janssen",
    "van der berg",
    "bak",
    "özd",
    "anna de vries",
    "burgerzaken",
    "pas",
    "j janssen",
    "mulder",
    "el amrani",
    "san",
)
AD_TABLE = """
[plugins.ad]
servers = ["127.0.0.1:9"]
bind_user = "svc-kcchub@gemeente.test"
bind_password = "${KCC_BENCH_AD_UNUSED}"
search_bases = ["OU=Gemeente,DC=gemeente,DC=test"]
"""
LOGBOEK_KEYS = {
    "KCC_LOGBOEK_HMAC_SLEUTEL": "dGVzdC1obWFjLXNsZXV0ZWwtMzItYnl0ZXMtLS0tLS0=",
    "KCC_LOGBOEK_ENCRYPTIE_SLEUTEL": "dGVzdC1hZXMtc2xldXRlbC0zMi1ieXRlcy0tLS0tLS0=",
}


@dataclass(frozen=True)
class Prepared:
    config: Path
    database_url: str
    env: dict[str, str]
    token: str


def prepare(workdir: Path, database_url: str | None, medewerkers: int) -> Prepared:
    """Configuration, migrated store and directory under ``workdir`` (SQLite unless a URL)."""
    from hub.auth import issue_dev_token
    from hub.directory.demo import seed_demo_directory
    from hub.store.db import Store, make_engine
    from hub.store.migrate import upgrade
    from hub.sync import state
    from hub.tenants import AuthSettings

    config = workdir / "config"
    (config / "gemeenten").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "config" / "hub.toml", config / "hub.toml")
    shutil.copytree(REPO / "config" / "privacy", config / "privacy", dirs_exist_ok=True)
    (config / "gemeenten" / f"{GEMEENTE}.toml").write_text('naam = "Voorbeeldstad"\n' + AD_TABLE)
    url = database_url or f"sqlite:///{workdir / 'hub.sqlite3'}"
    env = {
        **LOGBOEK_KEYS,
        "KCC_HUB_DEV_KEY": "bench-dev-key-" + secrets.token_hex(24),
        "KCC_BENCH_AD_UNUSED": "unused",
        "KCC_HUB_LOAD_PLUGINS": "ad",
        "KCC_HUB_CONFIG": str(config),
        "DATABASE_URL": url,
    }
    os.environ.update(env)
    upgrade(url)
    store = Store(make_engine(url))
    seed_demo_directory(store, GEMEENTE, medewerkers)
    with store.session() as session:
        run_id = state.start_run(session, GEMEENTE, "ad", full=True)
        state.finish_run(session, run_id, records=medewerkers, full=True)
    store.engine.dispose()
    auth = AuthSettings.model_validate({"dev_key": "${KCC_HUB_DEV_KEY}"})
    token = issue_dev_token(auth, subject="bench", gemeenten=[GEMEENTE], roles=["kcc-medewerker"])
    return Prepared(config=config, database_url=url, env=env, token=token)


if __name__ == "__main__":
    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    prepared = prepare(target, os.environ.get("BENCH_DATABASE_URL"), count)
    for key, value in prepared.env.items():
        print(f"export {key}={value}")
    print(f"export TOKEN={prepared.token}")
