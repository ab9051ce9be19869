"""``POST zaken/_zoek``: the zaken of a person (BSN or persoonReferentie) or an organisation.

A search for a person is person data: it states a ``doel`` (doelbinding) and leaves a logboek
record, committed before the answer goes out (as ``/personen`` does); refused and malformed
requests that carried a BSN or a persoonReferentie are recorded too. A search by KvK-nummer
states a ``doel`` but concerns an organisation, so no betrokkene is logged.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from hub.bsn import is_valid_bsn
from hub.errors import InvalidRequest, KccError
from hub.privacy.logboek.chain import LogboekInvoer
from hub.privacy.personen_vraag import bsns_in
from hub.privacy.pipeline import new_logboek_invoer, note_attempt, record_failure, write_logboek
from hub.privacy.referentie import SIGNAAL, ReferentieGeweigerd, Referenties
from hub.privacy.settings import GemeentePrivacy, privacy_for
from hub.privacy.volume import check_lookup, limits_of
from hub.verzoek import Verzoek
from hub.zaken.bronnen import zoek_in_bronnen
from hub.zaken.vraag import ZakenAntwoord, ZakenZoekvraag

ACTIVITEIT = "zaken-zoeken"
GELEVERDE_VELDEN = (
    "zaken.identificatie",
    "zaken.omschrijving",
    "zaken.zaaktype",
    "zaken.status",
    "zaken.startdatum",
    "zaken.einddatumGepland",
    "zaken.uiterlijkeEinddatumAfdoening",
    "zaken.einddatum",
    "zaken.resultaat",
)


class OngeldigeVraag(Exception):
    """The body failed the model: the route turns ``errors`` into its 400."""

    def __init__(self, errors: Any) -> None:
        super().__init__("ongeldige vraag")
        self.errors = errors


def zoek_zaken(v: Verzoek, body: Any, *, refusal: Exception | None) -> ZakenAntwoord:
    """Answer ``zaken/_zoek``; ``refusal`` (a 403 of token or role) is raised after the attempt
    was logged against the BSN or persoonReferentie it carried."""
    privacy = privacy_for(v.gemeente)
    try:
        if refusal is not None:
            raise refusal
        vraag = ZakenZoekvraag.model_validate(body)
    except (ValidationError, KccError) as exc:
        if _over_persoon(body):
            invoer = new_logboek_invoer(privacy, v.caller, v.trace_id, ACTIVITEIT)
            note_attempt(invoer, privacy, body)
            _noteer_referentie(invoer, privacy, v.caller.subject, body)
            # A body the model refused is a 400 like any InvalidRequest.
            record_failure(invoer, exc if isinstance(exc, KccError) else InvalidRequest("body"))
            write_logboek(v.store, None, privacy, invoer, wat="zaken")
        if isinstance(exc, ValidationError):
            raise OngeldigeVraag(exc.errors()) from None
        raise
    gegeven = [vraag.burgerservicenummer, vraag.persoon_referentie, vraag.kvk_nummer]
    if sum(1 for g in gegeven if g) != 1:
        raise InvalidRequest(
            "geef een burgerservicenummer, een persoonReferentie of een kvkNummer "
            "(precies één daarvan)",
            field="burgerservicenummer",
            code="oneOf",
        )
    if vraag.kvk_nummer:
        doel = privacy.doelen.resolve(vraag.doel, v.caller.primary_role)
        zaken, bronnen = zoek_in_bronnen(v, doel, bsn=None, kvk=vraag.kvk_nummer)
        return ZakenAntwoord(zaken=zaken, bronnen=bronnen, doel=doel.code, trace_id=v.trace_id)
    return _zoek_persoon(v, privacy, vraag)


def _over_persoon(body: Any) -> bool:
    return bool(bsns_in(body)) or (
        isinstance(body, dict) and isinstance(body.get("persoonReferentie"), str)
    )


def _noteer_referentie(
    invoer: LogboekInvoer, privacy: GemeentePrivacy, subject: str, body: Any
) -> None:
    """A refused request with a persoonReferentie is logged against the person inside it when
    the reference opens (for whoever it was issued to), and marked as a reference use."""
    referentie = body.get("persoonReferentie") if isinstance(body, dict) else None
    if not isinstance(referentie, str):
        return
    invoer.signalen.append(SIGNAAL)
    try:
        bsn = Referenties.voor(privacy).open(referentie, subject)
    except ReferentieGeweigerd as geweigerd:
        if geweigerd.bsn:
            invoer.betrokkenen.append(geweigerd.bsn)
        return
    invoer.betrokkenen.append(bsn)


def bsn_van(
    invoer: LogboekInvoer,
    privacy: GemeentePrivacy,
    subject: str,
    *,
    bsn: str | None,
    referentie: str | None,
) -> str:
    """The BSN a person question is about, from the BSN itself or a persoonReferentie of this
    caller, noted in ``invoer`` as betrokkene (also when the reference is refused but opened).

    Raises :class:`InvalidRequest` naming the field; never repeats the value.
    """
    if referentie is not None:
        invoer.signalen.append(SIGNAAL)
        try:
            gevonden = Referenties.voor(privacy).open(referentie, subject)
        except ReferentieGeweigerd as geweigerd:
            if geweigerd.bsn:
                invoer.betrokkenen.append(geweigerd.bsn)
            raise
        invoer.betrokkenen.append(gevonden)
        return gevonden
    if not bsn or not is_valid_bsn(bsn):
        # Never echo the value: it may be (a typo of) someone's BSN.
        raise InvalidRequest(
            "het burgerservicenummer is ongeldig (9 cijfers en de elfproef)",
            field="burgerservicenummer",
            code="bsn",
        )
    invoer.betrokkenen.append(bsn)
    return bsn


def _zoek_persoon(v: Verzoek, privacy: GemeentePrivacy, vraag: ZakenZoekvraag) -> ZakenAntwoord:
    invoer = new_logboek_invoer(privacy, v.caller, v.trace_id, ACTIVITEIT)
    try:
        bsn = bsn_van(
            invoer,
            privacy,
            v.caller.subject,
            bsn=vraag.burgerservicenummer,
            referentie=vraag.persoon_referentie,
        )
        doel = privacy.doelen.resolve(vraag.doel, v.caller.primary_role)
        invoer.doel = doel.code
        invoer.processing_activity_id = doel.verwerkingsactiviteit
        limits = limits_of(v.gemeente)
        if limits is not None:
            signalen = check_lookup(limits, v.gemeente.code, v.caller.subject, invoer.rol, ())
            invoer.signalen.extend(signalen.as_list())
        zaken, bronnen = zoek_in_bronnen(v, doel, bsn=bsn, kvk=None)
        if zaken:
            invoer.velden.extend(GELEVERDE_VELDEN)
        else:
            invoer.status = "geen_resultaat"
    except Exception as exc:
        record_failure(invoer, exc)
        write_logboek(v.store, None, privacy, invoer, wat="zaken")
        raise
    write_logboek(v.store, None, privacy, invoer, wat="zaken")
    return ZakenAntwoord(zaken=zaken, bronnen=bronnen, doel=doel.code, trace_id=v.trace_id)
