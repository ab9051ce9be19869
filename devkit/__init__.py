"""What a checkout has and a wheel does not: ``kcc-hub demo``, its AD directory and the
building blocks of the loopback test doubles (``plugins/*/double/``).

Production code (``hub/``, the plugins' runtime modules) never imports this package;
``kcc-hub demo`` loads it only when run from a checkout.
"""
