"""The Open Klant double's data: seven Klantinteracties resources in memory, with the rules
Open Klant applies beyond the spec (references must exist, an internetaak needs actors,
``afgehandeldOp`` only when ``verwerkt``, phone numbers and e-mail addresses checked per
``soortDigitaalAdres``, ``referentienummer`` numbered as the highest plus one) and the links
Open Klant computes (a klantcontact's betrokkenen, taken, actoren, onderwerpobjecten).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email

COLLECTIONS = (
    "klantcontacten",
    "betrokkenen",
    "digitaleadressen",
    "internetaken",
    "actoren",
    "actorklantcontacten",
    "onderwerpobjecten",
)
TELEFOONNUMMER = re.compile(r"^(0[1-9][0-9]{8}|\+[0-9]{9,15}|00[0-9]{7,13})$")
NUMBERED = ("klantcontacten", "internetaken")


class Rejected(Exception):
    """A 400 as Open Klant gives it: ``invalidParams`` of ``(name, code, reason)``."""

    def __init__(self, *params: tuple[str, str, str]) -> None:
        super().__init__(params[0][2] if params else "invalid")
        self.params = params


class Missing(Exception):
    """A 404."""


def now() -> datetime:
    return datetime.now(UTC)


def drf_datetime(value: datetime | None) -> str | None:
    """How Django REST framework writes a datetime."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def parse_datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class Store:
    """Rows per collection keyed by uuid; a row holds the writable fields and the uuids of
    what it points at. ``represent`` turns a row into Open Klant's JSON."""

    def __init__(self, api_url: str, *, keep_metadata: bool = True) -> None:
        self.api_url = api_url
        # Open Klant before 2.18 has no klantcontact.metadata and drops what it is sent.
        self.keep_metadata = keep_metadata
        self.rows: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in COLLECTIONS}

    # -- references ------------------------------------------------------------------------
    def url(self, collection: str, key: str) -> str:
        return f"{self.api_url}/{collection}/{key}"

    def ref(self, collection: str, key: str | None) -> dict[str, str] | None:
        if key is None:
            return None
        return {"uuid": key, "url": self.url(collection, key)}

    def _existing(self, collection: str, value: Any, name: str) -> str | None:
        """The uuid of a foreign key ``{uuid}``; a 400 naming ``name.uuid`` when unknown."""
        if value is None:
            return None
        key = str(value.get("uuid", "")) if isinstance(value, dict) else ""
        if key not in self.rows[collection]:
            raise Rejected((f"{name}.uuid", "does_not_exist", "Object bestaat niet."))
        return key

    # -- create / update -------------------------------------------------------------------
    def create(self, collection: str, body: dict[str, Any]) -> str:
        key = str(uuid.uuid4())
        row = self._apply(collection, {}, body, creating=True)
        row["uuid"] = key
        self.rows[collection][key] = row
        return key

    def update(self, collection: str, key: str, body: dict[str, Any]) -> None:
        row = self.get_row(collection, key)
        self.rows[collection][key] = self._apply(collection, dict(row), body, creating=False)

    def get_row(self, collection: str, key: str) -> dict[str, Any]:
        row = self.rows[collection].get(key)
        if row is None:
            raise Missing(key)
        return row

    def _apply(
        self, collection: str, row: dict[str, Any], body: dict[str, Any], *, creating: bool
    ) -> dict[str, Any]:
        apply: Callable[[dict[str, Any], dict[str, Any], bool], None] = getattr(
            self, f"_apply_{collection}"
        )
        apply(row, body, creating)
        return row

    def _apply_klantcontacten(
        self, row: dict[str, Any], body: dict[str, Any], creating: bool
    ) -> None:
        for name, default in (
            ("kanaal", ""),
            ("onderwerp", ""),
            ("inhoud", ""),
            ("reactie", ""),
            ("indicatieContactGelukt", None),
            ("verdereActieOndernomen", False),
            ("taal", ""),
            ("vertrouwelijk", False),
            ("metadata", {}),
            ("hoofdOnderwerpType", None),
        ):
            if name in body:
                row[name] = body[name]
            elif creating:
                row[name] = default
        if not self.keep_metadata:
            row["metadata"] = {}
        if "plaatsgevondenOp" in body:
            row["plaatsgevondenOp"] = parse_datetime(body["plaatsgevondenOp"])
        elif creating:
            row["plaatsgevondenOp"] = now()
        self._number(row, body, "klantcontacten", creating)

    def _apply_betrokkenen(self, row: dict[str, Any], body: dict[str, Any], creating: bool) -> None:
        if "hadKlantcontact" in body or creating:
            row["hadKlantcontact"] = self._existing(
                "klantcontacten", body.get("hadKlantcontact"), "hadKlantcontact"
            )
            if row["hadKlantcontact"] is None:
                raise Rejected(("hadKlantcontact", "required", "Dit veld is vereist."))
        if body.get("wasPartij") is not None:
            # The double keeps no partijen: any reference to one points at nothing.
            raise Rejected(("wasPartij.uuid", "does_not_exist", "Object bestaat niet."))
        for name, default in (
            ("contactnaam", None),
            ("bezoekadres", None),
            ("correspondentieadres", None),
            ("rol", ""),
            ("organisatienaam", ""),
            ("initiator", False),
        ):
            if name in body:
                row[name] = body[name]
            elif creating:
                row[name] = default

    def _apply_digitaleadressen(
        self, row: dict[str, Any], body: dict[str, Any], creating: bool
    ) -> None:
        if "verstrektDoorBetrokkene" in body or creating:
            row["verstrektDoorBetrokkene"] = self._existing(
                "betrokkenen", body.get("verstrektDoorBetrokkene"), "verstrektDoorBetrokkene"
            )
        if body.get("verstrektDoorPartij") is not None:
            raise Rejected(("verstrektDoorPartij.uuid", "does_not_exist", "Object bestaat niet."))
        for name, default in (
            ("adres", ""),
            ("soortDigitaalAdres", ""),
            ("isStandaardAdres", False),
            ("omschrijving", ""),
            ("referentie", None),
            ("verificatieDatum", None),
        ):
            if name in body:
                row[name] = body[name]
            elif creating:
                row[name] = default
        _check_adres(row["soortDigitaalAdres"], row["adres"])

    def _apply_internetaken(
        self, row: dict[str, Any], body: dict[str, Any], creating: bool
    ) -> None:
        if "aanleidinggevendKlantcontact" in body or creating:
            row["klantcontact"] = self._existing(
                "klantcontacten",
                body.get("aanleidinggevendKlantcontact"),
                "aanleidinggevendKlantcontact",
            )
        both = "toegewezenAanActor" in body and "toegewezenAanActoren" in body
        neither = "toegewezenAanActor" not in body and "toegewezenAanActoren" not in body
        if both or (neither and creating):
            raise Rejected(
                (
                    "nonFieldErrors",
                    "invalid",
                    "`toegewezen_aan_actor` of `toegewezen_aan_actoren` is required "
                    "(mag niet beiden gebruiken).",
                )
            )
        if "toegewezenAanActoren" in body:
            row["actoren"] = [
                self._existing("actoren", actor, f"toegewezenAanActoren.{index}")
                for index, actor in enumerate(body["toegewezenAanActoren"])
            ]
        elif "toegewezenAanActor" in body:
            row["actoren"] = [
                self._existing("actoren", body["toegewezenAanActor"], "toegewezenAanActor")
            ]
        for name, default in (("gevraagdeHandeling", ""), ("toelichting", ""), ("status", "")):
            if name in body:
                row[name] = body[name]
            elif creating:
                row[name] = default
        afgehandeld = body.get("afgehandeldOp")
        if afgehandeld and row["status"] != "verwerkt":
            raise Rejected(
                (
                    "afgehandeldOp",
                    "invalid",
                    "De Internetaak kan geen afgehandeld op datum bevatten als de status "
                    "niet op 'verwerkt' staat.",
                )
            )
        if "afgehandeldOp" in body:
            row["afgehandeldOp"] = parse_datetime(afgehandeld) if afgehandeld else None
        elif creating:
            row["afgehandeldOp"] = None
        # As Open Klant's model saves: verwerkt without a moment gets now; reopened loses it.
        if row["status"] == "verwerkt" and row["afgehandeldOp"] is None:
            row["afgehandeldOp"] = now()
        if row["status"] == "te_verwerken":
            row["afgehandeldOp"] = None
        if creating:
            row["toegewezenOp"] = now()
        self._number(row, body, "internetaken", creating)

    def _apply_actoren(self, row: dict[str, Any], body: dict[str, Any], creating: bool) -> None:
        for name, default in (
            ("naam", ""),
            ("soortActor", ""),
            ("indicatieActief", True),
            ("actoridentificator", None),
            ("actorIdentificatie", None),
        ):
            if name in body:
                row[name] = body[name]
            elif creating:
                row[name] = default

    def _apply_actorklantcontacten(
        self, row: dict[str, Any], body: dict[str, Any], creating: bool
    ) -> None:
        if "actor" in body or creating:
            row["actor"] = self._existing("actoren", body.get("actor"), "actor")
        if "klantcontact" in body or creating:
            row["klantcontact"] = self._existing(
                "klantcontacten", body.get("klantcontact"), "klantcontact"
            )

    def _apply_onderwerpobjecten(
        self, row: dict[str, Any], body: dict[str, Any], creating: bool
    ) -> None:
        for name in ("klantcontact", "wasKlantcontact"):
            if name in body or creating:
                row[name] = self._existing("klantcontacten", body.get(name), name)
        if "onderwerpobjectidentificator" in body or creating:
            row["onderwerpobjectidentificator"] = body.get("onderwerpobjectidentificator")

    def _number(
        self, row: dict[str, Any], body: dict[str, Any], collection: str, creating: bool
    ) -> None:
        """``referentienummer``: digits, unique; empty on create means the highest plus one."""
        given = body.get("referentienummer")
        if given:
            if not str(given).isdigit():
                raise Rejected(("referentienummer", "invalid", "Voer een geheel getal in."))
            taken = {
                r.get("referentienummer")
                for r in self.rows[collection].values()
                if r.get("uuid") != row.get("uuid")
            }
            if given in taken:
                raise Rejected(("referentienummer", "unique", "Dit referentienummer bestaat al."))
            row["referentienummer"] = given
        elif creating:
            highest = max(
                (int(r["referentienummer"]) for r in self.rows[collection].values()), default=0
            )
            row["referentienummer"] = str(highest + 1).rjust(10, "0")

    # -- representation --------------------------------------------------------------------
    def represent(self, collection: str, key: str) -> dict[str, Any]:
        row = self.get_row(collection, key)
        body: dict[str, Any] = getattr(self, f"_represent_{collection}")(row)
        return {"uuid": key, "url": self.url(collection, key), **body}

    def represent_all(self, collection: str) -> list[dict[str, Any]]:
        return [self.represent(collection, key) for key in self.rows[collection]]

    def _pointing(self, collection: str, field: str, key: str) -> list[str]:
        return [k for k, r in self.rows[collection].items() if r.get(field) == key]

    def _represent_klantcontacten(self, row: dict[str, Any]) -> dict[str, Any]:
        key = row["uuid"]
        body = {
            "gingOverOnderwerpobjecten": [
                self.ref("onderwerpobjecten", k)
                for k in self._pointing("onderwerpobjecten", "klantcontact", key)
            ],
            "hadBetrokkenActoren": [
                self.represent("actoren", self.rows["actorklantcontacten"][k]["actor"])
                for k in self._pointing("actorklantcontacten", "klantcontact", key)
            ],
            "omvatteBijlagen": [],
            "hadBetrokkenen": [
                self.ref("betrokkenen", k)
                for k in self._pointing("betrokkenen", "hadKlantcontact", key)
            ],
            "leiddeTotInterneTaken": [
                self.ref("internetaken", k)
                for k in self._pointing("internetaken", "klantcontact", key)
            ],
            "referentienummer": row["referentienummer"],
            "kanaal": row["kanaal"],
            "onderwerp": row["onderwerp"],
            "inhoud": row["inhoud"],
            "reactie": row["reactie"],
            "indicatieContactGelukt": row["indicatieContactGelukt"],
            "verdereActieOndernomen": row["verdereActieOndernomen"],
            "taal": row["taal"],
            "vertrouwelijk": row["vertrouwelijk"],
            "plaatsgevondenOp": drf_datetime(row["plaatsgevondenOp"]),
            "metadata": row["metadata"],
        }
        if row["hoofdOnderwerpType"]:
            body["hoofdOnderwerpType"] = row["hoofdOnderwerpType"]
        return body

    def _represent_betrokkenen(self, row: dict[str, Any]) -> dict[str, Any]:
        naam = row["contactnaam"] or {}
        volledig = " ".join(
            p
            for p in (
                naam.get("voornaam"),
                naam.get("voorvoegselAchternaam"),
                naam.get("achternaam"),
            )
            if p
        )
        return {
            "wasPartij": None,
            "hadKlantcontact": self.ref("klantcontacten", row["hadKlantcontact"]),
            "digitaleAdressen": [
                self.ref("digitaleadressen", k)
                for k in self._pointing("digitaleadressen", "verstrektDoorBetrokkene", row["uuid"])
            ],
            "bezoekadres": row["bezoekadres"],
            "correspondentieadres": row["correspondentieadres"],
            "contactnaam": row["contactnaam"],
            "volledigeNaam": volledig,
            "rol": row["rol"],
            "organisatienaam": row["organisatienaam"],
            "initiator": row["initiator"],
        }

    def _represent_digitaleadressen(self, row: dict[str, Any]) -> dict[str, Any]:
        body = {
            "verstrektDoorBetrokkene": self.ref("betrokkenen", row["verstrektDoorBetrokkene"]),
            "verstrektDoorPartij": None,
            "adres": row["adres"],
            "soortDigitaalAdres": row["soortDigitaalAdres"],
            "isStandaardAdres": row["isStandaardAdres"],
            "omschrijving": row["omschrijving"],
            "verificatieDatum": row["verificatieDatum"],
        }
        if row["referentie"]:
            body["referentie"] = row["referentie"]
        return body

    def _represent_internetaken(self, row: dict[str, Any]) -> dict[str, Any]:
        actoren = [self.ref("actoren", k) for k in row["actoren"]]
        body: dict[str, Any] = {
            "referentienummer": row["referentienummer"],
            "gevraagdeHandeling": row["gevraagdeHandeling"],
            "aanleidinggevendKlantcontact": self.ref("klantcontacten", row["klantcontact"]),
            "toegewezenAanActoren": actoren,
            "toelichting": row["toelichting"],
            "status": row["status"],
            "toegewezenOp": drf_datetime(row["toegewezenOp"]),
            "afgehandeldOp": drf_datetime(row["afgehandeldOp"]),
        }
        if actoren:
            body["toegewezenAanActor"] = actoren[0]
        return body

    def _represent_actoren(self, row: dict[str, Any]) -> dict[str, Any]:
        body = {
            "naam": row["naam"],
            "soortActor": row["soortActor"],
            "indicatieActief": row["indicatieActief"],
            "actoridentificator": row["actoridentificator"],
        }
        if row["actorIdentificatie"] is not None:
            body["actorIdentificatie"] = row["actorIdentificatie"]
        return body

    def _represent_actorklantcontacten(self, row: dict[str, Any]) -> dict[str, Any]:
        return {
            "actor": self.ref("actoren", row["actor"]),
            "klantcontact": self.ref("klantcontacten", row["klantcontact"]),
        }

    def _represent_onderwerpobjecten(self, row: dict[str, Any]) -> dict[str, Any]:
        return {
            "klantcontact": self.ref("klantcontacten", row["klantcontact"]),
            "wasKlantcontact": self.ref("klantcontacten", row["wasKlantcontact"]),
            "onderwerpobjectidentificator": row["onderwerpobjectidentificator"],
        }


def _check_adres(soort: str, adres: str) -> None:
    """Open Klant validates ``adres`` by ``soortDigitaalAdres`` (spec: DigitaalAdres.adres)."""
    if soort == "telefoonnummer" and not TELEFOONNUMMER.match(adres):
        raise Rejected(("adres", "invalid", "Voer een geldig telefoonnummer in."))
    if soort == "email":
        try:
            validate_email(adres, check_deliverability=False, test_environment=True)
        except EmailNotValidError:
            raise Rejected(("adres", "invalid", "Voer een geldig e-mailadres in.")) from None
