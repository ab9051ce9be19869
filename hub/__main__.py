"""``python -m hub`` is ``kcc-hub``."""

from hub.cli import main

main()
