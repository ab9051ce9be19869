"""A person query in the shape of Haal Centraal BRP Personen v2: the one place for its facts.

Every query type of ``specs/brp/personen-openapi.yaml`` (``PersonenQuery`` and its
``discriminator``) is a model here, with its parameters, their patterns and lengths, and
the kind of person its answer carries (``Persoon`` for the raadpleging, ``PersoonBeperkt``
for the searches, ``GezagPersoonBeperkt`` for the search by adresseerbaar object).
:data:`PersonenQuery` is their discriminated union. The ``/personen`` and Haal Centraal
routes publish it, the pipeline validates against it (:mod:`hub.privacy.personen_vraag`),
the field catalogue picks its tree by :func:`antwoordsoort`, and the BRP plugin asks
the upstream for what the answer type can hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

# Parameter patterns and lengths from specs/brp/personen-openapi.yaml.
NAAM_PATTERN = r"^[a-zA-Z0-9À-ž \.\-\']{1,200}$|^[a-zA-Z0-9À-ž \.\-\']{3,199}\*$"
VOORVOEGSEL_PATTERN = r"^[a-zA-Z \']{1,10}$"
GESLACHT_PATTERN = r"^[MmVvOo]$"
GEMEENTE_PATTERN = r"^[0-9]{4}$"
POSTCODE_PATTERN = r"^[1-9][0-9]{3} ?[A-Za-z]{2}$"
HUISLETTER_PATTERN = r"^[a-zA-Z]$"
HUISNUMMERTOEVOEGING_PATTERN = r"^[a-zA-Z0-9 \-]{1,4}$"
ADRESSEERBAAR_OBJECT_PATTERN = r"^(?!0{16})[0-9]{16}$"
FIELD_PATTERN = r"^[a-zA-Z0-9\._]{1,200}$"
MAX_BSNS = 20
MAX_FIELDS = 130

# Fields the BRP always delivers when present; naming them in ``fields`` is a 400 upstream.
AUTOMATIC_FIELDS = frozenset(
    {"inOnderzoek", "geheimhoudingPersoonsgegevens", "opschortingBijhouding", "rni", "verificatie"}
)

Antwoordsoort = Literal["Persoon", "PersoonBeperkt", "GezagPersoonBeperkt"]

Bsn = Annotated[str, Field(min_length=9, max_length=9, pattern=r"^[0-9]{9}$")]
Naam = Annotated[str, Field(max_length=200, pattern=NAAM_PATTERN)]
Datum = Annotated[str, Field(max_length=10, description="JJJJ-MM-DD")]
Voorvoegsel = Annotated[str, Field(max_length=10, pattern=VOORVOEGSEL_PATTERN)]
Geslacht = Annotated[str, Field(max_length=1, pattern=GESLACHT_PATTERN)]
Gemeentecode = Annotated[str, Field(max_length=4, pattern=GEMEENTE_PATTERN)]
Huisnummer = Annotated[int, Field(ge=1, le=99999)]
FieldPath = Annotated[str, Field(max_length=200, pattern=FIELD_PATTERN)]


def _niet_standaardwaarde(value: str) -> str:
    if value == "0" * 16:
        raise ValueError("de standaardwaarde 0000000000000000 is geen adresseerbaar object")
    return value


class _Vraag(BaseModel):
    """What every query type has: the answer's kind and the optional ``fields``."""

    model_config = ConfigDict(extra="forbid")

    # Not a parameter: the kind of person in the answer.
    antwoord: ClassVar[Antwoordsoort] = "PersoonBeperkt"

    fields: Annotated[list[FieldPath], Field(min_length=1, max_length=MAX_FIELDS)] | None = Field(
        default=None, description="Alleen deze velden (binnen wat de rol mag zien)."
    )


class RaadpleegMetBurgerservicenummer(_Vraag):
    antwoord: ClassVar[Antwoordsoort] = "Persoon"
    type: Literal["RaadpleegMetBurgerservicenummer"]
    burgerservicenummer: Annotated[list[Bsn], Field(min_length=1, max_length=MAX_BSNS)] = Field(
        description=f"1 tot {MAX_BSNS} BSN's (9 cijfers, elfproef)."
    )
    gemeenteVanInschrijving: Gemeentecode | None = None  # noqa: N815


class ZoekMetGeslachtsnaamEnGeboortedatum(_Vraag):
    type: Literal["ZoekMetGeslachtsnaamEnGeboortedatum"]
    geslachtsnaam: Naam = Field(description="Met * aan het eind: begint met.")
    geboortedatum: Datum
    geslacht: Geslacht | None = None
    voorvoegsel: Voorvoegsel | None = None
    voornamen: Naam | None = None
    inclusiefOverledenPersonen: bool | None = None  # noqa: N815
    gemeenteVanInschrijving: Gemeentecode | None = None  # noqa: N815


class ZoekMetNaamEnGemeenteVanInschrijving(_Vraag):
    type: Literal["ZoekMetNaamEnGemeenteVanInschrijving"]
    geslachtsnaam: Naam
    voornamen: Naam
    gemeenteVanInschrijving: Gemeentecode  # noqa: N815
    geslacht: Geslacht | None = None
    voorvoegsel: Voorvoegsel | None = None
    inclusiefOverledenPersonen: bool | None = None  # noqa: N815


class ZoekMetPostcodeEnHuisnummer(_Vraag):
    type: Literal["ZoekMetPostcodeEnHuisnummer"]
    postcode: Annotated[str, Field(max_length=7, pattern=POSTCODE_PATTERN)]
    huisnummer: Huisnummer
    huisletter: Annotated[str, Field(max_length=1, pattern=HUISLETTER_PATTERN)] | None = None
    huisnummertoevoeging: (
        Annotated[str, Field(max_length=4, pattern=HUISNUMMERTOEVOEGING_PATTERN)] | None
    ) = None
    geboortedatum: Datum | None = None
    geslachtsnaam: Naam | None = None
    inclusiefOverledenPersonen: bool | None = None  # noqa: N815
    gemeenteVanInschrijving: Gemeentecode | None = None  # noqa: N815


class ZoekMetAdresseerbaarObjectIdentificatie(_Vraag):
    antwoord: ClassVar[Antwoordsoort] = "GezagPersoonBeperkt"
    type: Literal["ZoekMetAdresseerbaarObjectIdentificatie"]
    # pydantic's regex engine has no look-ahead: the spec's "not sixteen zeros" is a validator.
    adresseerbaarObjectIdentificatie: Annotated[  # noqa: N815
        str,
        Field(min_length=16, max_length=16, pattern=r"^[0-9]{16}$"),
        AfterValidator(_niet_standaardwaarde),
    ] = Field(description="Identificatie van het adresseerbaar object (BAG), 16 cijfers.")
    inclusiefOverledenPersonen: bool | None = None  # noqa: N815
    gemeenteVanInschrijving: Gemeentecode | None = None  # noqa: N815


PersonenQuery = Annotated[
    RaadpleegMetBurgerservicenummer
    | ZoekMetGeslachtsnaamEnGeboortedatum
    | ZoekMetNaamEnGemeenteVanInschrijving
    | ZoekMetPostcodeEnHuisnummer
    | ZoekMetAdresseerbaarObjectIdentificatie,
    Field(discriminator="type"),
]
PERSONEN_QUERY: TypeAdapter[PersonenQuery] = TypeAdapter(PersonenQuery)

QUERY_MODELS: Mapping[str, type[_Vraag]] = {
    model.model_fields["type"].annotation.__args__[0]: model  # type: ignore[union-attr]
    for model in (
        RaadpleegMetBurgerservicenummer,
        ZoekMetGeslachtsnaamEnGeboortedatum,
        ZoekMetNaamEnGemeenteVanInschrijving,
        ZoekMetPostcodeEnHuisnummer,
        ZoekMetAdresseerbaarObjectIdentificatie,
    )
}
QUERY_TYPES = tuple(QUERY_MODELS)
RAADPLEEG = "RaadpleegMetBurgerservicenummer"

_NOT_PARAMETERS = frozenset({"type", "fields"})


def parameters(query_type: str) -> tuple[frozenset[str], frozenset[str]]:
    """(required, optional) parameters of a query type, ``type`` and ``fields`` aside."""
    model = QUERY_MODELS[query_type]
    names = {n: f for n, f in model.model_fields.items() if n not in _NOT_PARAMETERS}
    required = frozenset(n for n, f in names.items() if f.is_required())
    return required, frozenset(names) - required


def antwoordsoort(query_type: str) -> Antwoordsoort:
    """The kind of person the answer to this query type carries (unknown types: a search)."""
    model = QUERY_MODELS.get(query_type)
    return "PersoonBeperkt" if model is None else model.antwoord


def query_schema(
    title: str,
    *,
    extra: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
    required: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The JSON schema of :data:`PersonenQuery` for an OpenAPI request body, self-contained.

    ``extra`` adds properties to every query type (and requires them, e.g. the ``doel``);
    ``overrides`` replaces a parameter's schema where a route accepts more than the
    standard (e.g. KISS's ``huisnummer`` as a string); ``required`` makes optional
    properties required (e.g. ``fields``, which Haal Centraal itself requires).
    """
    schema = PERSONEN_QUERY.json_schema(ref_template="#/components/schemas/{model}")
    defs: dict[str, Any] = schema.pop("$defs", {})
    variants = []
    for ref in schema["oneOf"]:
        definition = defs[ref["$ref"].rsplit("/", 1)[-1]]
        properties = definition["properties"]
        for name, value in (overrides or {}).items():
            if name in properties:
                properties[name] = value
        properties.update(extra or {})
        definition["required"] = sorted(
            {*definition.get("required", []), *(extra or {}), *(required & set(properties))}
        )
        variants.append(definition)
    return {
        "title": title,
        "oneOf": variants,
        "discriminator": {"propertyName": "type"},
    }
