"""Loopback ZGW double (Zaken API + Catalogi API) for tests and ``make demo``."""

from plugins.zaak.double.server import Faults, ZgwDouble, run_zgw_double

__all__ = ["Faults", "ZgwDouble", "run_zgw_double"]
