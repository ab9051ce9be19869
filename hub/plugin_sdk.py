"""Everything a plugin may import from the hub, in one place.

A plugin's production code (``plugin.py``, ``client.py``, ``config.py``, ``models.py``…)
imports from ``hub`` through this module only; ``tests/test_plugin_sdk.py`` checks that for
every plugin under ``plugins/``. What is not listed here is the core's own business (the
store, the API, the logboek, the plugin host) and may change without notice. A plugin's
``tests/`` and ``double/`` may use test scaffolding besides (``devkit.doubles`` and the like).

The contract itself (which hooks exist, what they get and return) is :mod:`hub.hookspecs`.
"""

from __future__ import annotations

from hub import __version__, hookimpl, http_transport
from hub.bsn import is_valid_bsn
from hub.caller import SYSTEM_CALLER, Caller
from hub.domain.beschikbaarheid import Beschikbaarheid, BeschikbaarheidStatus, BezetBlok, Werktijd
from hub.domain.groepen import Groep, Lidmaatschappen, UitgeschakeldAccount
from hub.domain.klantcontacten import (
    Contactnaam,
    DigitaalAdres,
    PogingUitkomst,
    Rol,
    SoortActor,
    SoortDigitaalAdres,
    Status,
)
from hub.domain.klantcontacten_seam import (
    ActorIdentificator,
    ExterneInternetaak,
    ExternVastgelegd,
    KlantcontactRegistratie,
    KlantcontactVastgelegd,
    SeamActor,
    SeamBetrokkene,
    SeamContactverzoek,
)
from hub.domain.medewerkers import Medewerker
from hub.domain.meldingen import Locatie, Melder, MeldingCategorie, NieuweMelding, UpstreamMelding
from hub.domain.personen import AUTOMATIC_FIELDS, antwoordsoort
from hub.domain.zaken import BronStatus, Zaak, ZaakBetrokkene, ZaakMetBetrokkenen
from hub.errors import (
    ConfigurationError,
    InvalidRequest,
    KccError,
    NotFound,
    UpstreamRefusedContent,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from hub.http_transport import TlsSettings, UpstreamUrl, require_https
from hub.plugin_api import (
    Capability,
    Health,
    HealthState,
    HookContext,
    Notification,
    PluginInfo,
    SyncBatch,
)
from hub.retired_settings import drop_retired
from hub.retry_after import retry_after_seconds
from hub.secrets import Secret, SecretResolutionError

__all__ = [  # noqa: RUF022 - grouped by topic for plugin authors
    # the plugin contract
    "__version__",
    "hookimpl",
    "Capability",
    "Health",
    "HealthState",
    "HookContext",
    "Notification",
    "PluginInfo",
    "SyncBatch",
    # typed errors (hub.errors); the core retries only UpstreamUnavailable/UpstreamTimeout
    "ConfigurationError",
    "InvalidRequest",
    "KccError",
    "NotFound",
    "UpstreamRefusedContent",
    "UpstreamRejected",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    # secrets and the caller
    "Secret",
    "SecretResolutionError",
    "Caller",
    "SYSTEM_CALLER",
    "is_valid_bsn",
    # runtime kit: HTTP transport, Retry-After, retired settings
    "http_transport",
    "TlsSettings",
    "UpstreamUrl",
    "require_https",
    "retry_after_seconds",
    "drop_retired",
    # domain
    "Beschikbaarheid",
    "BeschikbaarheidStatus",
    "BezetBlok",
    "Werktijd",
    "Groep",
    "Lidmaatschappen",
    "UitgeschakeldAccount",
    "ActorIdentificator",
    "Contactnaam",
    "DigitaalAdres",
    "ExternVastgelegd",
    "ExterneInternetaak",
    "KlantcontactRegistratie",
    "KlantcontactVastgelegd",
    "PogingUitkomst",
    "Rol",
    "SeamActor",
    "SeamBetrokkene",
    "SeamContactverzoek",
    "SoortActor",
    "SoortDigitaalAdres",
    "Status",
    "Medewerker",
    "Locatie",
    "Melder",
    "NieuweMelding",
    "UpstreamMelding",
    "BronStatus",
    "Zaak",
    "ZaakBetrokkene",
    "ZaakMetBetrokkenen",
    "MeldingCategorie",
    # persons (Haal Centraal)
    "AUTOMATIC_FIELDS",
    "antwoordsoort",
]
