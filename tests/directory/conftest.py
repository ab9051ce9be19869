"""The directory tests against a real Samba AD DC and a store with the directory tables.

The Samba DC and the store come from the AD plugin's test fixtures: the hub's directory
search and sync runner are tested on what the real plugin delivers.
"""

from plugins.ad.tests.conftest import directory, directory_pg_engine, samba, store

__all__ = ["directory", "directory_pg_engine", "samba", "store"]
