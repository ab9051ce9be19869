from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from plugins.openklant.client import OpenKlantClient
from plugins.openklant.config import OpenKlantSettings
from plugins.openklant.contactverzoeken import nieuw_contactverzoek
from plugins.openklant.double import OpenKlantDouble, run_openklant_double
from plugins.openklant.models import NieuwContactverzoek

TOKEN = "openklant-token-voor-de-tests-0123456789"
# Synthetic caller contact details (the test-run log scan must never find them).
TELEFOON = "0201234567"
EMAIL = "f.de.proef@voorbeeld.test"


@pytest.fixture(scope="session")
def openklant() -> Iterator[OpenKlantDouble]:
    with run_openklant_double(tokens=[TOKEN], page_size=100) as double:
        yield double


@pytest.fixture(autouse=True)
def _fresh(openklant: OpenKlantDouble, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENKLANT_TOKEN", TOKEN)
    openklant.reset()


def settings(double: OpenKlantDouble, **extra: Any) -> OpenKlantSettings:
    return OpenKlantSettings.model_validate(
        {
            "base_url": double.api_url,
            "token": "${OPENKLANT_TOKEN}",
            "read_timeout_seconds": 2,
            **extra,
        }
    )


@pytest.fixture
def client(openklant: OpenKlantDouble) -> Iterator[OpenKlantClient]:
    with OpenKlantClient(settings(openklant)) as c:
        yield c


def contactverzoek(**changes: Any) -> NieuwContactverzoek:
    data: dict[str, Any] = {
        "sleutel": "cv-0001-5b0f7c1e",
        "kanaal": "telefoon",
        "onderwerp": "Vraag over de afvalkalender",
        "inhoud": "Beller vraagt wanneer het gft wordt opgehaald.",
        "toelichting": "Graag terugbellen over de ophaaldag in de Dorpsstraat.",
        "plaatsgevonden_op": datetime(2026, 3, 9, 10, 15, 42, 123456, tzinfo=UTC),
        "betrokkene": {
            "voornaam": "Fenna",
            "achternaam": "Proef",
            "voorvoegsel_achternaam": "de",
            "email": EMAIL,
            "telefoonnummers": [{"nummer": "020-123 45 67"}],
        },
        "toegewezen_aan": [
            {"soort": "medewerker", "identificatie": "mdw-1042", "naam": "Jan Jansen"},
            {"soort": "afdeling", "identificatie": "afd-afval", "naam": "Afval en reiniging"},
        ],
        "geregistreerd_door": {"email": "kcc.agent@gemeente.test", "naam": "Kim Agent"},
        "zaken": ["6f1d9c5e-2a7b-4d1e-9f3c-8b2a1e4d7c90"],
    }
    data.update(changes)
    return nieuw_contactverzoek(data)
