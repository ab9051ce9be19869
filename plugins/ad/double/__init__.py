"""The AD plugin's upstream for tests, benchmarks and the demo: a real Samba AD DC.

Unlike the other plugins' doubles this is no imitation: Samba is a real Active
Directory domain controller, provisioned throw-away on a loopback address.
"""
