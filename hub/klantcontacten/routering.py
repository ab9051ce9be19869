"""Routing a contactverzoek: to a medewerker from the synced directory, or to an afdeling or
groep with a functional mailbox from the gemeente's ``[klantcontacten]`` configuration; and
who "mij" is: the token's subject or e-mail matched to a medewerker."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hub import directory
from hub.caller import Caller
from hub.directory.tables import MedewerkerRow
from hub.domain.klantcontacten import Toewijzing
from hub.domain.medewerkers import Medewerker
from hub.errors import InvalidRequest
from hub.klantcontacten_settings import KlantcontactenSettings


def sleutel(naam: str | None) -> str | None:
    """How afdeling and groep names are compared: case- and space-insensitive."""
    return " ".join(naam.split()).casefold() if naam else None


@dataclass(frozen=True)
class Bestemming:
    """A resolved assignment: who, and which mailbox gets the toewijzing mail."""

    medewerker_id: str | None
    medewerker_naam: str | None
    medewerker_email: str | None
    medewerker_afdeling: str | None
    afdeling: str | None
    groep: str | None
    ontvangers: tuple[str, ...]


def _mailbox(mailboxen: dict[str, str], naam: str) -> tuple[str, str] | None:
    wanted = sleutel(naam)
    for configured, adres in mailboxen.items():
        if sleutel(configured) == wanted:
            return configured, adres
    return None


def bepaal(
    session: Session,
    gemeente: str,
    toewijzing: Toewijzing,
    instellingen: KlantcontactenSettings,
    *,
    veld: str,
) -> Bestemming:
    """Resolve ``toewijzing``; ``InvalidRequest`` naming ``veld``.<part> when it cannot be
    routed (unknown medewerker, afdeling or groep without a functional mailbox)."""
    medewerker: Medewerker | None = None
    if toewijzing.medewerker:
        found = directory.get(session, gemeente, toewijzing.medewerker)
        if found is None:
            raise InvalidRequest(
                "deze medewerker staat niet in de medewerkersgids",
                field=f"{veld}.medewerker",
                code="onbekend",
            )
        medewerker = found[0]
    afdeling = groep = None
    mailbox: str | None = None
    if toewijzing.afdeling:
        hit = _mailbox(instellingen.afdelingen, toewijzing.afdeling)
        if hit is None:
            raise InvalidRequest(
                "deze afdeling heeft geen functionele mailbox in de configuratie "
                "([klantcontacten.afdelingen]); kies een medewerker of vraag de beheerder",
                field=f"{veld}.afdeling",
                code="geenMailbox",
            )
        afdeling, mailbox = hit
    if toewijzing.groep:
        hit = _mailbox(instellingen.groepen, toewijzing.groep)
        if hit is None:
            raise InvalidRequest(
                "deze groep heeft geen functionele mailbox in de configuratie "
                "([klantcontacten.groepen]); kies een medewerker of vraag de beheerder",
                field=f"{veld}.groep",
                code="geenMailbox",
            )
        groep, mailbox = hit
    ontvangers: tuple[str, ...] = ()
    if medewerker is not None and medewerker.email:
        ontvangers = (medewerker.email,)
    elif mailbox:
        ontvangers = (mailbox,)
    elif medewerker is not None:
        eigen = _mailbox(instellingen.afdelingen, medewerker.afdeling or "")
        fallback = eigen[1] if eigen else instellingen.kcc_mailbox
        if fallback:
            ontvangers = (fallback,)
    if not ontvangers:
        raise InvalidRequest(
            "deze medewerker heeft geen e-mailadres en er is geen functionele mailbox om het "
            "contactverzoek heen te sturen",
            field=f"{veld}.medewerker",
            code="onbereikbaar",
        )
    return Bestemming(
        medewerker_id=medewerker.id if medewerker else None,
        medewerker_naam=medewerker.weergavenaam if medewerker else None,
        medewerker_email=medewerker.email if medewerker else None,
        medewerker_afdeling=medewerker.afdeling if medewerker else None,
        afdeling=afdeling,
        groep=groep,
        ontvangers=ontvangers,
    )


def escalatie_ontvangers(
    instellingen: KlantcontactenSettings,
    *,
    afdeling: str | None,
    groep: str | None,
    medewerker_afdeling: str | None,
    toegewezen: tuple[str, ...],
) -> tuple[str, ...]:
    """The afdeling's (or groep's) mailbox; else the KCC's; else whoever has it now."""
    for mailboxen, naam in (
        (instellingen.afdelingen, afdeling),
        (instellingen.groepen, groep),
        (instellingen.afdelingen, medewerker_afdeling),
    ):
        if naam:
            hit = _mailbox(mailboxen, naam)
            if hit is not None:
                return (hit[1],)
    if instellingen.kcc_mailbox:
        return (instellingen.kcc_mailbox,)
    return toegewezen


def ik(session: Session, gemeente: str, caller: Caller) -> Medewerker | None:
    """The medewerker the caller is: the token's subject as directory id or account name, or
    its e-mail claim as the medewerker's address (case-insensitive)."""
    conditions = [
        MedewerkerRow.id == caller.subject,
        func.lower(MedewerkerRow.account_naam) == caller.subject.lower(),
    ]
    if caller.email:
        conditions.append(func.lower(MedewerkerRow.email) == caller.email.lower())
    row = session.scalars(
        select(MedewerkerRow)
        .where(MedewerkerRow.gemeente == gemeente, or_(*conditions))
        .order_by(MedewerkerRow.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    found = directory.get(session, gemeente, row.id)
    return found[0] if found else None


def zoek_medewerker(session: Session, gemeente: str, waarde: str) -> Medewerker | None:
    """A medewerker named in a worklist query: by directory id, account name or e-mail."""
    row = session.scalars(
        select(MedewerkerRow)
        .where(
            MedewerkerRow.gemeente == gemeente,
            or_(
                MedewerkerRow.id == waarde,
                func.lower(MedewerkerRow.account_naam) == waarde.lower(),
                func.lower(MedewerkerRow.email) == waarde.lower(),
            ),
        )
        .limit(1)
    ).first()
    if row is None:
        return None
    found = directory.get(session, gemeente, row.id)
    return found[0] if found else None


def is_van(
    mij: Medewerker | None,
    *,
    medewerker_id: str | None,
    afdeling_sleutel: str | None,
    groep_sleutel: str | None,
) -> bool:
    """Whether a contactverzoek is assigned to this medewerker, their afdeling or a group of
    theirs: what a backoffice medewerker may read and handle."""
    if mij is None:
        return False
    if medewerker_id is not None and medewerker_id == mij.id:
        return True
    if afdeling_sleutel is not None and afdeling_sleutel == sleutel(mij.afdeling):
        return True
    return groep_sleutel is not None and groep_sleutel in {sleutel(g) for g in mij.groepen}
