"""The categories a melding can be filed under, from the meldingen plugin (which caches them),
and the check that refuses an unknown category at once instead of after the call."""

from __future__ import annotations

import logging
from typing import Any

from hub import hookspecs
from hub.caller import Caller
from hub.domain.meldingen import MeldingCategorie
from hub.errors import CapabilityMissing, InvalidRequest, UpstreamUnavailable

log = logging.getLogger(__name__)

HOOK = hookspecs.kcc_get_melding_categorieen


def categorieen(
    plugins: Any, gemeente: str, caller: Caller, trace_id: str
) -> list[MeldingCategorie]:
    """The gemeente's categories; :class:`CapabilityMissing` (501) without a meldingen plugin
    that lists them, the plugin's error when it cannot."""
    gevonden = plugins.first(gemeente, HOOK, caller=caller, trace_id=trace_id)
    if gevonden is None:
        raise CapabilityMissing("geen meldingensysteem van deze gemeente geeft categorieën")
    return list(gevonden)


def controleer_categorie(
    plugins: Any, gemeente: str, caller: Caller, trace_id: str, categorie: str
) -> None:
    """Refuse a category the meldingen system does not know (400 naming ``categorie``).

    When the list cannot be read the melding is accepted unchecked: it is stored and queued,
    and losing it to an outage would be worse than a later refusal by the upstream.
    """
    if not plugins.enabled(gemeente, HOOK):
        return
    try:
        bekend = categorieen(plugins, gemeente, caller, trace_id)
    except (UpstreamUnavailable, CapabilityMissing) as exc:
        log.warning("categories of gemeente %s not checked: %s", gemeente, type(exc).__name__)
        return
    wanted = categorie.strip().casefold()
    if any(wanted in (c.naam.casefold(), c.id.casefold()) for c in bekend):
        return
    raise InvalidRequest(
        "onbekende categorie; GET …/meldingen/categorieen geeft de categorieën van de gemeente",
        field="categorie",
        code="unknownCategory",
    )
