"""The klantcontacten test hub (two gemeenten, Exchange double, synthetic directory), reused."""

from tests.klantcontacten.conftest import exchange, hub, make_hub  # noqa: F401
