"""What a feature package needs of one API request: who asks, for which gemeente, and the
means to answer. The API's ``Tenant`` has exactly this shape; jobs and benches build one."""

from __future__ import annotations

from typing import Protocol

from hub.caller import Caller
from hub.pluginmanager import PluginHost
from hub.store.db import Store
from hub.tenants import Gemeente


class Verzoek(Protocol):
    @property
    def gemeente(self) -> Gemeente: ...

    @property
    def caller(self) -> Caller: ...

    @property
    def store(self) -> Store: ...

    @property
    def plugins(self) -> PluginHost: ...

    @property
    def trace_id(self) -> str: ...
