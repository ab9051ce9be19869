"""The mails about a contactverzoek: to whom it was assigned, the reminder and the escalation.

A mail carries the question, the callback number (or e-mail address), the deadline and a link
built from the gemeente's ``link_sjabloon``. It never carries a BSN: the hub never puts the
stored one in, and a BSN typed into free text by accident is blanked out.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hub import hookspecs
from hub.caller import SYSTEM_CALLER
from hub.domain.klantcontacten import NotificatieSoort, SoortDigitaalAdres
from hub.errors import CapabilityMissing
from hub.klantcontacten.outbox import MAIL, PluginCaller, register_handler
from hub.klantcontacten.tables import (
    ContactverzoekRij,
    DigitaalAdresRij,
    KlantcontactRij,
    OutboxRij,
)
from hub.klantcontacten_settings import KlantcontactenSettings
from hub.logging_setup import redact
from hub.plugin_api import Notification
from hub.store.db import Store

HOOK = hookspecs.kcc_send_notification

_DAGEN = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_MAANDEN = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
_ONDERWERP = {
    NotificatieSoort.TOEWIJZING: "Contactverzoek",
    NotificatieSoort.HERINNERING: "Herinnering contactverzoek",
    NotificatieSoort.ESCALATIE: "Termijn verstreken: contactverzoek",
}
_AANHEF = {
    NotificatieSoort.TOEWIJZING: "Er is een contactverzoek voor u klaargezet.",
    NotificatieSoort.HERINNERING: "De termijn van dit contactverzoek verloopt binnenkort.",
    NotificatieSoort.ESCALATIE: (
        "De termijn van dit contactverzoek is verstreken zonder dat het is afgehandeld. "
        "Zorg dat de beller alsnog wordt teruggebeld."
    ),
}


def leesbaar_moment(moment: datetime, zone: str) -> str:
    """``dinsdag 28 april 2026 17:00`` in the gemeente's zone (no locale dependency)."""
    lokaal = moment.astimezone(ZoneInfo(zone))
    return (
        f"{_DAGEN[lokaal.weekday()]} {lokaal.day} {_MAANDEN[lokaal.month - 1]} "
        f"{lokaal.year} {lokaal:%H:%M}"
    )


def link(instellingen: KlantcontactenSettings, gemeente: str, contactverzoek_id: str) -> str | None:
    if not instellingen.link_sjabloon:
        return None
    return instellingen.link_sjabloon.format(id=contactverzoek_id, gemeente=gemeente)


def _vrij(tekst: str | None) -> str:
    """Free text for a mail: any 11-proof number blanked out, as in the logs."""
    return redact(tekst or "").strip()


def stel_op(
    rij: OutboxRij,
    cv: ContactverzoekRij,
    kc: KlantcontactRij,
    adressen: list[DigitaalAdresRij],
    instellingen: KlantcontactenSettings,
) -> Notification:
    soort = NotificatieSoort(rij.mail_soort or NotificatieSoort.TOEWIJZING.value)
    telefoon = [a.adres for a in adressen if a.soort == SoortDigitaalAdres.TELEFOONNUMMER.value]
    email = [a.adres for a in adressen if a.soort == SoortDigitaalAdres.EMAIL.value]
    naam = " ".join(
        str(v)
        for v in (
            (kc.contactnaam or {}).get("voornaam") or (kc.contactnaam or {}).get("voorletters"),
            (kc.contactnaam or {}).get("voorvoegselAchternaam"),
            (kc.contactnaam or {}).get("achternaam"),
        )
        if v
    )
    toegewezen = cv.medewerker_naam or cv.afdeling or cv.groep or "-"
    if cv.medewerker_naam and (cv.afdeling or cv.groep):
        toegewezen = f"{cv.medewerker_naam} ({cv.afdeling or cv.groep})"
    regels = [
        _AANHEF[soort],
        "",
        f"Onderwerp: {_vrij(kc.onderwerp)}",
        f"Gevraagde handeling: {_vrij(cv.gevraagde_handeling)}",
        f"Vraag: {_vrij(cv.toelichting)}",
        "",
        f"Terugbellen naar: {', '.join(telefoon) or '-'}",
    ]
    if email:
        regels.append(f"E-mailadres: {', '.join(email)}")
    if naam:
        regels.append(f"Naam beller: {_vrij(naam)}")
    regels += [
        f"Urgentie: {cv.urgentie}",
        f"Uiterlijk afhandelen: {leesbaar_moment(cv.deadline, instellingen.tijdzone)}",
        f"Toegewezen aan: {toegewezen}",
        f"Kanaal: {_vrij(kc.kanaal)}",
    ]
    url = link(instellingen, cv.gemeente, cv.id)
    if url:
        regels += ["", f"Openen: {url}"]
    regels += ["", "Dit bericht is verstuurd door KCC Hub; beantwoorden is niet nodig."]
    return Notification(
        id=rij.id,
        to=tuple(rij.ontvangers or ()),
        subject=f"{_ONDERWERP[soort]}: {_vrij(kc.onderwerp)}"[:255],
        body_text="\n".join(regels),
        created=rij.aangemaakt_op,
    )


def verstuur(store: Store, plugins: PluginCaller, rij: OutboxRij) -> str | None:
    """Send one queued mail through the gemeente's mail plugin; idempotent per row id."""
    with store.session() as session:
        cv = (
            session.get(ContactverzoekRij, rij.contactverzoek_id) if rij.contactverzoek_id else None
        )
        kc = session.get(KlantcontactRij, rij.klantcontact_id)
        if cv is None or kc is None:
            return None  # purged meanwhile: nothing left to tell anyone
        adressen = list(
            session.scalars(
                select(DigitaalAdresRij)
                .where(DigitaalAdresRij.klantcontact_id == kc.id)
                .order_by(DigitaalAdresRij.volgorde)
            )
        )
        for row in (cv, kc, *adressen):
            session.expunge(row)
    instellingen = plugins.gemeenten[rij.gemeente].klantcontacten
    notification = stel_op(rij, cv, kc, adressen, instellingen)
    names = plugins.enabled(rij.gemeente, HOOK)
    if not names:
        raise CapabilityMissing(f"gemeente {rij.gemeente} heeft geen mailkoppeling")
    answer = plugins.call(
        names[0],
        rij.gemeente,
        HOOK,
        caller=SYSTEM_CALLER,
        notification=notification,
        # One attempt per claim: this outbox's lease is not renewed, so the core's retries
        # could outlast it; the row's own backoff (``[outbox]``) is the retry here.
        retry=False,
    )
    return str(answer) if answer is not None else None


register_handler(MAIL, verstuur)
