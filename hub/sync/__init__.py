"""Synchronisation: running a plugin's ``kcc_sync`` and storing what it yields."""
