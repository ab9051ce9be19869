"""Groups, memberships and switched-off accounts from a real Samba AD DC, full and incremental."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import ldap3
import pytest

from hub.domain.groepen import Groep, Lidmaatschappen, UitgeschakeldAccount
from plugins.ad.double.samba import UAC_DISABLED, UAC_ENABLED, add_people, ensure_ou, make_people
from plugins.ad.sync import GROEPEN, LIDMAATSCHAPPEN, UITGESCHAKELD, sync_medewerkers
from plugins.ad.tests.conftest import GEMEENTE_OU, Directory
from plugins.ad.tests.replay import Run, collect

pytestmark = pytest.mark.samba


def guid_of(conn: ldap3.Connection, dn: str) -> str:
    conn.search(dn, "(objectClass=*)", ldap3.BASE, attributes=["objectGUID"])
    return str(uuid.UUID(bytes_le=conn.response[0]["raw_attributes"]["objectGUID"][0]))


def records(run: Run, kind: str) -> Iterator[object]:
    for batch in run.others.get(kind, []):
        yield from batch.upserts


def deletes(run: Run, kind: str) -> set[str]:
    return {d for batch in run.others.get(kind, []) for d in batch.deletes}


def groepen(run: Run) -> dict[str, Groep]:
    return {g.id: g for g in records(run, GROEPEN) if isinstance(g, Groep)}


def leden_van(run: Run, groep_id: str) -> set[str] | None:
    """The members a group-side record gives for ``groep_id`` (None: no such record)."""
    found = [
        set(r.leden)
        for r in records(run, LIDMAATSCHAPPEN)
        if isinstance(r, Lidmaatschappen) and r.groep == groep_id
    ]
    return found[-1] if found else None


def groepen_van(run: Run, lid_id: str) -> set[str] | None:
    found = [
        set(r.groepen)
        for r in records(run, LIDMAATSCHAPPEN)
        if isinstance(r, Lidmaatschappen) and r.lid == lid_id
    ]
    return found[-1] if found else None


def add_group(conn: ldap3.Connection, ou: str, naam: str, sam: str, **attributes: str) -> str:
    dn = f"CN={naam},{ou}"
    assert conn.add(dn, ["top", "group"], {"sAMAccountName": sam, **attributes}), conn.result
    return dn


def members(conn: ldap3.Connection, group_dn: str, operation: str, *dns: str) -> None:
    assert conn.modify(group_dn, {"member": [(operation, list(dns))]}), conn.result


@pytest.fixture
def team(directory: Directory) -> dict[str, str]:
    """An OU of its own with three people and two groups, one nested in the other."""
    suffix = uuid.uuid4().hex[:6]
    ou = f"OU=Groepentest{suffix},{GEMEENTE_OU}"
    people = make_people(3, seed=41, prefix="g" + suffix)
    with directory.dc.connection() as conn:
        ensure_ou(conn, ou)
        dns = add_people(conn, people, ou)
        kcc = add_group(conn, ou, "KCC Medewerkers", f"kcc-{suffix}", mail="kcc@gemeente.test")
        alle = add_group(conn, ou, "Alle Medewerkers", f"alle-{suffix}")
        members(conn, kcc, ldap3.MODIFY_ADD, dns[0])
        members(conn, alle, ldap3.MODIFY_ADD, kcc, dns[1])
        ids = {f"p{i}": guid_of(conn, dn) for i, dn in enumerate(dns)}
        ids |= {"kcc": guid_of(conn, kcc), "alle": guid_of(conn, alle)}
    return {
        "ou": ou,
        "suffix": suffix,
        "kcc_dn": kcc,
        "alle_dn": alle,
        **{f"p{i}_dn": dn for i, dn in enumerate(dns)},
        **ids,
    }


def test_a_full_sync_delivers_groups_with_names_mail_and_memberships(
    directory: Directory, team: dict[str, str]
) -> None:
    run = collect(sync_medewerkers(directory.settings(search_bases=[team["ou"]]), None, False))

    found = groepen(run)
    assert found[team["kcc"]].naam == "KCC Medewerkers"
    assert found[team["kcc"]].identificatie == f"kcc-{team['suffix']}"
    assert found[team["kcc"]].email == "kcc@gemeente.test"
    assert groepen_van(run, team["p0"]) == {team["kcc"]}
    assert groepen_van(run, team["p1"]) == {team["alle"]}
    # Nesting: the KCC group is itself a member of "Alle Medewerkers".
    assert groepen_van(run, team["kcc"]) == {team["alle"]}
    assert all(b.full for kind in (GROEPEN, LIDMAATSCHAPPEN) for b in run.others[kind])


def test_adding_someone_to_a_group_reaches_the_next_incremental_sync(
    directory: Directory, team: dict[str, str]
) -> None:
    settings = directory.settings(search_bases=[team["ou"]])
    first = collect(sync_medewerkers(settings, None, False))
    with directory.dc.connection() as conn:
        members(conn, team["kcc_dn"], ldap3.MODIFY_ADD, team["p2_dn"])

    second = collect(sync_medewerkers(settings, first.checkpoint, False))

    assert not second.full
    # The user object itself did not change (memberOf is a back link) ...
    assert team["p2"] not in second.upserts
    # ... but the group did, and its complete member list comes along.
    assert leden_van(second, team["kcc"]) == {team["p0"], team["p2"]}


def test_removing_someone_from_a_group_reaches_the_next_incremental_sync(
    directory: Directory, team: dict[str, str]
) -> None:
    settings = directory.settings(search_bases=[team["ou"]])
    first = collect(sync_medewerkers(settings, None, False))
    with directory.dc.connection() as conn:
        members(conn, team["kcc_dn"], ldap3.MODIFY_DELETE, team["p0_dn"])

    second = collect(sync_medewerkers(settings, first.checkpoint, False))

    assert leden_van(second, team["kcc"]) == set()


def test_a_deleted_group_is_deleted_by_the_next_incremental_sync(
    directory: Directory, team: dict[str, str]
) -> None:
    settings = directory.settings(search_bases=[team["ou"]])
    first = collect(sync_medewerkers(settings, None, False))
    with directory.dc.connection() as conn:
        members(conn, team["alle_dn"], ldap3.MODIFY_DELETE, team["kcc_dn"])
        assert conn.delete(team["kcc_dn"]), conn.result

    second = collect(sync_medewerkers(settings, first.checkpoint, False))

    assert team["kcc"] in deletes(second, GROEPEN)
    assert team["kcc"] in deletes(second, LIDMAATSCHAPPEN)


def test_disabled_accounts_are_delivered_as_such_and_leave_when_enabled_again(
    directory: Directory, team: dict[str, str]
) -> None:
    settings = directory.settings(search_bases=[team["ou"]])
    first = collect(sync_medewerkers(settings, None, False))
    assert not list(records(first, UITGESCHAKELD))
    with directory.dc.connection() as conn:
        conn.modify(
            team["p1_dn"], {"userAccountControl": [(ldap3.MODIFY_REPLACE, [str(UAC_DISABLED)])]}
        )

    second = collect(sync_medewerkers(settings, first.checkpoint, False))
    (account,) = records(second, UITGESCHAKELD)
    assert isinstance(account, UitgeschakeldAccount)
    assert account.id == team["p1"] and account.account_naam
    assert team["p1"] in second.deletes

    full = collect(sync_medewerkers(settings, None, True))
    assert [a.id for a in records(full, UITGESCHAKELD)] == [team["p1"]]  # type: ignore[attr-defined]

    with directory.dc.connection() as conn:
        conn.modify(
            team["p1_dn"], {"userAccountControl": [(ldap3.MODIFY_REPLACE, [str(UAC_ENABLED)])]}
        )
    third = collect(sync_medewerkers(settings, second.checkpoint, False))
    assert team["p1"] in third.upserts
    assert team["p1"] in deletes(third, UITGESCHAKELD)


def test_group_sync_can_be_switched_off(directory: Directory, team: dict[str, str]) -> None:
    run = collect(
        sync_medewerkers(
            directory.settings(search_bases=[team["ou"]], sync_groups=False), None, False
        )
    )
    assert GROEPEN not in run.others
    # The members' own memberships still come along (they cost no extra search).
    assert groepen_van(run, team["p0"]) == {team["kcc"]}
