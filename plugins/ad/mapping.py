"""From an AD object to a :class:`~hub.domain.medewerkers.Medewerker` per the mapping."""

from __future__ import annotations

import re

from hub.plugin_sdk import Groep, Medewerker, UitgeschakeldAccount
from plugins.ad.client import LdapEntry, parse_extended_dn
from plugins.ad.config import AttributeMapping

_MAX_FIELD = 512


def _clip(value: str | None) -> str | None:
    # A directory may hold anything; the store and API expect sane lengths.
    return value[:_MAX_FIELD] if value else value


def _rdn_value(dn: str) -> str:
    first = dn.split(",", 1)[0]
    return first.split("=", 1)[1] if "=" in first else first


def is_disabled(entry: LdapEntry) -> bool:
    """userAccountControl bit 0x2 (ACCOUNTDISABLE)."""
    value = entry.first("userAccountControl")
    try:
        return bool(int(value or "0") & 0x2)
    except ValueError:
        return False


def group_ids(entry: LdapEntry, attribute: str) -> list[str]:
    """objectGUIDs of the groups in a DN-valued attribute (memberOf), in extended DN form."""
    found: dict[str, None] = {}
    for value in entry.all(attribute):
        guid, _dn = parse_extended_dn(value)
        if guid:
            found.setdefault(guid, None)
    return list(found)


def to_groep(entry: LdapEntry) -> Groep:
    """One AD group: its cn as the name, sAMAccountName as the short name, mail if any."""
    naam = entry.first("cn") or _rdn_value(entry.dn) or entry.guid
    return Groep(
        id=entry.guid,
        naam=_clip(naam) or entry.guid,
        identificatie=_clip(entry.first("sAMAccountName")),
        email=_clip(entry.first("mail")),
        omschrijving=_clip(entry.first("description")),
    )


def to_uitgeschakeld(entry: LdapEntry, mapping: AttributeMapping) -> UitgeschakeldAccount:
    return UitgeschakeldAccount(
        id=entry.guid,
        account_naam=_clip(entry.first(mapping.account_naam)),
        email=_clip(entry.first(mapping.email)),
    )


def to_medewerker(entry: LdapEntry, mapping: AttributeMapping) -> Medewerker:
    """Map one AD user; DN-valued attributes come in extended form (with the GUID)."""
    voornaam = entry.first(mapping.voornaam)
    achternaam = entry.first(mapping.achternaam)
    weergavenaam = (
        entry.first(mapping.weergavenaam)
        or " ".join(p for p in (voornaam, achternaam) if p)
        or entry.first("cn")
        or _rdn_value(entry.dn)
    )
    manager_id = None
    manager = entry.first(mapping.manager)
    if manager:
        manager_id, _dn = parse_extended_dn(manager)
    groepen = sorted(
        {_rdn_value(parse_extended_dn(value)[1]) for value in entry.all(mapping.groepen)}
    )
    expertise: list[str] = []
    if mapping.expertise:
        splitter = re.compile("[" + re.escape(mapping.expertise_separators) + "]")
        for value in entry.all(mapping.expertise):
            for raw in splitter.split(value) if mapping.expertise_separators else [value]:
                part = raw.strip()[:_MAX_FIELD]
                if part and part not in expertise:
                    expertise.append(part)
    return Medewerker(
        id=entry.guid,
        account_naam=_clip(entry.first(mapping.account_naam)),
        weergavenaam=_clip(weergavenaam) or entry.guid,
        voornaam=_clip(voornaam),
        achternaam=_clip(achternaam),
        afdeling=_clip(entry.first(mapping.afdeling)),
        functie=_clip(entry.first(mapping.functie)),
        telefoonnummer=_clip(entry.first(mapping.telefoonnummer)),
        mobiel=_clip(entry.first(mapping.mobiel)),
        email=_clip(entry.first(mapping.email)),
        kamer=_clip(entry.first(mapping.kamer)),
        manager_id=manager_id,
        groepen=groepen,
        expertise=expertise,
    )
