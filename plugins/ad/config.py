"""Per-gemeente settings of the AD plugin (``[plugins.ad]`` in ``config/gemeenten/<code>.toml``)."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hub.plugin_sdk import Secret

_HOST_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")
STANDARD_USER_FILTER = "(&(objectCategory=person)(objectClass=user))"
STANDARD_GROUP_FILTER = "(objectClass=group)"
GROUP_ATTRIBUTES = ("objectGUID", "cn", "sAMAccountName", "mail", "description", "memberOf")


class TlsMode(StrEnum):
    """How the connection to the DC is protected."""

    LDAPS = "ldaps"
    STARTTLS = "starttls"
    # Plain LDAP sends the service account's password readably: test domains only.
    NONE = "none"


class AttributeMapping(BaseModel):
    """Which AD attribute fills which medewerker field; defaults suit a standard AD."""

    model_config = ConfigDict(extra="forbid")

    account_naam: str = "sAMAccountName"
    weergavenaam: str = "displayName"
    voornaam: str = "givenName"
    achternaam: str = "sn"
    afdeling: str = "department"
    functie: str = "title"
    telefoonnummer: str = "telephoneNumber"
    mobiel: str = "mobile"
    email: str = "mail"
    kamer: str = "physicalDeliveryOfficeName"
    manager: str = "manager"
    groepen: str = "memberOf"
    expertise: str | None = Field(
        default="description",
        description="Attribuut met expertise/taken, bijvoorbeeld description of info; leeg: geen.",
    )
    expertise_separators: str = Field(
        default=",;\n", description="Tekens die expertisewaarden in één attribuutwaarde scheiden."
    )

    def ldap_attributes(self) -> list[str]:
        """Every attribute to request from the DC, including what identity and sync need."""
        names = [
            self.account_naam, self.weergavenaam, self.voornaam, self.achternaam,
            self.afdeling, self.functie, self.telefoonnummer, self.mobiel, self.email,
            self.kamer, self.manager, self.groepen,
        ]  # fmt: skip
        if self.expertise:
            names.append(self.expertise)
        names += ["objectGUID", "userAccountControl", "uSNChanged", "cn"]
        return list(dict.fromkeys(n for n in names if n))


def _check_filter(value: str) -> str:
    value = value.strip()
    depth = 0
    for char in value:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if not (value.startswith("(") and value.endswith(")")) or depth != 0:
        raise ValueError("an LDAP filter in parentheses is required, e.g. (objectClass=user)")
    return value


class AdSettings(BaseModel):
    """Connection, search scope and mapping for one gemeente's Active Directory."""

    model_config = ConfigDict(extra="forbid")

    servers: list[str] = Field(
        min_length=1,
        description="Domain controllers (host of host:poort), in voorkeursvolgorde.",
    )
    tls: TlsMode = TlsMode.LDAPS
    port: int | None = Field(default=None, ge=1, le=65535, description="Standaard 636/389.")
    ca_file: Path | None = Field(
        default=None, description="PEM-bestand met de CA('s) van de DC-certificaten; leeg: systeem."
    )
    verify_certificates: bool = Field(
        default=True, description="Alleen voor testomgevingen uit te zetten."
    )
    tls_server_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=253,
        description=(
            "Naam die het DC-certificaat moet dragen, als de DC op IP-adres wordt bereikt "
            "(ook als SNI gestuurd); leeg: de naam of het adres uit servers."
        ),
    )
    bind_user: str = Field(min_length=1, description="Serviceaccount (UPN of DN).")
    bind_password: Secret
    search_bases: list[str] = Field(min_length=1)
    user_filter: str = STANDARD_USER_FILTER
    attributes: AttributeMapping = Field(default_factory=AttributeMapping)
    connect_timeout_seconds: int = Field(default=5, ge=1, le=60)
    # ldap3 packs this into SO_RCVTIMEO, which takes whole seconds.
    receive_timeout_seconds: int = Field(default=30, ge=1, le=600)
    pool_rounds: int = Field(
        default=1, ge=1, le=5, description="Hoe vaak de hele DC-lijst wordt geprobeerd."
    )
    pool_exhaust_seconds: int = Field(
        default=60, ge=0, le=3600, description="Hoe lang een onbereikbare DC wordt overgeslagen."
    )
    page_size: int = Field(default=500, ge=10, le=1000)
    sync_groups: bool = Field(
        default=True,
        description="Groepen en lidmaatschappen synchroniseren (rollen uit AD-groepen).",
    )
    group_search_bases: list[str] | None = Field(
        default=None, description="Waar de groepen staan; leeg: dezelfde als search_bases."
    )
    group_filter: str = STANDARD_GROUP_FILTER

    @field_validator("user_filter")
    @classmethod
    def _filter_is_parenthesised(cls, value: str) -> str:
        return _check_filter(value)

    @field_validator("tls_server_name")
    @classmethod
    def _server_name_is_a_host_name(cls, value: str | None) -> str | None:
        if value is not None and not _HOST_NAME.fullmatch(value):
            raise ValueError("a DNS host name, e.g. dc1.gemeente.local, without scheme or port")
        return value

    @field_validator("group_filter")
    @classmethod
    def _group_filter_is_parenthesised(cls, value: str) -> str:
        return _check_filter(value)

    @property
    def group_bases(self) -> list[str]:
        return self.group_search_bases or self.search_bases

    @field_validator("servers")
    @classmethod
    def _servers_not_blank(cls, value: list[str]) -> list[str]:
        cleaned = [s.strip() for s in value]
        if any(not s or "/" in s for s in cleaned):
            raise ValueError("servers are host names or host:port, without scheme or path")
        return cleaned
