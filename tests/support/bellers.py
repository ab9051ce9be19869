"""The synthetic callers of the klantcontacten tests, in one place.

The session-wide log scan (``no_bsn_in_any_log_line``) fails on any of these phone numbers or
e-mail addresses in any log line, in every form the tests send them. The BSNs are the BRP
double's synthetic persons (valid 11-proof).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Beller:
    voornaam: str
    achternaam: str
    telefoonnummer: str  # as an agent types it
    telefoon_genormaliseerd: str  # as the hub stores it
    email: str
    bsn: str


BELLERS = (
    Beller(
        "Roos", "Verbeek", "06-4711 2368", "0647112368", "roos.verbeek@bellers.test", "999993653"
    ),
    Beller(
        "Karim", "Bouzid", "+31 6 5822 1947", "+31658221947", "k.bouzid@bellers.test", "999990445"
    ),
    Beller(
        "Els", "de Graaf", "020 7315 482", "0207315482", "els.degraaf@bellers.test", "999990524"
    ),
)


def verboden_in_logs() -> set[str]:
    """Every form of a synthetic caller's contact details a log line must never contain."""
    forms: set[str] = set()
    for beller in BELLERS:
        digits = "".join(ch for ch in beller.telefoon_genormaliseerd if ch.isdigit())
        forms |= {beller.telefoonnummer, beller.telefoon_genormaliseerd, digits, beller.email}
    return forms
