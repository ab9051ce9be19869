"""The LDAP wire: connecting to a pool of domain controllers, binding, and searching.

Everything ldap3-specific lives here; the sync logic and the hooks see
:class:`AdConnection` and :class:`LdapEntry` only. ldap3 errors are translated
into :mod:`hub.errors` types at this boundary, without secrets or person data.
"""

from __future__ import annotations

import ipaddress
import ssl
import time
import unicodedata
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import ldap3
from ldap3.core import exceptions as lx
from ldap3.protocol.microsoft import extended_dn_control
from ldap3.utils.config import set_config_parameter
from ldap3.utils.conv import escape_filter_chars

from hub.plugin_sdk import (
    ConfigurationError,
    InvalidRequest,
    KccError,
    SecretResolutionError,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from plugins.ad.config import AdSettings, TlsMode

SHOW_DELETED_OID = "1.2.840.113556.1.4.417"
PAGED_RESULTS_OID = "1.2.840.113556.1.4.319"
# Matching rule LDAP_MATCHING_RULE_BIT_AND; bit 0x2 of userAccountControl is ACCOUNTDISABLE.
DISABLED_FILTER = "(userAccountControl:1.2.840.113556.1.4.803:=2)"
MAX_SEARCH_LENGTH = 256
_POOL_ROUND_PAUSE_SECONDS = 1


@dataclass(frozen=True)
class LdapEntry:
    """One directory object: its stable id, its DN and its attribute values as text."""

    guid: str
    dn: str
    attributes: Mapping[str, list[str]]

    def first(self, name: str | None) -> str | None:
        """The first non-blank value of an attribute, or None."""
        if not name:
            return None
        for value in self.attributes.get(name.lower(), ()):
            if value.strip():
                return value.strip()
        return None

    def all(self, name: str | None) -> list[str]:
        if not name:
            return []
        return [v for v in self.attributes.get(name.lower(), ()) if v.strip()]


@dataclass(frozen=True)
class DcInfo:
    """Which DC we talk to and how far its database has come (from the rootDSE)."""

    server: str
    dns_host_name: str
    default_naming_context: str
    invocation_id: str
    highest_committed_usn: int


def guid_text(raw: bytes) -> str:
    """objectGUID as AD shows it (the little-endian UUID layout)."""
    return str(uuid.UUID(bytes_le=bytes(raw)))


def parse_extended_dn(value: str) -> tuple[str | None, str]:
    """Split ``<GUID=...>;<SID=...>;CN=...`` (extended DN control) into (guid, dn)."""
    guid = None
    rest = value
    while rest.startswith("<"):
        end = rest.find(">")
        if end < 0:
            break
        part = rest[1:end]
        if part.upper().startswith("GUID="):
            guid = part[5:].lower()
        rest = rest[end + 1 :].removeprefix(";")
    return guid, rest


def _text(values: Sequence[Any]) -> list[str]:
    out = []
    for value in values:
        if isinstance(value, bytes | bytearray):
            out.append(bytes(value).decode("utf-8", errors="replace"))
        else:
            out.append(str(value))
    return out


def _split_server(spec: str, default_port: int) -> tuple[str, int]:
    if spec.startswith("["):
        host, _, port = spec[1:].partition("]")
        return host, int(port.lstrip(":") or default_port)
    if spec.count(":") == 1:
        host, port = spec.split(":")
        return host, int(port)
    return spec, default_port


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_certificate_problem(exc: BaseException) -> bool:
    text = str(exc)
    return (
        isinstance(exc, lx.LDAPCertificateError | ssl.SSLCertVerificationError)
        or "CERTIFICATE_VERIFY_FAILED" in text
        or "doesn't match" in text
    )


@contextmanager
def upstream_errors(action: str) -> Iterator[None]:
    """Translate ldap3/socket failures into hub errors; never include secrets or names."""
    try:
        yield
    except KccError:
        raise
    except SecretResolutionError as exc:
        raise ConfigurationError(
            f"het wachtwoord van het AD-serviceaccount is niet te lezen (bind_password: {exc})",
            source="ad",
        ) from None
    except lx.LDAPSSLConfigurationError as exc:
        # Raised by ldap3 before any connection: a ca_file that is missing or no PEM.
        raise ConfigurationError(
            f"de TLS-instellingen kloppen niet (ca_file): {exc}", source="ad"
        ) from None
    except lx.LDAPInvalidCredentialsResult as exc:
        raise UpstreamRejected(
            "de DC weigert het serviceaccount (ongeldige inloggegevens)", source="ad"
        ) from exc
    except lx.LDAPNoSuchObjectResult as exc:
        raise UpstreamRejected(
            f"{action}: een zoekbasis bestaat niet op de DC", source="ad"
        ) from exc
    except (lx.LDAPBusyResult, lx.LDAPUnavailableResult) as exc:
        raise UpstreamUnavailable(
            f"{action}: de DC is bezet of niet beschikbaar", source="ad"
        ) from exc
    except lx.LDAPSocketReceiveError as exc:
        raise UpstreamTimeout(f"{action}: de DC antwoordt niet op tijd", source="ad") from exc
    except lx.LDAPOperationResult as exc:
        raise UpstreamRejected(f"{action}: de DC weigert ({exc.description})", source="ad") from exc
    except (lx.LDAPExceptionError, OSError) as exc:
        if _is_certificate_problem(exc):
            raise UpstreamRejected(
                "het TLS-certificaat van de DC wordt niet vertrouwd (ca_file, servernaam)",
                source="ad",
            ) from exc
        if "timed out" in str(exc).lower():
            raise UpstreamTimeout(f"{action}: de DC antwoordt niet op tijd", source="ad") from exc
        raise UpstreamUnavailable(
            f"{action}: geen domain controller bereikbaar", source="ad"
        ) from exc


class AdConnection:
    """A bound connection to one DC; all searches of a sync go through it (pinned)."""

    def __init__(self, conn: ldap3.Connection, server: str, settings: AdSettings) -> None:
        self._conn = conn
        self.server = server
        self._settings = settings

    def dc_info(self) -> DcInfo:
        """Read the rootDSE and the DC's invocationID (its database identity)."""
        with upstream_errors("rootDSE lezen"):
            root = self._one(
                "",
                ["highestCommittedUSN", "dsServiceName", "defaultNamingContext", "dnsHostName"],
            )
            service = (root.get("dsservicename") or [""])[0]
            raw: list[bytes] = [b""]
            if service:
                self._conn.search(
                    service, "(objectClass=*)", ldap3.BASE, attributes=["invocationId"]
                )
                found = [r for r in self._conn.response if r.get("type") == "searchResEntry"]
                if found:
                    raw = found[0]["raw_attributes"].get("invocationId") or [b""]
        return DcInfo(
            server=self.server,
            dns_host_name=(root.get("dnshostname") or [""])[0],
            default_naming_context=(root.get("defaultnamingcontext") or [""])[0],
            invocation_id=guid_text(raw[0]) if len(raw[0]) == 16 else "",
            highest_committed_usn=int((root.get("highestcommittedusn") or ["0"])[0]),
        )

    def _one(self, dn: str, attributes: list[str]) -> dict[str, list[str]]:
        self._conn.search(dn, "(objectClass=*)", ldap3.BASE, attributes=attributes)
        entries = [r for r in self._conn.response if r.get("type") == "searchResEntry"]
        if not entries:
            return {}
        return {k.lower(): _text(v) for k, v in entries[0]["raw_attributes"].items()}

    def paged_search(
        self,
        base: str,
        ldap_filter: str,
        attributes: Sequence[str],
        *,
        show_deleted: bool = False,
        page_size: int | None = None,
        max_pages: int | None = None,
    ) -> Iterator[list[LdapEntry]]:
        """Yield the results page by page (simple paged results control)."""
        controls = [extended_dn_control(criticality=False, hex_format=False)]
        if show_deleted:
            controls.append((SHOW_DELETED_OID, True, None))
        cookie: bytes | None = None
        pages = 0
        while True:
            with upstream_errors("zoeken in AD"):
                self._conn.search(
                    base,
                    ldap_filter,
                    ldap3.SUBTREE,
                    attributes=list(attributes),
                    paged_size=page_size or self._settings.page_size,
                    paged_cookie=cookie,
                    controls=controls,
                )
                page = [
                    self._entry(r) for r in self._conn.response if r.get("type") == "searchResEntry"
                ]
                control = (self._conn.result.get("controls") or {}).get(PAGED_RESULTS_OID) or {}
                cookie = (control.get("value") or {}).get("cookie") or None
            pages += 1
            yield [e for e in page if e is not None]
            if not cookie or (max_pages is not None and pages >= max_pages):
                return

    @staticmethod
    def _entry(response: Mapping[str, Any]) -> LdapEntry | None:
        raw = response.get("raw_attributes") or {}
        guid_values = raw.get("objectGUID") or []
        if not guid_values or len(guid_values[0]) != 16:
            return None
        _guid, dn = parse_extended_dn(str(response.get("dn", "")))
        attributes = {
            name.lower(): _text(values) for name, values in raw.items() if name != "objectGUID"
        }
        return LdapEntry(guid=guid_text(guid_values[0]), dn=dn, attributes=attributes)

    def search_anr(self, zoek: str, limit: int) -> list[LdapEntry]:
        """AD's ambiguous name resolution over the configured bases; input is escaped."""
        # Control characters (NUL above all) mean nothing in a name and end strings in C code.
        text = "".join(c for c in zoek if unicodedata.category(c) != "Cc").strip()
        if not text or len(text) > MAX_SEARCH_LENGTH:
            raise InvalidRequest(
                f"zoekterm moet 1 tot {MAX_SEARCH_LENGTH} tekens zijn", field="zoek"
            )
        settings = self._settings
        ldap_filter = (
            f"(&{settings.user_filter}(!{DISABLED_FILTER})(anr={escape_filter_chars(text)}))"
        )
        found: list[LdapEntry] = []
        for base in settings.search_bases:
            for page in self.paged_search(
                base,
                ldap_filter,
                settings.attributes.ldap_attributes(),
                page_size=max(1, limit),
                max_pages=1,
            ):
                found.extend(page)
            if len(found) >= limit:
                break
        return found[:limit]

    def close(self) -> None:
        # Unbind failures on an already broken socket are of no interest.
        try:
            self._conn.unbind()
        except (lx.LDAPException, OSError):
            return


class AdClient:
    """Opens bound connections to the gemeente's domain controllers."""

    def __init__(self, settings: AdSettings) -> None:
        self.settings = settings

    def _tls(self, host: str) -> ldap3.Tls | None:
        """TLS for one DC: the configured server name (or the host name) as SNI and as
        the name the certificate must carry; an IP address is checked as itself."""
        s = self.settings
        if s.tls is TlsMode.NONE:
            return None
        name = s.tls_server_name or (None if _is_ip(host) else host)
        return ldap3.Tls(
            validate=ssl.CERT_REQUIRED if s.verify_certificates else ssl.CERT_NONE,
            ca_certs_file=str(s.ca_file) if s.ca_file else None,
            sni=name,
            valid_names=[s.tls_server_name] if s.tls_server_name else None,
        )

    def _servers(self, prefer: str | None) -> list[ldap3.Server]:
        s = self.settings
        default_port = s.port or (636 if s.tls is TlsMode.LDAPS else 389)
        specs = list(s.servers)
        if prefer in specs:
            specs.remove(prefer)
            specs.insert(0, prefer)
        servers = []
        for spec in specs:
            host, port = _split_server(spec, default_port)
            servers.append(
                ldap3.Server(
                    host,
                    port=port,
                    use_ssl=s.tls is TlsMode.LDAPS,
                    tls=self._tls(host),
                    connect_timeout=s.connect_timeout_seconds,
                    get_info=ldap3.NONE,
                )
            )
        return servers

    def _spec_of(self, server: ldap3.Server, prefer: str | None) -> str:
        for spec in self.settings.servers:
            host, port = _split_server(spec, server.port)
            if host == server.host and port == server.port:
                return spec
        return prefer or f"{server.host}:{server.port}"

    @contextmanager
    def connect(self, prefer: str | None = None) -> Iterator[AdConnection]:
        """A connection bound as the service account; ``prefer`` names the DC to try first."""
        s = self.settings
        # ldap3 sleeps this long after *every* round over the pool, the last one included
        # (default 10 s); one second between rounds is enough and keeps failures quick.
        set_config_parameter("POOLING_LOOP_TIMEOUT", _POOL_ROUND_PAUSE_SECONDS)
        with upstream_errors("verbinden met AD"):
            pool = ldap3.ServerPool(
                self._servers(prefer),
                ldap3.FIRST,
                active=s.pool_rounds,
                exhaust=s.pool_exhaust_seconds,
            )
            conn = ldap3.Connection(
                pool,
                user=s.bind_user,
                password=s.bind_password.resolve(),
                authentication=ldap3.SIMPLE,
                auto_bind=ldap3.AUTO_BIND_NONE,
                receive_timeout=s.receive_timeout_seconds,
                raise_exceptions=True,
                read_only=True,
                auto_referrals=False,
                return_empty_attributes=False,
            )
            conn.open()
            if s.tls is TlsMode.STARTTLS:
                conn.start_tls()
            conn.bind()
        connection = AdConnection(conn, self._spec_of(conn.server, prefer), s)
        try:
            yield connection
        finally:
            connection.close()

    def ping(self) -> float:
        """Bind and read the rootDSE; return the round trip in milliseconds."""
        started = time.perf_counter()
        with self.connect() as conn:
            conn.dc_info()
        return (time.perf_counter() - started) * 1000
