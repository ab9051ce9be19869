"""The fan-out over the gemeente's zaak plugins: one failing plugin is reported, not fatal."""

from __future__ import annotations

from datetime import date

from hub import hookspecs
from hub.domain.zaken import BronStatus, Zaak
from hub.errors import CapabilityMissing, KccError, UpstreamTimeout
from hub.privacy.doelbinding import Doel
from hub.verzoek import Verzoek

SEARCH_HOOK = hookspecs.kcc_search_zaken


def zoek_in_bronnen(
    v: Verzoek, doel: Doel, *, bsn: str | None, kvk: str | None
) -> tuple[list[Zaak], list[BronStatus]]:
    """All zaken of the betrokkene from every zaak plugin, newest first, with the outcome per
    source. Raises the first error only when every plugin failed (an empty list would look
    like "no zaken"); :class:`CapabilityMissing` when the gemeente has no zaaksysteem."""
    code = v.gemeente.code
    names = v.plugins.enabled(code, SEARCH_HOOK)
    if not names:
        raise CapabilityMissing("geen zaaksysteem aangesloten voor deze gemeente")
    zaken: list[Zaak] = []
    bronnen: list[BronStatus] = []
    fouten: list[KccError] = []
    for name in names:
        try:
            answer = v.plugins.call(
                name,
                code,
                SEARCH_HOOK,
                caller=v.caller,
                trace_id=v.trace_id,
                doel=doel.code,
                verwerkingsactiviteit=doel.verwerkingsactiviteit,
                bsn=bsn,
                kvk=kvk,
            )
        except KccError as exc:
            fouten.append(exc)
            status = "time-out" if isinstance(exc, UpstreamTimeout) else "mislukt"
            bronnen.append(BronStatus(bron=name, status=status, detail=exc.detail))
            continue
        if answer is None:
            continue
        gevonden, per_bron = answer
        zaken.extend(gevonden)
        bronnen.extend(per_bron)
    if fouten and len(fouten) == len(names):
        raise fouten[0]
    zaken.sort(key=lambda z: (z.startdatum or date.min, z.identificatie), reverse=True)
    return zaken, bronnen
