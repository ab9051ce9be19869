"""Who may see and handle what, beyond the role check at the door (``tenant_for``).

* kcc-medewerker: registers klantcontacten and contactverzoeken, reads all of its gemeente,
  and may handle (pogingen, afhandelen, doorzetten) any contactverzoek — the KCC owns the
  callback process and routes what was routed wrongly.
* backoffice: reads and handles only what is assigned to them, their afdeling or a group of
  theirs; another afdeling's is a 403. Klantcontacten only through such a contactverzoek.
* privacy-officer, beheerder: no content at all (refused at the door).
"""

from __future__ import annotations

from collections.abc import Iterable

from hub.caller import Caller
from hub.domain.medewerkers import Medewerker
from hub.errors import Forbidden
from hub.klantcontacten.routering import is_van
from hub.klantcontacten.tables import ContactverzoekRij

KCC = "kcc-medewerker"
BACKOFFICE = "backoffice"
LEZEN = (KCC, BACKOFFICE)
REGISTREREN = (KCC,)
BEHANDELEN = (KCC, BACKOFFICE)


def ziet_alles(caller: Caller) -> bool:
    return caller.has_role(KCC)


def is_zijne(mij: Medewerker | None, cv: ContactverzoekRij) -> bool:
    return is_van(
        mij,
        medewerker_id=cv.medewerker_id,
        afdeling_sleutel=cv.afdeling_sleutel,
        groep_sleutel=cv.groep_sleutel,
    )


def controleer(caller: Caller, mij: Medewerker | None, cv: ContactverzoekRij) -> None:
    """403 unless the caller sees everything or the contactverzoek is theirs."""
    if ziet_alles(caller) or is_zijne(mij, cv):
        return
    raise Forbidden(
        "dit contactverzoek is niet aan u, uw afdeling of uw groep toegewezen"
        if mij is not None
        else "u staat niet in de medewerkersgids; alleen eigen contactverzoeken zijn zichtbaar"
    )


def controleer_klantcontact(
    caller: Caller, mij: Medewerker | None, contactverzoeken: Iterable[ContactverzoekRij]
) -> None:
    """A backoffice medewerker sees a klantcontact only through a contactverzoek of theirs."""
    if ziet_alles(caller) or any(is_zijne(mij, cv) for cv in contactverzoeken):
        return
    raise Forbidden("dit klantcontact hoort niet bij een contactverzoek van u of uw afdeling")
