"""The logboek's keys: a keyed hash of the betrokkene, the BSN encrypted, and signatures.

Two secrets per gemeente, given as secret references in ``[privacy]``
(``hmac_sleutel``, ``encryptie_sleutel``), each the base64 of at least 32
random bytes (``openssl rand -base64 32``). Purpose-specific keys are derived
with HKDF-SHA256 and bound to the gemeente code, so one deployment-wide secret
still gives every gemeente its own keys, and a hash or ciphertext of one
gemeente is worthless in another.

* betrokkene hash: HMAC-SHA256 of the BSN, to find a person's records without
  storing the BSN readable (a plain hash of a nine-digit number is reversible
  by trying all of them; a keyed one is not without the key).
* BSN encrypted with AES-256-GCM (random 96-bit nonce, the gemeente as
  associated data), so an inzage (AVG art. 15) request can be answered and the
  privacy officer can see who was looked up.
* signatures (HMAC) over the chain head and retention checkpoints, so a purge
  or a truncated chain cannot be faked without the key.

Secrets are resolved at the moment of use, never cached across calls, so a
rotated file or variable takes effect without a restart. Rotating the HMAC key
makes older records unfindable by BSN and their signatures unverifiable: rotate
only together with a retention purge, or keep the old key (see docs/privacy.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hub.secrets import SecretRef, SecretResolutionError

_MIN_KEY_BYTES = 32
_NONCE_BYTES = 12
_CIPHERTEXT_VERSION = "v1"


class SleutelFout(Exception):
    """A key is missing or malformed. The message names the setting, never the value."""


def _decode_key(raw: str, setting: str) -> bytes:
    text = raw.strip()
    try:
        padded = text + "=" * (-len(text) % 4)
        material = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SleutelFout(
            f"{setting}: the secret is not base64 (use: openssl rand -base64 32)"
        ) from exc
    if len(material) < _MIN_KEY_BYTES:
        raise SleutelFout(f"{setting}: the secret must hold at least {_MIN_KEY_BYTES} random bytes")
    return material


# Keyed by the master's bytes, which are still resolved on every call: a rotated secret
# derives afresh, and a lookup no longer pays three HKDF runs (bench/bench_privacy.py).
@lru_cache(maxsize=256)
def _derive(master: bytes, purpose: str, gemeente: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=f"kcc-hub logboek {purpose} {gemeente}".encode(),
    ).derive(master)


@dataclass(frozen=True)
class LogboekSleutels:
    """The key references of one gemeente; every operation resolves them when called."""

    gemeente: str
    hmac_sleutel: SecretRef
    encryptie_sleutel: SecretRef

    def _hmac_master(self) -> bytes:
        return _decode_key(self.hmac_sleutel.resolve(), "privacy.hmac_sleutel")

    def _enc_master(self) -> bytes:
        return _decode_key(self.encryptie_sleutel.resolve(), "privacy.encryptie_sleutel")

    def check(self) -> None:
        """Resolve and decode both keys; raises when one is missing or malformed."""
        self._hmac_master()
        self._enc_master()

    def problems(self) -> list[tuple[str, str]]:
        """Every key that cannot be used, as (setting, reason), so all are reported at once."""
        found = []
        for setting, read in (
            ("hmac_sleutel", self._hmac_master),
            ("encryptie_sleutel", self._enc_master),
        ):
            try:
                read()
            except (SecretResolutionError, SleutelFout) as exc:
                found.append((setting, str(exc)))
        return found

    def betrokkene_hasher(self) -> BetrokkeneHasher:
        """A hasher holding the derived key, for hashing several BSNs with one resolution."""
        return BetrokkeneHasher(_derive(self._hmac_master(), "betrokkene", self.gemeente))

    def betrokkene_hash(self, bsn: str) -> str:
        """The keyed hash by which a person's records are found."""
        return self.betrokkene_hasher().hash(bsn)

    def versleutelaar(self) -> Versleutelaar:
        return Versleutelaar(
            _derive(self._enc_master(), "bsn-encryptie", self.gemeente), self.gemeente
        )

    def referentie_sleutel(self) -> bytes:
        """The AES-256-GCM key of this gemeente's persoonReferenties (hub.privacy.referentie):
        derived from the encryption secret for that purpose only, so no new secret is needed."""
        return _derive(self._enc_master(), "persoon-referentie", self.gemeente)

    def onderteken(self, message: bytes) -> str:
        """HMAC-SHA256 signature (hex) over chain heads and checkpoints."""
        key = _derive(self._hmac_master(), "keten-handtekening", self.gemeente)
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    def controleer(self, message: bytes, signature: str) -> bool:
        return hmac.compare_digest(self.onderteken(message), signature)


@dataclass(frozen=True)
class BetrokkeneHasher:
    key: bytes

    def hash(self, bsn: str) -> str:
        return hmac.new(self.key, bsn.encode("ascii"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Versleutelaar:
    key: bytes
    gemeente: str

    def versleutel(self, bsn: str) -> str:
        """``v1:<base64(nonce|ciphertext|tag)>``, bound to the gemeente."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self.key).encrypt(nonce, bsn.encode("ascii"), self.gemeente.encode())
        return f"{_CIPHERTEXT_VERSION}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def ontsleutel(self, token: str) -> str:
        version, _, body = token.partition(":")
        if version != _CIPHERTEXT_VERSION:
            raise SleutelFout("unknown ciphertext version in the logboek")
        raw = base64.b64decode(body)
        plain = AESGCM(self.key).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], self.gemeente.encode()
        )
        return plain.decode("ascii")
