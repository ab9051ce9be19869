"""Groups, memberships and switched-off accounts in the directory store; users and their roles."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from hub.directory import get
from hub.directory.groep_tables import GroepLidRow, GroepRow, UitgeschakeldAccountRow
from hub.directory.identiteit import Herkenning, groepen_van, herken_gebruiker, rollen_uit_groepen
from hub.domain.groepen import Groep, Lidmaatschappen, UitgeschakeldAccount
from hub.store.base import utcnow
from tests.facades.conftest import (
    ANNA,
    BACKOFFICE,
    BALIE,
    GEMEENTE,
    GROEPROLLEN,
    JAN,
    KCC,
    KEES,
    PIET,
    Hub,
    apply,
    gemeente_toml,
    mw,
    seed_directory,
)


@pytest.fixture
def hub(make_hub: Callable[..., Hub], database_url: str) -> Hub:
    built = make_hub(database_url, gemeente_toml())
    seed_directory(built.store)
    return built


def groepen_namen(hub: Hub, medewerker_id: str) -> list[str]:
    with hub.store.session() as session:
        found = get(session, GEMEENTE, medewerker_id)
    assert found is not None
    return found[0].groepen


def rollen(hub: Hub, waarde: str) -> frozenset[str]:
    with hub.store.session() as session:
        gebruiker = herken_gebruiker(session, GEMEENTE, waarde)
    assert gebruiker.herkenning is Herkenning.GEVONDEN
    return rollen_uit_groepen(gebruiker.groepen, GROEPROLLEN)


def test_a_user_is_found_by_email_or_account_in_any_case(hub: Hub) -> None:
    assert rollen(hub, "JAN.JANSSEN@voorbeeldstad.test".replace("JAN.JANSSEN", "JJANSSEN")) == {
        "kcc-medewerker"
    }
    assert rollen(hub, "PvdBerg") == {"backoffice"}
    assert rollen(hub, "GEMEENTE\\pvdberg") == {"backoffice"}


def test_roles_come_through_nested_groups(hub: Hub) -> None:
    assert rollen(hub, ANNA.account_naam or "") == {"kcc-medewerker"}
    with hub.store.session() as session:
        names = [g.naam for g in groepen_van(session, GEMEENTE, ANNA.id)]
    assert names == ["KCC Medewerkers", "Team Balie"]


def test_a_membership_loop_ends(hub: Hub) -> None:
    # KCC in Team Balie, Team Balie in KCC: a loop a directory should not hold, but might.
    apply(hub.store, "lidmaatschappen", upserts=[Lidmaatschappen(lid=KCC.id, groepen=[BALIE.id])])
    assert rollen(hub, ANNA.account_naam or "") == {"kcc-medewerker"}


def test_unknown_disabled_and_ambiguous_users_are_told_apart(hub: Hub) -> None:
    twin = mw(9, "Jan", "Janssen", account_naam="jjanssen2", email=JAN.email)
    apply(hub.store, "medewerkers", upserts=[twin])
    with hub.store.session() as session:
        found = {
            waarde: herken_gebruiker(session, GEMEENTE, waarde).herkenning
            for waarde in ("niemand", "OUD@voorbeeldstad.test", JAN.email or "", "", " " * 3)
        }
    assert found == {
        "niemand": Herkenning.ONBEKEND,
        "OUD@voorbeeldstad.test": Herkenning.UITGESCHAKELD,
        JAN.email: Herkenning.DUBBELZINNIG,
        "": Herkenning.ONBEKEND,
        "   ": Herkenning.ONBEKEND,
    }


def test_a_member_added_on_the_groups_side_shows_in_their_groepen(hub: Hub) -> None:
    apply(
        hub.store,
        "lidmaatschappen",
        upserts=[Lidmaatschappen(groep=BACKOFFICE.id, leden=[PIET.id, KEES.id])],
    )
    assert groepen_namen(hub, KEES.id) == ["Backoffice Burgerzaken"]
    assert rollen(hub, KEES.account_naam or "") == {"backoffice"}

    apply(
        hub.store,
        "lidmaatschappen",
        upserts=[Lidmaatschappen(groep=BACKOFFICE.id, leden=[PIET.id])],
    )
    assert groepen_namen(hub, KEES.id) == []


def test_a_renamed_group_is_renamed_in_its_members_groepen(hub: Hub) -> None:
    assert groepen_namen(hub, JAN.id) == ["KCC Medewerkers"]
    renamed = Groep(id=KCC.id, naam="Klantcontactcentrum", identificatie="GG-KCC")
    apply(hub.store, "groepen", upserts=[renamed])
    assert groepen_namen(hub, JAN.id) == ["Klantcontactcentrum"]


def test_a_deleted_group_leaves_its_members_and_the_memberships(hub: Hub) -> None:
    apply(hub.store, "groepen", deletes=[KCC.id])
    with hub.store.session() as session:
        assert session.get(GroepRow, (GEMEENTE, KCC.id)) is None
        leden = session.scalars(
            select(GroepLidRow).where(
                (GroepLidRow.groep_id == KCC.id) | (GroepLidRow.lid_id == KCC.id)
            )
        ).all()
    assert leden == []
    assert groepen_namen(hub, JAN.id) == []


def test_a_full_run_removes_groups_memberships_and_accounts_it_did_not_see(hub: Hub) -> None:
    started = utcnow()
    from hub.sync.sinks import sink_for

    with hub.store.session() as session:
        for kind in ("groepen", "lidmaatschappen", "uitgeschakelde_accounts"):
            sink_for(kind).finish_full(session, GEMEENTE, started)  # type: ignore[misc]
    with hub.store.session() as session:
        for table in (GroepRow, GroepLidRow, UitgeschakeldAccountRow):
            assert session.scalars(select(table)).all() == []


def test_an_account_enabled_again_is_no_longer_recorded_as_disabled(hub: Hub) -> None:
    oud = UitgeschakeldAccount(id="00000000-0000-0000-0000-000000003001")
    apply(hub.store, "uitgeschakelde_accounts", deletes=[oud.id])
    with hub.store.session() as session:
        assert herken_gebruiker(session, GEMEENTE, "oud.account").herkenning is Herkenning.ONBEKEND


def test_groups_are_kept_per_gemeente(hub: Hub) -> None:
    with hub.store.session() as session:
        assert herken_gebruiker(session, "0363", JAN.email or "").herkenning is Herkenning.ONBEKEND
        assert groepen_van(session, "0363", ANNA.id) == []
