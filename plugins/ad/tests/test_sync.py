"""Synchronising the medewerkers directory from a real Samba AD DC."""

from __future__ import annotations

import uuid

import ldap3
import pytest

from hub.errors import UpstreamUnavailable
from plugins.ad.double.samba import (
    BASE_DN,
    UAC_DISABLED,
    UAC_ENABLED,
    add_people,
    ensure_ou,
    make_people,
)
from plugins.ad.sync import sync_medewerkers
from plugins.ad.tests.conftest import GEMEENTE_OU, Directory
from plugins.ad.tests.replay import apply, collect

pytestmark = pytest.mark.samba


def guid_of(conn: ldap3.Connection, dn: str) -> str:
    conn.search(dn, "(objectClass=*)", ldap3.BASE, attributes=["objectGUID"])
    return str(uuid.UUID(bytes_le=conn.response[0]["raw_attributes"]["objectGUID"][0]))


def test_full_sync_delivers_every_enabled_medewerker_with_checkpoint(directory: Directory) -> None:
    run = collect(sync_medewerkers(directory.settings(), None, False))

    assert run.full
    assert len(run.upserts) >= 1_000
    assert run.checkpoint is not None
    assert set(run.checkpoint) == {"dc", "invocation_id", "usn", "medewerkers"}
    assert run.checkpoint["medewerkers"] == len(run.upserts)
    assert run.checkpoint["dc"] == directory.dc.host
    assert run.batches[-1].total == len(run.upserts)
    by_account = {m.account_naam: m for m in run.upserts.values()}
    person = directory.people[17]
    record = by_account[person.sam]
    assert record.weergavenaam == person.display_name
    assert record.afdeling == person.afdeling
    assert record.functie == person.functie
    assert record.telefoonnummer == person.telefoon
    assert record.mobiel == person.mobiel
    assert record.email == person.mail
    assert record.kamer == person.kamer
    assert record.expertise == list(person.expertise)


def test_incremental_sync_reflects_exactly_adds_modifies_disables_deletes_and_moves(
    directory: Directory,
) -> None:
    work_ou = f"OU=Wijzigingen,{GEMEENTE_OU}"
    elsewhere_ou = f"OU=Elders,{GEMEENTE_OU}"
    outside_ou = f"OU=Extern,{BASE_DN}"
    people = make_people(30, seed=5, prefix="w")
    with directory.dc.connection() as conn:
        for ou in (work_ou, elsewhere_ou, outside_ou):
            ensure_ou(conn, ou)
        dns = add_people(conn, people, work_ou)
        guids = [guid_of(conn, dn) for dn in dns]

    settings = directory.settings()
    first = collect(sync_medewerkers(settings, None, False))
    state = apply({}, first)
    assert set(guids) <= set(state)

    added = make_people(4, seed=6, prefix="n")
    with directory.dc.connection() as conn:
        new_dns = add_people(conn, added, work_ou)
        added_guids = {guid_of(conn, dn) for dn in new_dns}
        modified = set(guids[0:5])
        for dn in dns[0:5]:
            conn.modify(dn, {"title": [(ldap3.MODIFY_REPLACE, ["Teamleider KCC"])]})
        disabled = set(guids[5:8])
        for dn in dns[5:8]:
            conn.modify(dn, {"userAccountControl": [(ldap3.MODIFY_REPLACE, [str(UAC_DISABLED)])]})
        deleted = set(guids[8:11])
        for dn in dns[8:11]:
            conn.delete(dn)
        moved = set(guids[11:14])
        for i, dn in enumerate(dns[11:14]):
            # A move plus rename: a new CN in another OU inside the search base.
            conn.modify_dn(dn, f"CN=Verhuisd {i} {people[11 + i].sam}", new_superior=elsewhere_ou)
        moved_out = set(guids[14:16])
        for dn in dns[14:16]:
            conn.modify_dn(dn, dn.split(",", 1)[0], new_superior=outside_ou)

    second = collect(sync_medewerkers(settings, first.checkpoint, False))

    assert not second.full
    assert set(second.upserts) == added_guids | modified | moved
    assert second.deletes & set(state) == disabled | deleted | moved_out
    for guid in modified:
        assert second.upserts[guid].functie == "Teamleider KCC"
    for guid in moved:
        assert second.upserts[guid].account_naam == state[guid].account_naam
    after = apply(state, second)
    assert set(after) == (set(state) | added_guids) - disabled - deleted - moved_out
    assert second.checkpoint is not None
    assert second.checkpoint["usn"] > first.checkpoint["usn"]

    # Nothing changed since: the next run is empty.
    third = collect(sync_medewerkers(settings, second.checkpoint, False))
    assert not third.upserts
    assert not (third.deletes & set(after))

    with directory.dc.connection() as conn:
        conn.modify(dns[5], {"userAccountControl": [(ldap3.MODIFY_REPLACE, [str(UAC_ENABLED)])]})
    fourth = collect(sync_medewerkers(settings, third.checkpoint, False))
    assert set(fourth.upserts) == {guids[5]}


def test_a_changed_invocation_id_triggers_a_full_resync(directory: Directory) -> None:
    settings = directory.settings()
    first = collect(sync_medewerkers(settings, None, False))
    assert first.checkpoint is not None
    restored = {**first.checkpoint, "invocation_id": "00000000-0000-0000-0000-000000000001"}

    again = collect(sync_medewerkers(settings, restored, False))

    assert again.full
    assert set(again.upserts) == set(first.upserts)


@pytest.mark.parametrize(
    "checkpoint",
    [None, {}, {"usn": "kapot"}, {"dc": "x", "invocation_id": "y"}],
    ids=["none", "empty", "garbage", "no-usn"],
)
def test_a_lost_or_unreadable_checkpoint_triggers_a_full_resync(
    directory: Directory, checkpoint: dict[str, object] | None
) -> None:
    run = collect(sync_medewerkers(directory.settings(), checkpoint, False))
    assert run.full


def test_a_checkpoint_ahead_of_the_dc_triggers_a_full_resync(directory: Directory) -> None:
    first = collect(sync_medewerkers(directory.settings(), None, False))
    assert first.checkpoint is not None
    ahead = {**first.checkpoint, "usn": first.checkpoint["usn"] + 10_000_000}
    assert collect(sync_medewerkers(directory.settings(), ahead, False)).full


def test_full_flag_forces_a_full_sync_even_with_a_good_checkpoint(directory: Directory) -> None:
    first = collect(sync_medewerkers(directory.settings(), None, False))
    assert collect(sync_medewerkers(directory.settings(), first.checkpoint, True)).full


def test_two_jan_janssens_in_different_ous_are_two_medewerkers_told_apart(
    directory: Directory,
) -> None:
    base = f"OU=Afdelingen,{GEMEENTE_OU}"
    with directory.dc.connection() as conn:
        for afdeling, functie, kamer in (
            ("Burgerzaken", "Baliemedewerker", "A.0.12"),
            ("Belastingen", "Adviseur WOZ", "C.3.04"),
        ):
            ou = f"OU={afdeling},{base}"
            ensure_ou(conn, ou)
            conn.add(
                f"CN=Jan Janssen,{ou}",
                ["top", "person", "organizationalPerson", "user"],
                {
                    "sAMAccountName": f"jjanssen.{afdeling[:4].lower()}",
                    "givenName": "Jan",
                    "sn": "Janssen",
                    "displayName": "Jan Janssen",
                    "department": afdeling,
                    "title": functie,
                    "physicalDeliveryOfficeName": kamer,
                    "userAccountControl": str(UAC_ENABLED),
                },
            )
    run = collect(sync_medewerkers(directory.settings(search_bases=[base]), None, False))

    jannen = [m for m in run.upserts.values() if m.weergavenaam == "Jan Janssen"]
    assert len(jannen) == 2
    assert {(m.afdeling, m.functie) for m in jannen} == {
        ("Burgerzaken", "Baliemedewerker"),
        ("Belastingen", "Adviseur WOZ"),
    }
    assert len({m.id for m in jannen}) == 2


def test_manager_and_groups_are_mapped_to_ids_and_names(directory: Directory) -> None:
    ou = f"OU=Team,{GEMEENTE_OU}"
    boss, worker = make_people(2, seed=8, prefix="t")
    with directory.dc.connection() as conn:
        boss_dn, worker_dn = add_people(conn, [boss, worker], ou)
        conn.modify(worker_dn, {"manager": [(ldap3.MODIFY_REPLACE, [boss_dn])]})
        conn.add(f"CN=KCC Terugbelteam,{ou}", ["top", "group"])
        conn.modify(f"CN=KCC Terugbelteam,{ou}", {"member": [(ldap3.MODIFY_ADD, [worker_dn])]})
        boss_guid = guid_of(conn, boss_dn)
    run = collect(sync_medewerkers(directory.settings(search_bases=[ou]), None, False))

    record = next(m for m in run.upserts.values() if m.account_naam == worker.sam)
    assert record.manager_id == boss_guid
    assert record.groepen == ["KCC Terugbelteam"]


def test_an_unreachable_dc_pool_raises_upstream_unavailable(directory: Directory) -> None:
    settings = directory.settings(servers=["127.0.0.1:1", "127.0.0.1:2"])
    with pytest.raises(UpstreamUnavailable):
        collect(sync_medewerkers(settings, None, False))


def test_a_dead_first_dc_fails_over_to_the_next_and_pins_it(directory: Directory) -> None:
    settings = directory.settings(servers=["127.0.0.1:1", directory.dc.host])
    run = collect(sync_medewerkers(settings, None, False))
    assert run.checkpoint is not None
    assert run.checkpoint["dc"] == directory.dc.host


def test_a_stopped_dc_gives_upstream_unavailable_and_the_next_run_catches_up(
    directory: Directory,
) -> None:
    settings = directory.settings()
    before = collect(sync_medewerkers(settings, None, False))
    directory.dc.stop()
    try:
        with pytest.raises(UpstreamUnavailable):
            collect(sync_medewerkers(settings, before.checkpoint, False))
    finally:
        directory.dc.start()
    (late,) = make_people(1, seed=9, prefix="late")
    with directory.dc.connection() as conn:
        (dn,) = add_people(conn, [late], f"OU=Laat,{GEMEENTE_OU}")
        late_guid = guid_of(conn, dn)

    after = collect(sync_medewerkers(settings, before.checkpoint, False))

    assert not after.full
    assert late_guid in after.upserts


def test_a_plain_service_account_syncs_and_sees_deletions_once_granted_the_listing(
    directory: Directory, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = "Svc-Kcc-Hub-2026!x"
    account = directory.dc.add_service_account("svc-kcchub", password)
    monkeypatch.setenv("KCC_TEST_AD_SVC_PASSWORD", password)
    ou = f"OU=Dienstaccount,{GEMEENTE_OU}"
    with directory.dc.connection() as conn:
        dns = add_people(conn, make_people(6, seed=31, prefix="s"), ou)
        guids = [guid_of(conn, dn) for dn in dns]
    settings = directory.settings(
        bind_user="svc-kcchub@gemeente.test",
        bind_password="${KCC_TEST_AD_SVC_PASSWORD}",
        search_bases=[ou],
    )
    first = collect(sync_medewerkers(settings, None, False))
    assert set(first.upserts) == set(guids)
    assert first.upserts[guids[0]].telefoonnummer

    with directory.dc.connection() as conn:
        conn.delete(dns[0])
        conn.modify(dns[1], {"userAccountControl": [(ldap3.MODIFY_REPLACE, [str(UAC_DISABLED)])]})
    second = collect(sync_medewerkers(settings, first.checkpoint, False))
    # Without the grant, tombstones are invisible (as in AD): only the disable is seen.
    assert second.deletes & set(guids) == {guids[1]}

    directory.dc.grant_deleted_objects_listing(account)
    with directory.dc.connection() as conn:
        conn.delete(dns[2])
    third = collect(sync_medewerkers(settings, second.checkpoint, False))
    assert guids[2] in third.deletes
