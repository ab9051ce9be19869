"""Searching the stored medewerkers directory, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, text

from hub.directory import get, search
from hub.directory.sink import apply_batch, finish_full
from hub.directory.tables import MedewerkerRow, MedewerkerToken
from hub.domain.medewerkers import Medewerker
from hub.errors import InvalidRequest
from hub.plugin_api import SyncBatch
from hub.store.db import Store
from hub.sync.sinks import sink_for

GEMEENTE = "9999"
OTHER = "0363"
T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def mw(key: str, voornaam: str, achternaam: str, **extra: object) -> Medewerker:
    values: dict[str, object] = {
        "id": f"00000000-0000-0000-0000-{key:0>12}",
        "account_naam": f"acc{key}",
        "weergavenaam": f"{voornaam} {achternaam}",
        "voornaam": voornaam,
        "achternaam": achternaam,
        "email": f"acc{key}@gemeente.test",
    }
    values.update(extra)
    return Medewerker.model_validate(values)


PEOPLE = [
    mw("1", "Piet", "van der Berg", afdeling="Burgerzaken", functie="Baliemedewerker"),
    mw("2", "Anna", "Berg", afdeling="Belastingen", functie="Adviseur"),
    mw("3", "Kees", "Bergman", afdeling="Wijkbeheer", functie="Opzichter"),
    mw("4", "Jan", "de Vries", afdeling="ICT", functie="Beheerder"),
    mw("5", "Mehmet", "Özdemir", afdeling="Sociaal Domein", functie="Consulent"),
    mw("6", "Jan", "Janssen", afdeling="Burgerzaken", functie="Baliemedewerker", kamer="A.0.12"),
    mw("7", "Jan", "Janssen", afdeling="Belastingen", functie="Adviseur WOZ", kamer="C.3.04"),
    mw("8", "Jan", "Jansen", afdeling="Vergunningen", functie="Jurist"),
    mw("9", "Sanne", "Visser", afdeling="Publiekszaken", expertise=["paspoorten", "rijbewijzen"]),
    mw("10", "Иван", "Петров", afdeling="ICT"),
    mw("11", "Taro", "山田", afdeling="ICT"),
    mw("12", "Fatima", "El Amrani", afdeling="Jeugd", functie="Casemanager"),
]


@pytest.fixture
def filled(store: Store) -> Store:
    with store.session() as session:
        apply_batch(session, GEMEENTE, SyncBatch(kind="medewerkers", upserts=list(PEOPLE)), T0)
        apply_batch(session, OTHER, SyncBatch(kind="medewerkers", upserts=[PEOPLE[0]]), T0)
    return store


def names(store: Store, zoek: str, **kwargs: object) -> list[str]:
    with store.session() as session:
        found, _total = search(session, GEMEENTE, zoek, **kwargs)  # type: ignore[arg-type]
    return [f"{m.voornaam} {m.achternaam}" for m, _ in found]


def test_the_sink_is_registered_for_medewerkers() -> None:
    assert sink_for("medewerkers").apply is apply_batch


@pytest.mark.parametrize("zoek", ["ozdemir", "Özdemir", "OZDEMIR", "özdem"])
def test_search_ignores_accents_and_case(filled: Store, zoek: str) -> None:
    assert names(filled, zoek) == ["Mehmet Özdemir"]


@pytest.mark.parametrize(
    "zoek", ["van der berg", "Berg, van der", "Piet van der Berg", "vanderberg", "v.d. berg piet"]
)
def test_search_understands_tussenvoegsels(filled: Store, zoek: str) -> None:
    assert "Piet van der Berg" in names(filled, zoek)


def test_tussenvoegsels_in_the_query_rank_the_person_who_has_them_first(filled: Store) -> None:
    assert names(filled, "van der berg")[0] == "Piet van der Berg"


def test_initial_and_tussenvoegsel_find_j_de_vries(filled: Store) -> None:
    assert names(filled, "J. de Vries") == ["Jan de Vries"]


@pytest.mark.parametrize("typed", ["j", "ja", "jan", "jans", "janss", "janssen"])
def test_prefixes_while_typing_keep_finding_janssen(filled: Store, typed: str) -> None:
    assert "Jan Janssen" in names(filled, typed, limit=50)


def test_exact_surname_ranks_before_partial(filled: Store) -> None:
    found = names(filled, "berg")
    assert found.index("Kees Bergman") > found.index("Anna Berg")
    assert found.index("Kees Bergman") > found.index("Piet van der Berg")


def test_two_jan_janssens_come_back_told_apart_by_afdeling_and_functie(filled: Store) -> None:
    with filled.session() as session:
        found, total = search(session, GEMEENTE, "Jan Janssen")
    janssens = [m for m, _ in found if m.achternaam == "Janssen"]
    assert total == 2
    assert {(m.afdeling, m.functie, m.kamer) for m in janssens} == {
        ("Burgerzaken", "Baliemedewerker", "A.0.12"),
        ("Belastingen", "Adviseur WOZ", "C.3.04"),
    }


def test_afdeling_and_functie_filter_case_and_accent_insensitively(filled: Store) -> None:
    assert names(filled, "janssen", afdeling="burgerZAKEN") == ["Jan Janssen"]
    assert names(filled, "", functie="adviseur") == ["Anna Berg", "Jan Janssen"]
    assert names(filled, "", afdeling="sociaal domein") == ["Mehmet Özdemir"]


def test_expertise_and_functie_are_searchable(filled: Store) -> None:
    assert names(filled, "paspoort") == ["Sanne Visser"]
    assert names(filled, "casemanager") == ["Fatima El Amrani"]


def test_compound_foreign_surnames_are_found_with_or_without_space(filled: Store) -> None:
    assert names(filled, "elamrani") == ["Fatima El Amrani"]
    assert names(filled, "amrani") == ["Fatima El Amrani"]


def test_other_scripts_are_searchable(filled: Store) -> None:
    assert names(filled, "петров") == ["Иван Петров"]
    assert names(filled, "山田") == ["Taro 山田"]


def test_pages_do_not_overlap_and_the_total_is_stable(filled: Store) -> None:
    with filled.session() as session:
        first, total1 = search(session, GEMEENTE, "", limit=5, offset=0)
        second, total2 = search(session, GEMEENTE, "", limit=5, offset=5)
        third, total3 = search(session, GEMEENTE, "", limit=5, offset=10)
    ids = [m.id for m, _ in first + second + third]
    assert total1 == total2 == total3 == len(PEOPLE)
    assert len(ids) == len(set(ids)) == len(PEOPLE)


def test_each_result_carries_its_sync_timestamp(filled: Store) -> None:
    with filled.session() as session:
        found, _ = search(session, GEMEENTE, "visser")
    assert found[0][1] == T0


def test_another_gemeentes_medewerkers_are_never_returned(filled: Store) -> None:
    with filled.session() as session:
        found, total = search(session, OTHER, "")
        assert get(session, OTHER, PEOPLE[1].id) is None
    assert total == 1
    assert [m.id for m, _ in found] == [PEOPLE[0].id]


@pytest.mark.parametrize(
    "zoek",
    [
        "*)(uid=*",
        "' OR 1=1 --",
        "\\00",
        "jan\x00sen",
        "\x00",
        "%",
        "_",
        "jan%",
        "Robert'); DROP TABLE medewerkers;--",
        "Иван Janssen",
        "𝔍𝔞𝔫",
        "ｊａｎ",
        "x" * 200,
        "x" * 10_000,
        " ",
        "a b c d e f g h i j",
    ],
)
def test_hostile_input_gives_results_or_a_clean_invalid_request(filled: Store, zoek: str) -> None:
    try:
        with filled.session() as session:
            found, total = search(session, GEMEENTE, zoek)
    except InvalidRequest as exc:
        assert exc.field == "zoek"
        return
    assert total <= len(PEOPLE)
    # A metacharacter never widens the search to everyone.
    if zoek.strip() and zoek not in {"ｊａｎ", "𝔍𝔞𝔫"}:
        assert total < len(PEOPLE)
    assert len(found) == min(total, 20)


def test_unicode_compatibility_forms_fold_to_plain_letters(filled: Store) -> None:
    assert "Jan Janssen" in names(filled, "ｊａｎｓｓｅｎ")


def test_metacharacters_around_a_name_still_find_it(filled: Store) -> None:
    assert names(filled, "*visser*") == ["Sanne Visser"]


def test_hostile_filters_are_clean_invalid_requests_or_empty(filled: Store) -> None:
    with filled.session() as session:
        found, total = search(session, GEMEENTE, "", afdeling="' OR 1=1 --")
    assert total == 0 and not found
    with pytest.raises(InvalidRequest) as info, filled.session() as session:
        search(session, GEMEENTE, "", afdeling="*)(")
    assert info.value.field == "afdeling"


@pytest.mark.parametrize("limit,offset", [(0, 0), (101, 0), (10, -1), (10, 10_001)])
def test_out_of_range_paging_is_an_invalid_request(filled: Store, limit: int, offset: int) -> None:
    with pytest.raises(InvalidRequest), filled.session() as session:
        search(session, GEMEENTE, "jan", limit=limit, offset=offset)


def test_get_returns_one_medewerker_or_none(filled: Store) -> None:
    with filled.session() as session:
        found = get(session, GEMEENTE, PEOPLE[4].id)
        assert get(session, GEMEENTE, "bestaat-niet") is None
        assert get(session, GEMEENTE, "x\x00y") is None
    assert found is not None and found[0].achternaam == "Özdemir"


def test_a_rename_replaces_the_search_tokens(filled: Store) -> None:
    renamed = PEOPLE[1].model_copy(
        update={"achternaam": "Hoekstra", "weergavenaam": "Anna Hoekstra"}
    )
    with filled.session() as session:
        apply_batch(session, GEMEENTE, SyncBatch(kind="medewerkers", upserts=[renamed]), T0)
    assert names(filled, "hoekstra") == ["Anna Hoekstra"]
    assert "Anna Berg" not in names(filled, "berg")


def test_deletes_remove_medewerkers_and_unknown_ids_are_ignored(filled: Store) -> None:
    with filled.session() as session:
        applied = apply_batch(
            session,
            GEMEENTE,
            SyncBatch(kind="medewerkers", deletes=[PEOPLE[8].id, "onbekend"]),
            T0,
        )
    assert applied == (0, 1)
    assert names(filled, "visser") == []
    with filled.session() as session:
        assert (
            session.execute(
                text("SELECT count(*) FROM medewerker_tokens WHERE medewerker_id = :i"),
                {"i": PEOPLE[8].id},
            ).scalar_one()
            == 0
        )


def test_a_full_run_removes_who_it_did_not_see_in_this_gemeente_only(filled: Store) -> None:
    later = T0 + timedelta(hours=1)
    with filled.session() as session:
        apply_batch(
            session, GEMEENTE, SyncBatch(kind="medewerkers", upserts=PEOPLE[:3], full=True), later
        )
        removed = finish_full(session, GEMEENTE, later)
    assert removed == len(PEOPLE) - 3
    with filled.session() as session:
        _, total = search(session, GEMEENTE, "")
        _, other_total = search(session, OTHER, "")
        kept = get(session, GEMEENTE, PEOPLE[0].id)
    assert total == 3 and other_total == 1
    assert kept is not None and kept[1] == later


def test_nul_and_control_characters_from_the_directory_are_stored_clean(store: Store) -> None:
    dirty = mw("77", "Ka\x00rel", "Ap\x07pel", afdeling="Af\x00val", expertise=["gr\x00ofvuil"])
    with store.session() as session:
        apply_batch(session, GEMEENTE, SyncBatch(kind="medewerkers", upserts=[dirty]), T0)
    with store.session() as session:
        (found, _synced), *_rest = search(session, GEMEENTE, "karel appel")[0]
    assert found.voornaam == "Karel" and found.afdeling == "Afval"
    assert found.expertise == ["grofvuil"]


def test_the_migration_creates_exactly_the_model_tables(store: Store) -> None:
    wanted = MetaData()
    for table in (MedewerkerRow.__table__, MedewerkerToken.__table__):
        table.to_metadata(wanted)
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), wanted)
    relevant = [d for d in diffs if "medewerker" in repr(d)]
    assert relevant == []


def test_the_demo_directory_is_stored_through_the_sink_and_searchable(store: Store) -> None:
    from hub.directory.demo import seed_demo_directory

    assert seed_demo_directory(store, GEMEENTE) == 250
    with store.session() as session:
        found, total = search(session, GEMEENTE, "jan janssen")
    assert total >= 2
    assert {m.afdeling for m, _ in found if m.achternaam == "Janssen"} >= {
        "Burgerzaken",
        "Belastingen",
    }
