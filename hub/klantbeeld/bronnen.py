"""One function per klantbeeld section: what it asks of which source, and which fields it
delivers (for the logboek). Each runs in its own thread; none writes the logboek."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from hub.domain.klantcontacten import BetrokkeneZoekvraag, Status
from hub.klantcontacten import weergave
from hub.klantcontacten.tables import ContactverzoekRij, KlantcontactRij
from hub.klantcontacten.zoeken import GELEVERDE_VELDEN as KLANTCONTACT_VELDEN
from hub.klantcontacten.zoeken import op_betrokkene
from hub.meldingen.zoeken import GELEVERDE_VELDEN as MELDING_VELDEN
from hub.meldingen.zoeken import meldingen_van_bsn
from hub.privacy.doelbinding import Doel
from hub.privacy.pipeline import bevraag_personen, new_logboek_invoer
from hub.privacy.settings import privacy_for
from hub.store.base import utcnow
from hub.verzoek import Verzoek
from hub.zaken.bronnen import zoek_in_bronnen
from hub.zaken.zoeken import GELEVERDE_VELDEN as ZAAK_VELDEN

CONTACTVERZOEK_VELDEN = (
    "contactverzoeken.vraag",
    "contactverzoeken.toelichting",
    "contactverzoeken.status",
    "contactverzoeken.deadline",
    "contactverzoeken.betrokkene.digitaleAdressen",
)


@dataclass
class Opgehaald:
    """What one section fetched: its payload, the moment the data held, the delivered fields,
    and the persons and signals (the persoon section) that go into the klantbeeld's record."""

    gegevens: dict[str, Any]
    gegevens_van: datetime
    velden: list[str] = field(default_factory=list)
    betrokkenen: list[str] = field(default_factory=list)
    signalen: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Betrokkene:
    bsn: str | None
    kvk: str | None


def persoon(v: Verzoek, doel: Doel, wie: Betrokkene) -> Opgehaald:
    assert wie.bsn is not None
    # A scratch record: the pipeline fills it (doel, fields, betrokkenen); the klantbeeld
    # writes one record for all sections.
    kladje = new_logboek_invoer(privacy_for(v.gemeente), v.caller, v.trace_id, "klantbeeld")
    body = {
        "type": "RaadpleegMetBurgerservicenummer",
        "burgerservicenummer": [wie.bsn],
        "doel": doel.code,
    }
    answer = bevraag_personen(v.plugins, v.gemeente, v.caller, v.trace_id, body, kladje)
    personen = answer["personen"]
    return Opgehaald(
        gegevens={
            "persoon": personen[0] if personen else None,
            "waarschuwingen": answer["waarschuwingen"],
        },
        gegevens_van=utcnow(),
        velden=[f"persoon.{veld}" for veld in kladje.velden],
        betrokkenen=list(kladje.betrokkenen),
        signalen=list(kladje.signalen),
    )


def zaken(v: Verzoek, doel: Doel, wie: Betrokkene) -> Opgehaald:
    gevonden, bronnen = zoek_in_bronnen(v, doel, bsn=wie.bsn, kvk=wie.kvk)
    return Opgehaald(
        gegevens={"zaken": gevonden, "bronnen": bronnen},
        gegevens_van=utcnow(),
        velden=list(ZAAK_VELDEN) if gevonden else [],
    )


def meldingen(v: Verzoek, doel: Doel, wie: Betrokkene) -> Opgehaald:
    assert wie.bsn is not None
    nu = utcnow()
    hash_ = privacy_for(v.gemeente).sleutels.betrokkene_hash(wie.bsn)
    gevonden = meldingen_van_bsn(
        v.store, v.gemeente.code, hash_, v.gemeente.klantbeeld.aantal_meldingen
    )
    # The upstream status is as fresh as the hub's last status sync of each melding.
    momenten = [
        (m.bron.bijgewerkt_op if m.bron and m.bron.bijgewerkt_op else m.aangemaakt_op)
        for m in gevonden
    ]
    return Opgehaald(
        gegevens={"meldingen": gevonden},
        gegevens_van=min(momenten, default=nu),
        velden=list(MELDING_VELDEN) if gevonden else [],
    )


def klantcontacten(v: Verzoek, doel: Doel, wie: Betrokkene) -> Opgehaald:
    assert wie.bsn is not None
    hash_ = privacy_for(v.gemeente).sleutels.betrokkene_hash(wie.bsn)
    vraag = BetrokkeneZoekvraag(
        burgerservicenummer=wie.bsn,
        pagina_grootte=v.gemeente.klantbeeld.aantal_klantcontacten,
    )
    lijst = op_betrokkene(v.store, v.gemeente.code, vraag, hash_)
    return Opgehaald(
        gegevens={"klantcontacten": lijst.resultaten},
        gegevens_van=utcnow(),
        velden=list(KLANTCONTACT_VELDEN) if lijst.resultaten else [],
    )


def contactverzoeken(v: Verzoek, doel: Doel, wie: Betrokkene) -> Opgehaald:
    """The betrokkene's open contactverzoeken, earliest deadline first."""
    assert wie.bsn is not None
    code = v.gemeente.code
    hash_ = privacy_for(v.gemeente).sleutels.betrokkene_hash(wie.bsn)
    nu = utcnow()
    with v.store.session() as session:
        rows = session.scalars(
            select(ContactverzoekRij)
            .join(KlantcontactRij, KlantcontactRij.id == ContactverzoekRij.klantcontact_id)
            .where(
                KlantcontactRij.gemeente == code,
                KlantcontactRij.bsn_hash == hash_,
                ContactverzoekRij.status == Status.TE_VERWERKEN.value,
            )
            .order_by(ContactverzoekRij.deadline, ContactverzoekRij.id)
            .limit(50)
        ).all()
        kcs = session.scalars(
            select(KlantcontactRij).where(
                KlantcontactRij.id.in_({cv.klantcontact_id for cv in rows})
            )
        ).all()
        per_id = {kc.id: kc for kc in kcs}
        k = weergave.laad(session, code, kcs, rows)
        open_ = [weergave.contactverzoek(cv, per_id[cv.klantcontact_id], k, nu) for cv in rows]
    return Opgehaald(
        gegevens={"contactverzoeken": open_},
        gegevens_van=nu,
        velden=list(CONTACTVERZOEK_VELDEN) if open_ else [],
    )
