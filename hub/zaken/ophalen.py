"""``GET zaken/{identificatie}``: one zaak, logged against its betrokkenen before it leaves.

A zaak is about its betrokkenen: the zaak plugin returns the zaak's rollen with it
(:class:`~hub.domain.zaken.ZaakMetBetrokkenen`), and the read is written to the logboek with
the BSNs of the natuurlijke personen among them, so the privacy officer's inzage on such a
BSN finds it. A zaak whose betrokkenen the plugin could not give is not handed out (fail
closed). A refused request (token of another gemeente, a role without access) is logged too;
the hub does not read the zaak for it, so that record names no betrokkene.
"""

from __future__ import annotations

from hub import hookspecs
from hub.domain.zaken import Zaak, ZaakMetBetrokkenen
from hub.errors import NotFound, UpstreamRejected
from hub.privacy.pipeline import new_logboek_invoer, record_failure, write_logboek
from hub.privacy.settings import privacy_for
from hub.verzoek import Verzoek
from hub.zaken.zoeken import GELEVERDE_VELDEN

GET_HOOK = hookspecs.kcc_get_zaak
ACTIVITEIT = "zaak-ophalen"


def haal_zaak(
    v: Verzoek, identificatie: str, *, doel: str | None, refusal: Exception | None
) -> Zaak:
    """The zaak, after its read was committed to the logboek; ``refusal`` is raised after the
    attempt was logged. ``doel``, when given, is checked (unknown → 400, not for the role →
    403) and recorded."""
    privacy = privacy_for(v.gemeente)
    invoer = new_logboek_invoer(privacy, v.caller, v.trace_id, ACTIVITEIT)
    try:
        if doel is not None:
            known = privacy.doelen.by_code.get(doel)
            if known is not None:
                invoer.doel = known.code
                invoer.processing_activity_id = known.verwerkingsactiviteit
        if refusal is not None:
            raise refusal
        if doel is not None:
            privacy.doelen.resolve(doel, v.caller.primary_role)
        gevonden = v.plugins.first(
            v.gemeente.code,
            GET_HOOK,
            caller=v.caller,
            trace_id=v.trace_id,
            doel=invoer.doel,
            verwerkingsactiviteit=invoer.processing_activity_id,
            identificatie=identificatie,
        )
        if not isinstance(gevonden, Zaak):
            raise NotFound("geen zaaksysteem van deze gemeente kent deze zaak")
        if not isinstance(gevonden, ZaakMetBetrokkenen):
            # Without its betrokkenen the read could not be found by inzage: fail closed.
            raise UpstreamRejected(
                "het zaaksysteem gaf de betrokkenen van de zaak niet; daarom wordt de zaak "
                "niet getoond"
            )
        invoer.betrokkenen.extend(gevonden.bsns)
        invoer.aantal_personen = len(gevonden.bsns)
        invoer.velden.extend(GELEVERDE_VELDEN)
        zaak = gevonden.zaak()
    except Exception as exc:
        record_failure(invoer, exc)
        if exc.__class__ is NotFound:
            invoer.status = "geen_resultaat"
        write_logboek(v.store, None, privacy, invoer, wat="zaken")
        raise
    write_logboek(v.store, None, privacy, invoer, wat="zaken")
    return zaak
