"""Loopback BRP test doubles: Haal Centraal BRP Personen v2 and a StUF-BG 0204 responder."""

from plugins.brp.double.haalcentraal import HaalCentraalDouble, run_haalcentraal_double
from plugins.brp.double.stufbg import StufBgDouble, run_stufbg_double

__all__ = ["HaalCentraalDouble", "StufBgDouble", "run_haalcentraal_double", "run_stufbg_double"]
