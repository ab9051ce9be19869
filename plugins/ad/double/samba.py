"""A real, throw-away Samba AD domain controller for tests and benchmarks.

``samba_dc()`` provisions a fresh domain (realm ``GEMEENTE.TEST``) in a private
temporary directory, starts ``samba`` bound to a loopback address of its own
(127.x.y.z, so several runs on one machine never fight over port 389), waits
until LDAP answers and tears everything down afterwards. LDAPS (636) and
StartTLS use a certificate from a throw-away CA made here, issued for the
loopback address and the DC's DNS name, so clients verify it exactly as they
would a gemeente's own PKI.

Samba is installed from Debian's packages when missing and we are root; when
not root and absent, :class:`SambaUnavailableError` says so and the fixtures skip.

The process is stopped by the pid of its root process (its own process group),
never by name: other Samba instances on the machine are left alone.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import ldap3
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from ldap3.protocol.microsoft import extended_dn_control

from devkit.doubles import issue_certificate, make_ca, write_private_key

REALM = "GEMEENTE.TEST"
DOMAIN = "GEMEENTE"
BASE_DN = "DC=gemeente,DC=test"
ADMIN_USER = "Administrator@gemeente.test"
LDAP_PORT = 389
LDAPS_PORT = 636

_APT_LOCK = Path(tempfile.gettempdir()) / "kcc-hub-samba-apt.lock"
_START_TIMEOUT_S = 60.0
_STOP_TIMEOUT_S = 15.0

# Enabled account without a password: NORMAL_ACCOUNT | PASSWD_NOTREQD. Samba creates
# users added over LDAP without a password as disabled (546); the directory skips those.
UAC_ENABLED = 0x200 | 0x20
UAC_DISABLED = UAC_ENABLED | 0x2


class SambaUnavailableError(RuntimeError):
    """Samba cannot be used here (not installed and not root, or provisioning failed)."""


def _samba_binaries() -> tuple[str, str] | None:
    tool = shutil.which("samba-tool") or (
        "/usr/bin/samba-tool" if Path("/usr/bin/samba-tool").exists() else None
    )
    daemon = shutil.which("samba") or (
        "/usr/sbin/samba" if Path("/usr/sbin/samba").exists() else None
    )
    if tool and daemon:
        return tool, daemon
    return None


def ensure_samba_installed() -> tuple[str, str]:
    """Return (samba-tool, samba); install Debian's packages first when missing and root."""
    found = _samba_binaries()
    if found:
        return found
    if os.geteuid() != 0:
        raise SambaUnavailableError(
            "Samba AD DC is not installed and we are not root to install it "
            "(apt-get install samba samba-ad-dc)"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "samba", "samba-ad-dc"]
    # Two test runs may start at once; dpkg allows one installer at a time.
    with _APT_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _samba_binaries():
            done = subprocess.run(install, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                subprocess.run(
                    ["apt-get", "update", "-q"], env=env, capture_output=True, check=False
                )
                done = subprocess.run(install, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise SambaUnavailableError(f"apt-get install samba failed: {done.stderr[-800:]}")
    found = _samba_binaries()
    if not found:
        raise SambaUnavailableError("samba was installed but samba-tool/samba are not on PATH")
    return found


def _port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def _free_loopback_address() -> str:
    """A 127.x.y.z address where nothing listens on the LDAP ports."""
    rng = random.SystemRandom()
    for _ in range(50):
        host = f"127.{rng.randint(1, 254)}.{rng.randint(0, 254)}.{rng.randint(2, 254)}"
        if not _port_open(host, LDAP_PORT) and not _port_open(host, LDAPS_PORT):
            return host
    raise SambaUnavailableError("no free loopback address for a Samba DC")


@dataclass(frozen=True)
class TlsFiles:
    ca_file: Path
    cert_file: Path
    key_file: Path
    ca_key_file: Path


DC_DNS_NAME = "dc1.gemeente.test"


def make_tls_files(
    directory: Path, host: str, dns_name: str, *, ip_in_certificate: bool = True
) -> TlsFiles:
    """A throw-away CA and a server certificate for ``dns_name`` and ``host`` (as an IP SAN,
    unless ``ip_in_certificate`` is false: a DC certificate that names only its host)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_cert, ca_key = make_ca(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "KCC Hub test CA")])
    )
    cert, key = issue_certificate(
        ca_key,
        ca_cert.subject,
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns_name)]),
        usage=ExtendedKeyUsageOID.SERVER_AUTH,
        dns_names=(dns_name,),
        ip_addresses=(host,) if ip_in_certificate else (),
    )
    files = TlsFiles(
        ca_file=directory / "ca.pem",
        cert_file=directory / "cert.pem",
        key_file=directory / "key.pem",
        ca_key_file=directory / "ca-key.pem",
    )
    files.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    write_private_key(key, files.key_file)
    write_private_key(ca_key, files.ca_key_file)
    return files


_GRANT_SCRIPT = """
import sys, ldb
from samba.auth import system_session
from samba.dcerpc import security
from samba.ndr import ndr_pack, ndr_unpack
from samba.param import LoadParm
from samba.samdb import SamDB
conf, directory, dn, sid = sys.argv[1:5]
lp = LoadParm()
lp.load(conf)
db = SamDB(url="tdb://" + directory + "/private/sam.ldb", session_info=system_session(), lp=lp)
controls = ["show_deleted:1", "sd_flags:1:4"]
res = db.search(base=dn, scope=ldb.SCOPE_BASE, attrs=["nTSecurityDescriptor"], controls=controls)
desc = ndr_unpack(security.descriptor, res[0]["nTSecurityDescriptor"][0])
ace = security.descriptor.from_sddl("D:(A;;LCRP;;;" + sid + ")", security.dom_sid(sid)).dacl.aces[0]
desc.dacl_add(ace)
msg = ldb.Message()
msg.dn = ldb.Dn(db, dn)
msg["nTSecurityDescriptor"] = ldb.MessageElement(
    ndr_pack(desc), ldb.FLAG_MOD_REPLACE, "nTSecurityDescriptor")
db.modify(msg, controls=controls)
"""


@dataclass
class SambaDC:
    """One provisioned domain controller; ``start``/``stop`` may be called repeatedly."""

    directory: Path
    host: str
    admin_password: str
    tls: TlsFiles
    daemon: str
    base_dn: str = BASE_DN
    dns_name: str = "dc1.gemeente.test"
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def conf(self) -> Path:
        return self.directory / "etc" / "smb.conf"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self, timeout: float = _START_TIMEOUT_S) -> None:
        """Start samba in the foreground of its own process group; wait until LDAP answers."""
        if self.running:
            return
        if _port_open(self.host, LDAP_PORT):
            raise SambaUnavailableError(
                f"{self.host}:{LDAP_PORT} is already taken by another server"
            )
        out = (self.directory / "samba.out").open("ab")
        self._process = subprocess.Popen(
            [self.daemon, "-s", str(self.conf), "--foreground", "--debug-stdout"],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                tail = (self.directory / "samba.out").read_text(errors="replace")[-1500:]
                self._process = None
                raise SambaUnavailableError(f"samba exited during start-up:\n{tail}")
            if self._answers():
                return
            time.sleep(0.2)
        self.stop()
        raise SambaUnavailableError(
            f"samba did not answer on {self.host}:{LDAP_PORT} within {timeout:.0f} s"
        )

    def _answers(self) -> bool:
        if not (_port_open(self.host, LDAP_PORT) and _port_open(self.host, LDAPS_PORT)):
            return False
        try:
            conn = self.connection()
        except ldap3.core.exceptions.LDAPException:
            return False
        conn.unbind()
        return True

    def stop(self) -> None:
        """Stop the root process (SIGTERM, then SIGKILL to its own process group)."""
        proc = self._process
        if proc is None:
            return
        self._process = None
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=_STOP_TIMEOUT_S)
        # Pre-forked workers leave with the root process; wait until the ports are free.
        deadline = time.monotonic() + _STOP_TIMEOUT_S
        while time.monotonic() < deadline and _port_open(self.host, LDAP_PORT):
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    def ldaps_connection(self) -> ldap3.Connection:
        """An administrator connection over LDAPS (needed to set passwords)."""
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=str(self.tls.ca_file))
        server = ldap3.Server(
            self.host, port=LDAPS_PORT, use_ssl=True, tls=tls, connect_timeout=5,
            get_info=ldap3.NONE,
        )  # fmt: skip
        return ldap3.Connection(
            server, user=ADMIN_USER, password=self.admin_password, auto_bind=True,
            receive_timeout=30, raise_exceptions=True,
        )  # fmt: skip

    def add_service_account(self, name: str, password: str) -> str:
        """A plain domain user with a password (no extra rights); returns its DN."""
        dn = f"CN={name},CN=Users,{self.base_dn}"
        with self.ldaps_connection() as conn:
            conn.add(
                dn,
                ["top", "person", "organizationalPerson", "user"],
                {
                    "sAMAccountName": name,
                    "userPrincipalName": f"{name}@gemeente.test",
                    "unicodePwd": f'"{password}"'.encode("utf-16-le"),
                    "userAccountControl": "512",
                },
            )
        return dn

    def grant_deleted_objects_listing(self, account_dn: str) -> None:
        """Let an account list tombstones (LCRP on CN=Deleted Objects), as docs/ad.md says."""
        with self.connection() as conn:
            conn.search(
                account_dn, "(objectClass=*)", ldap3.BASE, attributes=["objectSid"],
                controls=[extended_dn_control(criticality=False, hex_format=False)],
            )  # fmt: skip
            sid = str(conn.response[0]["dn"]).split("<SID=", 1)[1].split(">", 1)[0]
        # samba-tool dsacl cannot see the container (it is itself deleted), so add the ACE
        # with Samba's own Python bindings and the show-deleted control.
        done = subprocess.run(
            ["/usr/bin/python3", "-c", _GRANT_SCRIPT, str(self.conf), str(self.directory),
             f"CN=Deleted Objects,{self.base_dn}", sid],
            capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
        if done.returncode != 0:
            raise SambaUnavailableError(f"granting LCRP failed: {done.stderr[-800:]}")

    def connection(self) -> ldap3.Connection:
        """An administrator connection over plain LDAP, for creating test data."""
        server = ldap3.Server(self.host, port=LDAP_PORT, connect_timeout=5, get_info=ldap3.NONE)
        return ldap3.Connection(
            server,
            user=ADMIN_USER,
            password=self.admin_password,
            auto_bind=True,
            receive_timeout=30,
            raise_exceptions=True,
        )


def provision(directory: Path, host: str, admin_password: str) -> None:
    """Provision a fresh domain into ``directory`` and adapt its smb.conf for tests."""
    tool, _daemon = ensure_samba_installed()
    (directory / "pid").mkdir(parents=True, exist_ok=True)
    cmd = [
        tool, "domain", "provision",
        f"--realm={REALM}", f"--domain={DOMAIN}", "--server-role=dc",
        "--dns-backend=NONE", f"--adminpass={admin_password}",
        f"--targetdir={directory}",
        # An address with a prefix length is used as given, no matching system interface needed.
        f"--option=interfaces={host}/8", "--option=bind interfaces only=yes",
        "--option=server services=ldap",
        f"--option=log file={directory}/log.%m",
        f"--option=pid directory={directory}/pid",
    ]  # fmt: skip
    # --targetdir keeps provision away from the package's /etc/samba/smb.conf.
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=180)
    if done.returncode != 0:
        raise SambaUnavailableError(
            f"samba-tool domain provision failed: {(done.stdout + done.stderr)[-1500:]}"
        )


def _configure(dc: SambaDC) -> None:
    text = dc.conf.read_text()
    extra = (
        "[global]\n"
        # Plain-LDAP simple binds are for tests only; production uses LDAPS or StartTLS.
        "\tldap server require strong auth = no\n"
        "\ttls enabled = yes\n"
        f"\ttls keyfile = {dc.tls.key_file}\n"
        f"\ttls certfile = {dc.tls.cert_file}\n"
        f"\ttls cafile = {dc.tls.ca_file}\n"
        # Tests reuse passwords freely.
        "\tcheck password script =\n"
    )
    dc.conf.write_text(text.replace("[global]\n", extra, 1))


@contextlib.contextmanager
def samba_dc(keep: bool = False, *, ip_in_certificate: bool = True) -> Iterator[SambaDC]:
    """Provision and start a DC; stop it and remove its directory afterwards.

    ``ip_in_certificate=False`` gives the DC a certificate naming only dc1.gemeente.test,
    as a production DC reached by IP address often has.
    """
    _tool, daemon = ensure_samba_installed()
    directory = Path(tempfile.mkdtemp(prefix="kcc-samba-"))
    dc: SambaDC | None = None
    try:
        host = _free_loopback_address()
        password = "Kcc-" + secrets.token_urlsafe(12) + "-9a!"
        provision(directory, host, password)
        tls = make_tls_files(
            directory / "test-tls", host, DC_DNS_NAME, ip_in_certificate=ip_in_certificate
        )
        dc = SambaDC(
            directory=directory, host=host, admin_password=password, tls=tls, daemon=daemon
        )
        _configure(dc)
        dc.start()
        yield dc
    finally:
        if dc is not None:
            dc.stop()
        if not keep:
            shutil.rmtree(directory, ignore_errors=True)


# --- synthetic medewerkers ---------------------------------------------------------------

VOORNAMEN = (
    "Jan", "Piet", "Kees", "Anna", "Fatima", "Mohamed", "Sanne", "Eva", "Daan", "Lotte", "Emre",
    "Ayşe", "Chloë", "Noël", "Sem", "Julia", "Bram", "Iris", "Ahmed", "Zoë", "Thijs", "Anouk",
    "Łukasz", "Renée", "Mehmet", "Priya", "Joost", "Femke", "Youssef", "Ingrid",
)  # fmt: skip
TUSSENVOEGSELS = (
    "",
    "",
    "",
    "",
    "van",
    "de",
    "van der",
    "van den",
    "van de",
    "ter",
    "in 't",
    "den",
)
ACHTERNAMEN = (
    "Janssen", "Jansen", "Berg", "Vries", "Visser", "Smit", "Meijer", "Bakker", "Mulder",
    "Özdemir", "Yılmaz", "Çelik", "Bos", "Vos", "Dijk", "Hoek", "Brink", "Kok", "Graaf",
    "Koster", "Wijk", "Leeuwen", "Peters", "Hendriks", "El Amrani", "Nguyễn", "Müller",
    "Šimková", "Dekker", "Groot", "Boer", "Linden", "Veen", "Heuvel", "Ruiter",
)  # fmt: skip
AFDELINGEN = (
    "Burgerzaken", "Belastingen", "Vergunningen", "Sociaal Domein", "Wijkbeheer", "Afval",
    "Parkeren", "Jeugd", "Schuldhulpverlening", "Publiekszaken", "ICT", "Financiën",
)  # fmt: skip
FUNCTIES = (
    "Medewerker", "Senior medewerker", "Teamleider", "Adviseur", "Beleidsmedewerker",
    "Klantcontactmedewerker", "Casemanager", "Specialist", "Coördinator",
)  # fmt: skip
EXPERTISES = (
    "paspoorten", "rijbewijzen", "WOZ-bezwaar", "kwijtschelding", "omgevingsvergunning",
    "parkeervergunning", "bijstand", "Wmo", "schuldhulp", "grofvuil", "verhuizing",
    "huwelijk", "naturalisatie", "evenementen", "bomenkap", "leerlingenvervoer",
)  # fmt: skip


@dataclass(frozen=True)
class TestPerson:
    """A synthetic medewerker as written to AD."""

    cn: str
    sam: str
    voornaam: str
    tussenvoegsel: str
    achternaam: str
    afdeling: str
    functie: str
    telefoon: str
    mobiel: str
    mail: str
    kamer: str
    expertise: tuple[str, ...]

    @property
    def sn(self) -> str:
        # AD keeps the tussenvoegsel in sn for Dutch names ("van der Berg").
        return f"{self.tussenvoegsel} {self.achternaam}".strip()

    @property
    def display_name(self) -> str:
        return f"{self.voornaam} {self.sn}"

    def attributes(self, uac: int = UAC_ENABLED) -> dict[str, object]:
        return {
            "sAMAccountName": self.sam,
            "userPrincipalName": f"{self.sam}@gemeente.test",
            "givenName": self.voornaam,
            "sn": self.sn,
            "displayName": self.display_name,
            "department": self.afdeling,
            "title": self.functie,
            "telephoneNumber": self.telefoon,
            "mobile": self.mobiel,
            "mail": self.mail,
            "physicalDeliveryOfficeName": self.kamer,
            "description": ", ".join(self.expertise),
            "userAccountControl": str(uac),
        }


def make_people(count: int, seed: int = 3, prefix: str = "u") -> list[TestPerson]:
    """``count`` distinct synthetic medewerkers, reproducible for a seed."""
    rng = random.Random(seed)
    people = []
    for i in range(count):
        voornaam = rng.choice(VOORNAMEN)
        tussen = rng.choice(TUSSENVOEGSELS)
        achternaam = rng.choice(ACHTERNAMEN)
        sam = f"{prefix}{i:06d}"
        people.append(
            TestPerson(
                cn=f"{voornaam} {tussen + ' ' if tussen else ''}{achternaam} {sam}",
                sam=sam,
                voornaam=voornaam,
                tussenvoegsel=tussen,
                achternaam=achternaam,
                afdeling=rng.choice(AFDELINGEN),
                functie=rng.choice(FUNCTIES),
                telefoon=f"+31 20 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                mobiel=f"+31 6 {rng.randint(10000000, 99999999)}",
                mail=f"{sam}@gemeente.test",
                kamer=f"{rng.choice('ABC')}.{rng.randint(1, 6)}.{rng.randint(1, 40):02d}",
                expertise=tuple(sorted(rng.sample(EXPERTISES, rng.randint(1, 3)))),
            )
        )
    return people


def ensure_ou(conn: ldap3.Connection, dn: str) -> None:
    """Create an organizationalUnit (and its parents under the base DN) if missing."""
    parts = ldap3.utils.dn.to_dn(dn)
    for i in range(len(parts) - 1, -1, -1):
        sub = ",".join(parts[i:])
        if not sub.upper().startswith("OU="):
            continue
        with contextlib.suppress(ldap3.core.exceptions.LDAPEntryAlreadyExistsResult):
            conn.add(sub, ["top", "organizationalUnit"])


def user_dn(person: TestPerson, ou_dn: str) -> str:
    return f"CN={ldap3.utils.dn.escape_rdn(person.cn)},{ou_dn}"


def add_people(
    conn: ldap3.Connection, people: Iterable[TestPerson], ou_dn: str, uac: int = UAC_ENABLED
) -> list[str]:
    """Add users over one connection (Samba takes a few hundred a second); return their DNs."""
    ensure_ou(conn, ou_dn)
    dns = []
    for person in people:
        dn = user_dn(person, ou_dn)
        conn.add(dn, ["top", "person", "organizationalPerson", "user"], person.attributes(uac))
        dns.append(dn)
    return dns


def add_people_parallel(
    dc: SambaDC, people: list[TestPerson], ou_dn: str, workers: int = 4
) -> list[str]:
    """Like :func:`add_people` over ``workers`` connections (Samba pre-forks 4 LDAP workers)."""
    with dc.connection() as conn:
        ensure_ou(conn, ou_dn)
    chunks = [people[i::workers] for i in range(workers)]

    def run(chunk: list[TestPerson]) -> list[str]:
        with dc.connection() as conn:
            return add_people(conn, chunk, ou_dn)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run, chunks))
    return [dn for result in results for dn in result]
