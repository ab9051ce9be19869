"""persoonReferentie: an opaque, short-lived handle on a person found by a search.

A kcc-medewerker who found a caller by name or postcode sees a masked BSN only. The person
search hands out, per person, a reference that opens that person's klantbeeld and zaken
without the BSN ever reaching the caller. It is stateless: the BSN, the caller's subject and
the expiry, sealed with AES-256-GCM under a key derived for this purpose from the gemeente's
encryption secret, with the gemeente code as associated data. So it is

* unreadable and unforgeable without the key;
* useless in another gemeente (another key, another associated data);
* useless to another caller (the subject inside must match) and after ``expires``.

Every use goes to the logboek (the signal ``persoonReferentie`` marks it); a refused use
that could be opened is logged against the BSN inside, so the person finds the attempt.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hub.bsn import is_valid_bsn
from hub.errors import InvalidRequest
from hub.privacy.settings import GemeentePrivacy

VELD = "persoonReferentie"
SIGNAAL = "persoonReferentie"
_PREFIX = "pr1."
_NONCE_BYTES = 12
# Long enough for any sealed reference, short enough to refuse junk before decrypting.
MAX_LENGTE = 400


class ReferentieGeweigerd(InvalidRequest):
    """A persoonReferentie that cannot be used; ``bsn`` is set when it could be opened, so the
    refused attempt is logged against that person."""

    def __init__(self, detail: str, *, code: str, bsn: str | None = None) -> None:
        super().__init__(detail, field=VELD, code=code)
        self.bsn = bsn


@dataclass(frozen=True)
class Referenties:
    """Issues and opens the persoonReferenties of one gemeente."""

    key: bytes
    gemeente: str
    lifetime: timedelta

    @classmethod
    def voor(cls, privacy: GemeentePrivacy) -> Referenties:
        return cls(
            privacy.sleutels.referentie_sleutel(),
            privacy.gemeente,
            timedelta(minutes=privacy.persoon_referentie_minuten),
        )

    def maak(self, bsn: str, subject: str, *, nu: datetime | None = None) -> str:
        expires = (nu or datetime.now(UTC)) + self.lifetime
        plain = json.dumps(
            {"b": bsn, "s": subject, "e": int(expires.timestamp())}, separators=(",", ":")
        ).encode()
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self.key).encrypt(nonce, plain, self.gemeente.encode())
        return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")

    def open(self, referentie: str, subject: str, *, nu: datetime | None = None) -> str:
        """The BSN behind ``referentie`` for this caller; :class:`ReferentieGeweigerd` (400,
        naming ``persoonReferentie``) when it is malformed, of another gemeente, of another
        caller or expired."""
        inhoud = self._inhoud(referentie)
        bsn = inhoud.get("b")
        if not isinstance(bsn, str) or not is_valid_bsn(bsn):
            raise _ongeldig()
        if inhoud.get("s") != subject:
            raise ReferentieGeweigerd(
                "deze persoonReferentie is aan een andere medewerker uitgegeven; zoek de "
                "persoon zelf op",
                code="andereMedewerker",
                bsn=bsn,
            )
        expires = inhoud.get("e")
        moment = (nu or datetime.now(UTC)).timestamp()
        if not isinstance(expires, int) or moment >= expires:
            raise ReferentieGeweigerd(
                "deze persoonReferentie is verlopen; zoek de persoon opnieuw op",
                code="verlopen",
                bsn=bsn,
            )
        return bsn

    def _inhoud(self, referentie: str) -> dict[str, object]:
        if not referentie.startswith(_PREFIX) or len(referentie) > MAX_LENGTE:
            raise _ongeldig()
        body = referentie[len(_PREFIX) :]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            plain = AESGCM(self.key).decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], self.gemeente.encode()
            )
            inhoud = json.loads(plain)
        except (binascii.Error, ValueError, InvalidTag):
            # Another gemeente's reference fails here too: its key and associated data differ.
            raise _ongeldig() from None
        if not isinstance(inhoud, dict):
            raise _ongeldig()
        return inhoud


def _ongeldig() -> ReferentieGeweigerd:
    return ReferentieGeweigerd(
        "deze persoonReferentie is ongeldig of van een andere gemeente",
        code="ongeldig",
    )
