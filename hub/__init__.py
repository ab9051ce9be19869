"""KCC Hub: integration hub for Dutch municipal customer contact centres."""

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("kcc_hub")

__all__ = ["__version__", "hookimpl"]
