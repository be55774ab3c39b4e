"""Unread counts, sessions and conversation lists from the end-user side (client spec §3.3):
the model under sends, reads, logout and deletes, checked against the server API where both
sides see the same state, plus its persistence and its indexed queries in the store."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from helpers import async_wait_until
from rtm import AsyncRTMServerClient
from rtm.api.models import MessageType
from rtm.enduser import AsyncEndUserClient
from rtm.fpnn.errors import FPNNError
from rtm.server.store import Kind, Store
from rtm.server.store.schema import _MIGRATIONS
from rtm.server.store.unread import unread_sql
from rtm.testing import RTMProject

from .common import raw

Login = Callable[[int], Awaitable[AsyncEndUserClient]]
PID = 11000001


async def test_sessions_follow_messages_and_the_server_api(
        rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    api = rtm_async_client
    a, b = await rtm_enduser(1), await rtm_enduser(2)
    assert await raw(a, "getsession") == {"p2p": [], "group": []}
    await a.send_message(2, 51, "hi")
    await api.send_message(3, 1, 51, "from the server API")
    await api.add_group_members(10, [1, 2])
    await api.add_group_members(11, [1])  # no message yet: not a session
    await b.send_group_message(10, 51, "g")
    assert await raw(a, "getsession") == {"p2p": [2, 3], "group": [10]}
    assert (await b.get_sessions()).p2p == [1]

    await api.add_sessions(1, [7])  # the server API edits the same list
    await api.remove_sessions(1, [3])
    assert (await a.get_sessions()).p2p == [2, 7]
    await a.remove_session(7)
    await raw(a, "removesession", to=2, oneway=True)  # only the caller's list
    assert (await a.get_sessions()).p2p == []
    assert (await b.get_sessions()).p2p == [1]
    await b.remove_session(1)  # both lists
    assert (await b.get_sessions()).p2p == []
    await a.send_message(2, 51, "back again")
    assert (await a.get_sessions()).p2p == [2] and (await b.get_sessions()).p2p == [1]
    await api.del_group_members(10, [1])
    assert (await a.get_sessions()).groups == []


async def test_unread_counts_messages_from_others_after_the_read_mark(
        rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    await rtm_async_client.add_group_members(10, [1, 2, 3])
    a, b, c = await rtm_enduser(1), await rtm_enduser(2), await rtm_enduser(3)
    await a.send_message(2, 51, "mine does not count")
    await b.send_message(1, 51, "b1")
    last_b = await b.send_message(1, 52, "b2")
    await c.send_group_message(10, 51, "c1")
    await a.send_group_message(10, 51, "mine")

    assert await raw(a, "getunread", clear=False) == {"p2p": [2], "group": [10]}
    counts = await raw(a, "getp2punread", uids=[2, 3, 99])
    assert counts == {"p2p": {"2": 2}, "ltime": {"2": last_b}}
    assert (await a.get_p2p_unread([2], mtypes=[52])).counts == {2: 1}
    group = await a.get_group_unread([10, 11])
    assert group.counts == {10: 1} and set(group.ltimes) == {10}
    assert (await b.get_unread()).groups == [10]  # b has not read c's and a's

    await a.clean_unread()
    assert (await a.get_unread()).p2p == [] and (await a.get_unread()).groups == []
    assert (await a.get_p2p_unread([2])).counts == {}
    assert (await a.get_p2p_unread([2])).ltimes == {2: last_b}  # ltime stays
    # mtime counts from a time instead of from the mark.
    history = (await a.get_p2p_message(2)).messages
    since = sum(1 for m in history if m.from_uid == 2 and m.mtime >= last_b)
    assert (await a.get_p2p_unread([2], mtime=last_b)).counts == {2: since}
    assert (await a.get_p2p_unread([2], mtime=1)).counts == {2: 2}

    await b.send_message(1, 51, "b3")
    cleared = await raw(a, "getunread", clear=True, gettime=True)
    assert cleared == {"p2p": [2], "group": [], "logouttime": 0}
    assert (await a.get_unread()).p2p == []


async def test_unread_since_logout(rtm_enduser: Login, rtm_project: RTMProject,
                                   rtm_async_client: AsyncRTMServerClient) -> None:
    server = rtm_project.server
    assert server is not None
    a, b = await rtm_enduser(1), await rtm_enduser(2)
    await b.send_message(1, 51, "seen while online")
    await a.close()

    def logged_out() -> bool:
        mark = server.run(server.server.store.read_mark(rtm_project.pid, 1))
        return mark.logout_ms > 0

    await async_wait_until(logged_out, 10.0, "the logout to move uid 1's read mark")
    after = await b.send_message(1, 51, "sent while offline")
    a = await rtm_enduser(1)
    unread = await a.get_unread(with_time=True)
    assert unread.p2p == [2]
    assert unread.logout_time is not None and 0 < unread.logout_time <= after
    assert (await a.get_p2p_unread([2])).counts == {2: 1}
    listed = await a.get_p2p_unread_conversation_list()
    assert [(c.id, c.unread) for c in listed] == [(2, 1)]
    assert listed[0].last_message is not None
    assert listed[0].last_message.message == "sent while offline"


async def test_deletes_lower_unread_and_change_the_newest_message(
        rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    a, b = await rtm_enduser(1), await rtm_enduser(2)
    mids = [501, 502]
    for i, mid in enumerate(mids):
        await b.send_message(1, 51, f"b{i}", mid=mid)
    conv = await raw(a, "getp2pconversationlist")
    assert conv["conversations"] == [2] and conv["unreads"] == [2]
    assert conv["msgs"][0][1] == 2 and conv["msgs"][0][5] == "b1"  # received (direction 2)

    await b.del_message(mids[1], 2, 1, MessageType.P2P)
    conv = await raw(a, "getp2pconversationlist")
    assert (conv["unreads"], conv["msgs"][0][5]) == ([1], "b0")
    await rtm_async_client.del_message(mids[0], 2, 1, MessageType.P2P)  # server API too
    after = await a.get_p2p_conversation_list()
    assert [(c.id, c.unread, c.last_message) for c in after] == [(2, 0, None)]
    assert await a.get_p2p_unread_conversation_list() == []


async def test_conversation_lists_newest_first_with_filters(
        rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    await rtm_async_client.add_group_members(10, [1, 2])
    await rtm_async_client.add_group_members(11, [1, 3])
    a, b, c = await rtm_enduser(1), await rtm_enduser(2), await rtm_enduser(3)
    await b.send_message(1, 51, "from b")
    await a.send_message(3, 52, "to c")
    g10 = await b.send_group_message(10, 51, "g10")
    # The server clock is the wall clock: let it pass g10's millisecond so g11 is newer.
    await async_wait_until(lambda: time.time() * 1000 > g10 + 1, 5.0, "the next millisecond")
    newest = await c.send_group_message(11, 52, "g11")
    await rtm_async_client.add_sessions(1, [9])  # a session without a message

    p2p = await a.get_p2p_conversation_list()
    assert [(x.id, x.unread) for x in p2p] == [(3, 0), (2, 1), (9, 0)]
    assert p2p[0].last_message is not None and p2p[0].last_message.from_uid == 1
    assert p2p[1].last_message is not None and p2p[1].last_message.from_uid == 2
    assert p2p[2].last_message is None
    raw_p2p = await raw(a, "getp2pconversationlist")
    assert raw_p2p["msgs"][2] == [0, 0, 0, 0, False, "", "", 0]
    groups = await raw(a, "getgroupconversationlist")
    assert (groups["conversations"], groups["unreads"]) == ([11, 10], [1, 1])
    assert [row[1] for row in groups["msgs"]] == [3, 2]  # the sender uid

    only_52 = await a.get_p2p_conversation_list(mtypes=[52])
    assert [(x.id, x.unread) for x in only_52] == [(3, 0), (2, 0), (9, 0)]
    assert only_52[1].last_message is None  # b's only message is not of mtype 52
    assert [x.id for x in await a.get_group_conversation_list(mtime=newest)] == [11]
    assert [x.id for x in await a.get_p2p_unread_conversation_list()] == [2]
    assert [x.id for x in await a.get_group_unread_conversation_list(mtypes=[51])] == [10]

    both = await raw(a, "getunreadconversationlist", clear=True)
    assert (both["groupConversations"], both["p2pConversations"]) == ([11, 10], [2])
    assert (both["groupUnreads"], both["p2pUnreads"]) == ([1, 1], [1])
    empty = await a.get_unread_conversation_list()
    assert (empty.groups, empty.p2p) == ([], [])


async def test_bad_input_is_refused_naming_the_key(rtm_enduser: Login) -> None:
    a = await rtm_enduser(1)
    cases: list[tuple[str, dict[str, Any], int, str]] = [
        ("getunread", {}, 10009, "clear"),
        ("getunread", {"clear": "1"}, 10010, "clear"),
        ("getp2punread", {}, 10009, "uids"),
        ("getp2punread", {"uids": "1"}, 10010, "uids"),
        ("getp2punread", {"uids": [1, 0]}, 200001, "uids"),
        ("getp2punread", {"uids": []}, 200033, "uids"),
        ("getgroupunread", {"gids": list(range(1, 102))}, 200032, "gids"),
        ("getgroupunread", {"gids": [1], "mtime": "now"}, 10010, "mtime"),
        ("getp2pconversationlist", {"mtypes": [1000]}, 10010, "mtypes"),
        ("getunreadconversationlist", {"clear": "yes"}, 10010, "clear"),
        ("removesession", {}, 10009, "to"),
        ("removesession", {"to": 2, "oneway": "no"}, 10010, "oneway"),
    ]
    for method, params, code, key in cases:
        with pytest.raises(FPNNError) as info:
            await a.quest(method, params)
        assert (info.value.code, key in str(info.value)) == (code, True), (method, params)
    with pytest.raises(ValueError, match="mtypes"):
        await a.get_group_unread([1], mtypes=[999])
    with pytest.raises(TypeError, match="peer_uid"):
        await a.remove_session(None)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ the store


async def test_read_marks_and_sessions_persist_and_migrate(tmp_path: Path) -> None:
    path = tmp_path / "previous-release.db"
    conn = sqlite3.connect(path)
    # A database of the release before the read marks' migration (later ones apply too).
    before = next(i for i, migration in enumerate(_MIGRATIONS)
                  if any("CREATE TABLE read_marks" in statement for statement in migration))
    for migration in _MIGRATIONS[:before]:
        for statement in migration:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {before}")
    conn.execute(
        "INSERT INTO messages (pid, kind, xa, xb, from_uid, to_uid, mid, mtype, msg, attrs,"
        " mtime) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (PID, int(Kind.P2P), 1, 2, 2, 1, 77, 30, "old message", "", 1000))
    conn.commit()
    conn.close()
    async with Store(path) as s:  # the migration fills both sides' session lists
        assert await s.user_sessions(PID, 1) == ([2], [])
        assert await s.user_sessions(PID, 2) == ([1], [])
        assert (await s.unread_sessions(PID, 1))[0] == [2]
        await s.mark_read(PID, 1, logout=True)
    async with Store(path) as s:  # reopened: the mark is kept
        mark = await s.read_mark(PID, 1)
        assert mark.mark_id > 0 and mark.logout_ms > 0
        assert (await s.unread_sessions(PID, 1))[0] == []
        await s.send_p2p(PID, 2, 1, 78, 30, "new")
        assert (await s.unread_counts(PID, 1, Kind.P2P, [2]))[0] == {2: 1}


@pytest.mark.parametrize("by_time", [False, True])
@pytest.mark.parametrize("mtypes", [0, 2])
def test_unread_counts_use_a_conversation_index(by_time: bool, mtypes: int) -> None:
    conn = sqlite3.connect(":memory:")
    for migration in _MIGRATIONS:
        for statement in migration:
            conn.execute(statement)
    params = (PID, 1, 1, 2, 0, 1, *range(30, 30 + mtypes), -1)
    plan = " ".join(str(row[-1]) for row in conn.execute(
        "EXPLAIN QUERY PLAN " + unread_sql(by_time, mtypes), params))
    index = "messages_conv_mtime" if by_time else "messages_conv_id"
    assert f"SEARCH messages USING INDEX {index}" in plan, plan
    assert "SCAN messages" not in plan, plan
