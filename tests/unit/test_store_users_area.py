"""Store of the users/blocks/groups/rooms/admin/data/devices areas of the current generation
(spec ``rtm-server-api-current.md`` §4.6 to §4.12), and the schema migration that adds it."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path

import pytest

from rtm.server.store import SCHEMA_VERSION, Kind, Store, StoreError
from rtm.server.store.schema import _MIGRATIONS

PID = 11000001
T0 = 1_700_000_000_000


class FakeClock:
    def __init__(self, now: int = T0) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> None:
        self.now += ms


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def store(clock: FakeClock) -> AsyncIterator[Store]:
    async with Store(now_ms=clock) as s:
        yield s


async def code_of(coro: Awaitable[object]) -> int:
    with pytest.raises(StoreError) as info:
        await coro
    return info.value.code


# ------------------------------------------------------------------------------ migration


def _write_version_1_db(path: Path) -> None:
    """A database as the previous release (schema version 1) left it, with some state."""
    conn = sqlite3.connect(path)
    for statement in _MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO messages (pid, kind, xa, xb, from_uid, to_uid, mid, mtype, msg, attrs,"
        " mtime) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (PID, int(Kind.P2P), 1, 2, 1, 2, 77, 30, "old message", "", T0 - 1000))
    conn.execute("INSERT INTO friends VALUES (?,?,?)", (PID, 1, 2))
    conn.execute("INSERT INTO chat_groups VALUES (?,?,?)", (PID, 50, 1))
    conn.execute("INSERT INTO group_members VALUES (?,?,?)", (PID, 50, 1))
    conn.execute("INSERT INTO bans VALUES (?,?,?,?,?)", (PID, int(Kind.GROUP), 50, 1, None))
    conn.execute("INSERT INTO tokens VALUES (?,?,?,?)", (PID, 1, "OLDTOKEN", None))
    conn.execute("INSERT INTO devices VALUES (?,?,?,?,?)", (PID, 1, "dev-1", "apns", T0))
    conn.commit()
    conn.close()


async def test_migration_from_version_1_keeps_rows_and_adds_tables(tmp_path: Path,
                                                                   clock: FakeClock) -> None:
    path = tmp_path / "previous-release.db"
    _write_version_1_db(path)
    async with Store(path, now_ms=clock) as s:
        assert await s.schema_version() == SCHEMA_VERSION >= 2
        page = await s.history(PID, Kind.P2P, 2, uid_for_p2p=1)
        assert [(r.mid, r.msg) for r in page.rows] == [(77, "old message")]
        assert await s.get_friends(PID, 1) == [2]
        assert await s.get_group_members(PID, 50) == [1]
        assert await s.is_banned_in_group(PID, 50, 1)
        assert await s.check_token(PID, 1, "OLDTOKEN")
        assert [d.devicetoken for d in await s.list_devices(PID, 1)] == ["dev-1"]
        # the new tables work on the migrated file
        await s.add_blocks(PID, 1, [2])
        await s.set_user_info(PID, 1, "pub", "priv")
        await s.set_data(PID, 1, "k", "v")
        await s.add_sessions(PID, 1, [2])
        await s.add_push_option(PID, 1, 0, 2, [30])
        await s.add_project_ban(PID, 1, 0)
    async with Store(path, now_ms=clock) as s:  # reopened: nothing to migrate, all kept
        assert await s.schema_version() == SCHEMA_VERSION
        assert await s.get_blocks(PID, 1) == [2]
        assert await s.get_user_info(PID, 1) == ("pub", "priv")
        assert await s.get_data(PID, 1, "k") == "v"
        assert await s.sessions(PID, 1) == [2]
        assert (await s.push_options(PID, 1))[0] == {2: [30]}
        assert await s.is_project_ban(PID, 1)
        assert await s.get_friends(PID, 1) == [2]


# ------------------------------------------------------------------------------ blocks


async def test_blocks(store: Store) -> None:
    await store.add_blocks(PID, 1, [3, 2, 1, 3])  # self ignored, repeats once
    assert await store.get_blocks(PID, 1) == [2, 3]
    assert await store.get_blocks(PID + 1, 1) == []
    # isblack(uid, buid): has buid blocked uid?
    assert await store.is_blocked_by(PID, 2, 1)
    assert not await store.is_blocked_by(PID, 1, 2)
    await store.add_blocks(PID, 4, [2])
    assert await store.blockers_among(PID, 2, [4, 5, 1, 4]) == [4, 1]
    await store.del_blocks(PID, 1, [3, 99])
    assert await store.get_blocks(PID, 1) == [2]


async def test_block_list_limit(clock: FakeClock) -> None:
    async with Store(now_ms=clock) as s:
        s.max_blocks = 3
        await s.add_blocks(PID, 1, [2, 3])
        await s.add_blocks(PID, 1, [2, 3, 4])  # existing entries do not count twice
        assert await code_of(s.add_blocks(PID, 1, [5])) == 200032
        assert await s.get_blocks(PID, 1) == [2, 3, 4]


# ------------------------------------------------------------------------------ infos


async def test_infos_absent_keys_leave_values_and_kinds_are_separate(store: Store) -> None:
    assert await store.get_user_info(PID, 1) == ("", "")
    await store.set_user_info(PID, 1, "public", None)
    await store.set_user_info(PID, 1, None, "private")
    assert await store.get_user_info(PID, 1) == ("public", "private")
    await store.set_user_info(PID, 1, "", None)  # "" is a value, not an absent key
    assert await store.get_user_info(PID, 1) == ("", "private")
    await store.set_group_info(PID, 1, "group", "g")
    await store.set_room_info(PID, 1, None, "r")
    assert await store.get_group_info(PID, 1) == ("group", "g")
    assert await store.get_room_info(PID, 1) == ("", "r")
    assert await store.get_user_info(PID, 1) == ("", "private")


async def test_user_public_infos_only_for_stored_records(store: Store) -> None:
    await store.set_user_info(PID, 2, "two", None)
    await store.set_user_info(PID, 3, None, "private only")
    await store.set_user_info(PID, 4, None, None)  # nothing set: no record
    assert await store.user_public_infos(PID, [4, 3, 2, 9]) == {3: "", 2: "two"}


# ------------------------------------------------------------------------------ groups


async def test_group_count_wildcard_bans_and_clear_project(store: Store,
                                                           clock: FakeClock) -> None:
    await store.add_group_members(PID, 50, [1, 2, 3])
    await store.add_group_members(PID, 51, [1])
    assert await store.group_count(PID, 50) == 3
    assert await store.group_count(PID, 999) == 0
    await store.add_group_ban(PID, 0, 1, 60)  # every group, for 60 s
    assert await store.is_banned_in_group(PID, 50, 1)
    assert await store.is_banned_in_group(PID, 777, 1)  # also groups joined later
    assert await code_of(store.send_group(PID, 1, 51, 1, 30, "x")) == 200044
    clock.advance(60_000)
    assert not await store.is_banned_in_group(PID, 50, 1)
    await store.send_group(PID, 1, 51, 2, 30, "x")
    # removing without a gid lifts the wildcard ban and every specific one
    await store.add_group_ban(PID, 0, 2, 0)
    await store.add_group_ban(PID, 50, 2, 0)
    await store.remove_group_ban(PID, 50, 2)
    assert await store.is_banned_in_group(PID, 50, 2)  # the wildcard still holds
    await store.add_group_ban(PID, 51, 2, 0)
    await store.remove_group_ban(PID, 0, 2)
    assert not await store.is_banned_in_group(PID, 51, 2)
    await store.set_group_info(PID, 50, "pub", "priv")
    await store.add_group_ban(PID, 50, 3, 0)
    await store.add_group_ban(PID, 0, 3, 0)
    await store.set_user_info(PID, 3, "user info stays", None)
    await store.clear_project_group(PID)
    assert await store.user_groups(PID, 1) == []
    assert await store.group_count(PID, 50) == 0
    assert await store.get_group_info(PID, 50) == ("", "")
    assert not await store.is_banned_in_group(PID, 50, 3)
    assert (await store.history(PID, Kind.GROUP, 51)).num == 1  # history is not cleared
    assert await store.get_user_info(PID, 3) == ("user info stays", "")
    await store.add_group_members(PID, 60, [1])  # project-wide group limit is free again
    await store.set_group_info(PID, 60, "x", None)
    await store.del_group(PID, 60)
    assert await store.get_group_info(PID, 60) == ("", "")


# ------------------------------------------------------------------------------ rooms


async def test_room_bulk_membership_counts_and_wildcard_bans(store: Store) -> None:
    for rid in range(1, 11):
        await store.add_room_member(PID, rid, 7)  # uid 7 is in 10 rooms: full
    assert await store.add_room_members(PID, 20, [5, 7, 6, 5]) == [5, 6]  # 7 left out
    assert await store.add_room_members(PID, 20, [5]) == [5]  # already a member counts
    assert await store.room_members(PID, 20) == [5, 6]
    assert await store.room_counts(PID, [20, 1, 99]) == {20: 2, 1: 1, 99: 0}
    assert await store.del_room_members(PID, 20, [5, 8]) == [5]
    # adduserrooms is all or nothing
    assert await code_of(store.add_user_rooms(PID, 7, [30])) == 200047
    await store.add_user_rooms(PID, 8, [30, 31, 30])
    assert await store.user_rooms(PID, 8) == [30, 31]
    await store.add_user_rooms(PID, 7, [1, 2])  # already in both: nothing new, no error
    assert await store.delete_user_rooms(PID, 8, [31, 32]) == [31]
    assert await store.user_rooms(PID, 8) == [30]
    await store.add_room_ban(PID, 0, 6, 0)
    assert await store.is_banned_in_room(PID, 20, 6)
    assert await code_of(store.send_room(PID, 6, 20, 1, 30, "x")) == 200045
    await store.remove_room_ban(PID, 0, 6)
    await store.send_room(PID, 6, 20, 2, 30, "x")


# ------------------------------------------------------------------------------ admin


async def test_project_ban_mutes_every_send_first(store: Store, clock: FakeClock) -> None:
    await store.add_group_members(PID, 5, [1])
    await store.add_room_member(PID, 6, 1)
    await store.add_project_ban(PID, 1, 30)
    assert await store.is_project_ban(PID, 1)
    assert not await store.is_project_black(PID, 1)  # a ban is not the black list
    sends = [
        store.send_p2p(PID, 1, 2, 1, 30, "x"),
        store.send_multi(PID, 1, [2, 3], 2, 30, "x"),
        store.send_group(PID, 1, 5, 3, 30, "x"),
        store.send_room(PID, 1, 6, 4, 30, "x"),
        store.send_broadcast(PID, 1, 5, 30, "x"),
        store.send_group(PID, 1, 999, 6, 30, "x"),  # 200021 before 200041
        store.issue_file_token(PID, 1, "sendfile", 2),
    ]
    for send in sends:
        assert await code_of(send) == 200021
    await store.send_p2p(PID, 2, 1, 7, 30, "receiving still works")
    clock.advance(30_000)
    assert not await store.is_project_ban(PID, 1)
    await store.send_p2p(PID, 1, 2, 8, 30, "expired")
    await store.add_project_ban(PID, 1, 0)
    await store.remove_project_ban(PID, 1)
    await store.send_group(PID, 1, 5, 9, 30, "lifted")


# ------------------------------------------------------------------------------ data


async def test_data_store(store: Store) -> None:
    assert await store.get_data(PID, 1, "k") is None
    await store.set_data(PID, 1, "k", "")
    assert await store.get_data(PID, 1, "k") == ""  # empty is a value, not a missing key
    await store.set_data(PID, 1, "k", "v2")
    await store.set_data(PID, 2, "k", "other user")
    assert await store.get_data(PID, 1, "k") == "v2"
    await store.del_data(PID, 1, "k")
    await store.del_data(PID, 1, "never set")
    assert await store.get_data(PID, 1, "k") is None
    assert await store.get_data(PID, 2, "k") == "other user"


# ------------------------------------------------------------------------------ sessions


async def test_sessions(store: Store) -> None:
    await store.add_sessions(PID, 1, [3, 2, 3])
    await store.add_sessions(PID, 1, [2])
    assert await store.sessions(PID, 1) == [2, 3]
    await store.remove_sessions(PID, 1, [3, 9])
    assert await store.sessions(PID, 1) == [2]


# ------------------------------------------------------------------------------ push options


async def test_push_options_union_all_and_removal(store: Store) -> None:
    assert await store.push_options(PID, 1) == {0: {}, 1: {}}
    await store.add_push_option(PID, 1, 0, 2, [32, 30])
    await store.add_push_option(PID, 1, 0, 2, [30, 41])  # union
    await store.add_push_option(PID, 1, 1, 50, None)  # every mtype
    await store.add_push_option(PID, 1, 1, 50, [30])  # "all" absorbs a list
    assert await store.push_options(PID, 1) == {0: {2: [30, 32, 41]}, 1: {50: []}}
    await store.remove_push_option(PID, 1, 1, 50, [30])  # single mtypes of "all": no-op
    await store.remove_push_option(PID, 1, 0, 2, [30, 32])
    assert await store.push_options(PID, 1) == {0: {2: [41]}, 1: {50: []}}
    await store.remove_push_option(PID, 1, 0, 2, [41])  # left empty: the entry goes
    await store.remove_push_option(PID, 1, 1, 50, [])
    assert await store.push_options(PID, 1) == {0: {}, 1: {}}
    await store.add_push_option(PID, 1, 0, 3, [30])
    await store.add_push_option(PID, 1, 0, 3, [])  # "all" replaces the list
    assert await store.push_options(PID, 1) == {0: {3: []}, 1: {}}
