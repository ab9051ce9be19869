"""Ranking in the medewerkers search: exact words before prefixes, whole names first.

Runs on SQLite and on PostgreSQL (the ranking is SQL).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from hub.beschikbaarheid import upsert, vrij_nu
from hub.directory import search
from hub.directory.demo import seed_demo_directory
from hub.directory.sink import apply_batch
from hub.domain.beschikbaarheid import Beschikbaarheid, BeschikbaarheidStatus
from hub.domain.medewerkers import Medewerker
from hub.plugin_api import SyncBatch
from hub.store.db import Store, make_engine

GEMEENTE = "9999"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def mw(key: int, voornaam: str, achternaam: str, **extra: object) -> Medewerker:
    values: dict[str, object] = {
        "id": f"00000000-0000-0000-0000-{key:012d}",
        "account_naam": f"{voornaam[0]}{achternaam.replace(' ', '')}{key}".lower(),
        "weergavenaam": f"{voornaam} {achternaam}",
        "voornaam": voornaam,
        "achternaam": achternaam,
        "email": f"{voornaam}.{achternaam.replace(' ', '')}.{key}@gemeente.test".lower(),
    }
    values.update(extra)
    return Medewerker.model_validate(values)


# The case from the field: "Jan Janssen" came 4th of 7, after Anna, Anouk and Fatima Janssen.
PEOPLE = [
    mw(1, "Anna", "Janssen", afdeling="Burgerzaken"),
    mw(2, "Anouk", "Janssen", afdeling="Belastingen"),
    mw(3, "Fatima", "Janssen", afdeling="Sociaal Domein"),
    mw(4, "Jan", "Janssen", afdeling="Vergunningen"),
    mw(5, "Jan", "de Vries", afdeling="ICT"),
    mw(6, "Jan", "Bakker", afdeling="Wijkbeheer"),
    mw(7, "Janneke", "Jansma", afdeling="Burgerzaken"),
    mw(8, "Piet", "van der Berg", afdeling="Burgerzaken"),
    mw(9, "Anna", "Berg", afdeling="Belastingen"),
    mw(10, "Kees", "Bergman", afdeling="Wijkbeheer"),
    mw(11, "Daan", "Janssens", afdeling="ICT"),
]


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    engine = make_engine(database_url)
    store = Store(engine)
    with store.session() as session:
        apply_batch(session, GEMEENTE, SyncBatch(kind="medewerkers", upserts=PEOPLE), T0)
    yield store
    engine.dispose()


def names(store: Store, zoek: str, **kwargs: object) -> list[str]:
    with store.session() as session:
        found, _total = search(session, GEMEENTE, zoek, limit=50, **kwargs)  # type: ignore[arg-type]
    return [f"{m.voornaam} {m.achternaam}" for m, _ in found]


@pytest.mark.parametrize("zoek", ["Jan Janssen", "jan janssen", "JANSSEN JAN", "Janssen, Jan"])
def test_the_full_name_in_either_order_comes_first(store: Store, zoek: str) -> None:
    assert names(store, zoek)[0] == "Jan Janssen"


@pytest.mark.parametrize("zoek", ["J. Janssen", "J Janssen", "Janssen, J."])
def test_an_initial_and_the_surname_put_the_matching_given_name_first(
    store: Store, zoek: str
) -> None:
    assert names(store, zoek)[0] == "Jan Janssen"


def test_a_query_word_earns_nothing_from_the_start_of_another_query_words_match(
    store: Store,
) -> None:
    # "jan" is the start of "janssen", but Anna Janssen matches only "janssen" fully.
    found = names(store, "jan janssen")
    assert found.index("Jan Janssen") < found.index("Anna Janssen")


def test_an_exact_word_ranks_before_a_word_that_only_starts_with_it(store: Store) -> None:
    found = names(store, "jan")
    jans = {"Jan Janssen", "Jan de Vries", "Jan Bakker"}
    assert set(found[:3]) == jans
    assert all(found.index(other) > 2 for other in found if other not in jans)


def test_an_exact_surname_ranks_before_longer_surnames(store: Store) -> None:
    found = names(store, "janssen")
    assert set(found[:4]) == {"Anna Janssen", "Anouk Janssen", "Fatima Janssen", "Jan Janssen"}
    assert found[4:] == ["Daan Janssens"]


@pytest.mark.parametrize(
    "zoek",
    [
        "Piet van der Berg",
        "van der Berg, Piet",
        "Berg, van der, Piet",
        "Berg Piet van der",
        "piet vanderberg",
        "P. van der Berg",
    ],
)
def test_every_order_of_tussenvoegsel_surname_and_given_name_finds_the_person_first(
    store: Store, zoek: str
) -> None:
    assert names(store, zoek)[0] == "Piet van der Berg"


def test_tussenvoegsels_break_ties_between_exact_surnames(store: Store) -> None:
    found = names(store, "van der berg")
    assert found[:2] == ["Piet van der Berg", "Anna Berg"]
    assert found[-1] == "Kees Bergman"


def test_prefixes_while_typing_still_find_the_person(store: Store) -> None:
    for typed in ("j", "ja", "jan", "jan j", "jan ja", "jan jans", "jan janss"):
        assert "Jan Janssen" in names(store, typed), typed
    assert names(store, "jan janss")[0] == "Jan Janssen"


def test_in_the_demo_directory_jan_janssen_comes_first(database_url: str) -> None:
    store = Store(make_engine(database_url))
    seed_demo_directory(store, GEMEENTE)
    with store.session() as session:
        found, _ = search(session, GEMEENTE, "Jan Janssen")
    assert [(m.voornaam, m.achternaam) for m, _ in found[:2]] == [("Jan", "Janssen")] * 2
    store.engine.dispose()


def _status(email: str, status: BeschikbaarheidStatus, tot: datetime | None) -> Beschikbaarheid:
    return Beschikbaarheid(email=email, status=status, tot=tot, peilmoment=T0)


def test_the_free_now_filter_keeps_who_is_free_by_their_last_known_availability(
    store: Store,
) -> None:
    jan, anna, anouk, fatima = PEOPLE[3], PEOPLE[0], PEOPLE[1], PEOPLE[2]
    assert jan.email and anna.email and anouk.email and fatima.email
    with store.session() as session:
        upsert(
            session,
            GEMEENTE,
            [
                _status(jan.email.upper(), BeschikbaarheidStatus.VRIJ, None),
                _status(anna.email, BeschikbaarheidStatus.BEZET, T0 + timedelta(hours=1)),
                _status(anouk.email, BeschikbaarheidStatus.VRIJ, T0 + timedelta(minutes=30)),
                _status(fatima.email, BeschikbaarheidStatus.VRIJ, T0 - timedelta(minutes=5)),
            ],
            T0,
        )
    with store.session() as session:
        found, total = search(session, GEMEENTE, "janssen", where=[vrij_nu(GEMEENTE, T0)])
    assert sorted(f"{m.voornaam} {m.achternaam}" for m, _ in found) == [
        "Anouk Janssen",
        "Jan Janssen",
    ]
    assert total == 2
