"""Mapping AD objects to medewerkers, and validating the plugin's settings (no DC needed)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from plugins.ad.client import LdapEntry, guid_text, parse_extended_dn
from plugins.ad.config import AdSettings, AttributeMapping
from plugins.ad.mapping import is_disabled, to_medewerker

GUID = "e6b75855-52ad-4292-9190-d75be6a48b21"
MANAGER = (
    "<GUID=987c1a76-0586-448e-9103-9bd07cb859d4>;<SID=S-1-5-21-1-2-3-1102>;"
    "CN=Eva ter Ruiter,OU=Medewerkers,DC=gemeente,DC=test"
)


def entry(**attributes: list[str]) -> LdapEntry:
    return LdapEntry(
        guid=GUID,
        dn="CN=Jan Janssen,OU=Burgerzaken,DC=gemeente,DC=test",
        attributes={k.lower(): v for k, v in attributes.items()},
    )


def settings(**overrides: object) -> AdSettings:
    values: dict[str, object] = {
        "servers": ["dc1.gemeente.local"],
        "bind_user": "svc@gemeente.local",
        "bind_password": "${AD_PASSWORD}",
        "search_bases": ["OU=Medewerkers,DC=gemeente,DC=local"],
    }
    values.update(overrides)
    return AdSettings.model_validate(values)


def test_object_guid_is_shown_in_ads_little_endian_layout() -> None:
    raw = b"UX\xb7\xe6\xadR\x92B\x91\x90\xd7[\xe6\xa4\x8b!"
    assert guid_text(raw) == GUID


def test_an_extended_dn_splits_into_guid_and_dn() -> None:
    guid, dn = parse_extended_dn(MANAGER)
    assert guid == "987c1a76-0586-448e-9103-9bd07cb859d4"
    assert dn == "CN=Eva ter Ruiter,OU=Medewerkers,DC=gemeente,DC=test"
    assert parse_extended_dn("CN=x,DC=y") == (None, "CN=x,DC=y")


def test_the_standard_mapping_fills_every_field() -> None:
    m = to_medewerker(
        entry(
            sAMAccountName=["jjanssen"],
            displayName=["Jan Janssen"],
            givenName=["Jan"],
            sn=["Janssen"],
            department=["Burgerzaken"],
            title=["Baliemedewerker"],
            telephoneNumber=["+31 20 555 1234"],
            mobile=["+31 6 12345678"],
            mail=["j.janssen@gemeente.test"],
            physicalDeliveryOfficeName=["A.0.12"],
            manager=[MANAGER],
            memberOf=[
                "<GUID=1>;CN=KCC Team,OU=Groepen,DC=gemeente,DC=test",
                "<GUID=2>;CN=Alle medewerkers,OU=Groepen,DC=gemeente,DC=test",
            ],
            description=["paspoorten, rijbewijzen; verhuizing"],
        ),
        AttributeMapping(),
    )
    assert m.id == GUID
    assert (m.account_naam, m.weergavenaam, m.voornaam, m.achternaam) == (
        "jjanssen", "Jan Janssen", "Jan", "Janssen",
    )  # fmt: skip
    assert (m.afdeling, m.functie, m.kamer) == ("Burgerzaken", "Baliemedewerker", "A.0.12")
    assert (m.telefoonnummer, m.mobiel, m.email) == (
        "+31 20 555 1234", "+31 6 12345678", "j.janssen@gemeente.test",
    )  # fmt: skip
    assert m.manager_id == "987c1a76-0586-448e-9103-9bd07cb859d4"
    assert m.groepen == ["Alle medewerkers", "KCC Team"]
    assert m.expertise == ["paspoorten", "rijbewijzen", "verhuizing"]


def test_a_custom_expertise_attribute_and_no_expertise() -> None:
    source = entry(displayName=["Jan"], info=["Wmo\nJeugd"], description=["niet dit"])
    assert to_medewerker(source, AttributeMapping(expertise="info")).expertise == ["Wmo", "Jeugd"]
    assert to_medewerker(source, AttributeMapping(expertise=None)).expertise == []


def test_without_display_name_the_name_is_built_from_its_parts_or_the_cn() -> None:
    assert to_medewerker(
        entry(givenName=["Jan"], sn=["Janssen"]), AttributeMapping()
    ).weergavenaam == ("Jan Janssen")
    assert to_medewerker(entry(), AttributeMapping()).weergavenaam == "Jan Janssen"


@pytest.mark.parametrize(
    "uac,disabled", [("512", False), ("514", True), ("546", True), ("x", False)]
)
def test_disabled_is_bit_two_of_user_account_control(uac: str, disabled: bool) -> None:
    assert is_disabled(entry(userAccountControl=[uac])) is disabled


def test_attribute_names_are_requested_once_with_the_sync_essentials() -> None:
    names = AttributeMapping().ldap_attributes()
    assert len(names) == len(set(names))
    assert {"objectGUID", "uSNChanged", "userAccountControl", "description"} <= set(names)


def test_settings_default_to_ldaps_with_certificate_checks() -> None:
    s = settings()
    assert s.tls == "ldaps" and s.verify_certificates
    assert s.user_filter == "(&(objectCategory=person)(objectClass=user))"


@pytest.mark.parametrize("bad", ["objectClass=user", "(&(a=b)", "(a=b))(", ""])
def test_a_malformed_user_filter_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        settings(user_filter=bad)


@pytest.mark.parametrize("bad", [[], ["ldaps://dc1"], [" "]])
def test_servers_must_be_plain_host_names(bad: list[str]) -> None:
    with pytest.raises(ValidationError):
        settings(servers=bad)


def test_a_literal_password_is_refused() -> None:
    with pytest.raises(ValidationError, match="literal secret"):
        settings(bind_password="Welkom01!")


def test_unknown_settings_are_refused() -> None:
    with pytest.raises(ValidationError):
        settings(wachtwoord="x")
