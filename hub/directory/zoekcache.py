"""A per-process cache of directory answers, correct across processes through generations.

Agents search while they type, so the same few prefixes ("jan", "jan j", "van der") come
in again and again, while the directory itself changes once per sync. An entry is the
finished JSON body of one answer, keyed by the request and by the gemeente's generation
(:mod:`hub.store.generaties`), which every sync batch, finished sync run and availability
refresh bumps in its own transaction, whichever process runs it. So a cached answer is
served only while nothing it was built from has changed; the next request after a change
reads the new generation and builds a new answer.

``MAX_AGE`` bounds what a writer outside the hub (a hand-edited table) could leave stale.
One cache per store (a process normally has one; tests build many).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Hashable

from hub.store.db import Store

MAX_ENTRIES = 1024
MAX_AGE_SECONDS = 60.0

_Key = tuple[str, Hashable]


class ZoekCache:
    """Answers (bytes) by (gemeente, request), valid for one generation; least recently used
    entries go first."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_age: float = MAX_AGE_SECONDS) -> None:
        self.max_entries = max_entries
        self.max_age = max_age
        self._entries: OrderedDict[_Key, tuple[int, float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, gemeente: str, generatie: int, request: Hashable) -> bytes | None:
        key = (gemeente, request)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            stored_generatie, stored_at, body = entry
            if stored_generatie != generatie or time.monotonic() - stored_at > self.max_age:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return body

    def put(self, gemeente: str, generatie: int, request: Hashable, body: bytes) -> None:
        key = (gemeente, request)
        with self._lock:
            self._entries[key] = (generatie, time.monotonic(), body)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


_caches: weakref.WeakKeyDictionary[Store, ZoekCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_for(store: Store) -> ZoekCache:
    with _caches_lock:
        cache = _caches.get(store)
        if cache is None:
            cache = _caches[store] = ZoekCache()
        return cache
