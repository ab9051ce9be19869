"""Loopback Fixi double for tests and ``make demo``."""

from plugins.fixi.double.server import CATEGORIES, FixiDouble, run_fixi_double

__all__ = ["CATEGORIES", "FixiDouble", "run_fixi_double"]
