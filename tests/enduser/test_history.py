"""History and message management from the end-user side (client spec §3.2): the gate's
answers through ``rtm.enduser``, checked against the server API's view of the same store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from rtm import AsyncRTMServerClient
from rtm.api.errors import MessageNotFoundError
from rtm.api.models import MessageType
from rtm.enduser import AsyncEndUserClient
from rtm.fpnn.errors import FPNNError
from rtm.testing import RTMProject

from .common import raw

Login = Callable[[int], Awaitable[AsyncEndUserClient]]


async def refused(user: AsyncEndUserClient, method: str, **params: Any) -> FPNNError:
    with pytest.raises(FPNNError) as info:
        await user.quest(method, params)
    return info.value


async def test_p2p_history_is_the_pair_seen_from_each_side(
        rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    a, b = await rtm_enduser(1), await rtm_enduser(2)
    for i in range(3):
        await a.send_message(2, 51, f"a{i}")
    await b.send_message(1, 51, "b0")
    await rtm_async_client.send_message(1, 3, 51, "to somebody else")

    page = await raw(a, "getp2pmsg", ouid=2, desc=False, num=10)
    assert [row[1] for row in page["msgs"]] == [1, 1, 1, 2]  # direction: sent, received
    assert [row[5] for row in page["msgs"]] == ["a0", "a1", "a2", "b0"]
    seen_by_b = await raw(b, "getp2pmsg", ouid=1, desc=False, num=10)
    assert [row[1] for row in seen_by_b["msgs"]] == [2, 2, 2, 1]

    typed = await a.get_p2p_message(2, desc=False)
    assert [(m.from_uid, m.message) for m in typed.messages] == [
        (1, "a0"), (1, "a1"), (1, "a2"), (2, "b0")]
    server = await rtm_async_client.get_p2p_message(1, 2, desc=False)
    assert [m.id for m in server.messages] == [m.id for m in typed.messages]

    # Paging backwards two at a time covers the pair once.
    first = await a.get_p2p_message(2, desc=True, num=2)
    rest = await a.get_p2p_message(2, desc=True, num=2, begin=first.begin, end=first.end,
                                   lastid=first.lastid)
    assert [m.message for m in first.messages + rest.messages] == ["b0", "a2", "a1", "a0"]


async def test_group_room_and_broadcast_history_need_membership(
        rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    api = rtm_async_client
    await api.add_group_members(10, [1, 2])
    member, outsider = await rtm_enduser(1), await rtm_enduser(3)
    await member.send_group_message(10, 51, "text")
    await member.send_group_message(10, 52, "other type")
    await member.enter_room(20)
    await member.send_room_message(20, 51, "in the room", mid=556)
    await api.send_broadcast_message(9, 51, "to all", mid=555)

    group = await raw(member, "getgroupmsg", gid=10, desc=True, num=10, mtypes=[51])
    assert [(row[1], row[5]) for row in group["msgs"]] == [(1, "text")]
    assert (await member.get_room_message(20)).messages[0].message == "in the room"
    by_mid = await member.get_room_message_by_message_id(20, 556)
    assert [m.message for m in by_mid.messages] == ["in the room"]
    assert await member.get_room_message_count(20) == 1
    by_mid = await outsider.get_broadcast_message_by_message_id(555, desc=False)
    assert [(m.from_uid, m.mid) for m in by_mid.messages] == [(9, 555)]
    assert await outsider.get_broadcast_message_count(mtypes=[51]) == 1
    for user in (member, outsider):  # broadcast history is everybody's
        broadcast = await raw(user, "getbroadcastmsg", desc=True, num=5)
        assert [(row[1], row[5]) for row in broadcast["msgs"]] == [(9, "to all")]

    assert (await refused(outsider, "getgroupmsg", gid=10, desc=True, num=5)).code == 200041
    assert (await refused(outsider, "getroommsg", rid=20, desc=True, num=5)).code == 200040
    assert (await refused(outsider, "getgroupmsgcount", gid=10, begin=0, end=0)).code == 200041
    await member.leave_room(20)
    assert (await refused(member, "getroommsg", rid=20, desc=True, num=5)).code == 200040


async def test_history_from_a_message_and_counts(
        rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    await rtm_async_client.add_group_members(10, [1, 2])
    a, b = await rtm_enduser(1), await rtm_enduser(2)
    mids = [1001 + i for i in range(5)]
    mtimes = [await a.send_group_message(10, 51 + i % 2, f"m{i}", mid=mid)
              for i, mid in enumerate(mids)]

    back = await raw(b, "getgroupmsgbymessageid", gid=10, desc=True, num=2, mid=mids[2],
                     begin=0, end=0)
    assert [row[5] for row in back["msgs"]] == ["m2", "m1"]
    forward = await b.get_group_message_by_message_id(10, mids[2], desc=False, num=2)
    assert [m.message for m in forward.messages] == ["m2", "m3"]
    nxt = await b.get_group_message(10, desc=False, num=5, begin=forward.begin,
                                    end=forward.end, lastid=forward.lastid)
    assert [m.message for m in nxt.messages] == ["m4"]
    assert (await refused(b, "getgroupmsgbymessageid", gid=10, desc=True, num=2, mid=12345,
                          begin=0, end=0)).code == 200070

    await a.send_message(2, 51, "p")
    p2p = await b.get_p2p_message_by_message_id(1, (await b.get_p2p_message(1)).messages[0].mid)
    assert [m.message for m in p2p.messages] == ["p"]

    assert (await raw(b, "getgroupmsgcount", gid=10, begin=0, end=0))["count"] == 5
    assert await b.get_group_message_count(10, mtypes=[51]) == 3
    assert await b.get_group_message_count(10, begin=mtimes[1], end=mtimes[3]) == \
        sum(1 for t in mtimes if mtimes[1] <= t <= mtimes[3])
    assert await b.get_p2p_message_count(1) == 1
    assert await b.get_broadcast_message_count() == 0
    await a.del_message(mids[0], 1, 10, MessageType.GROUP)
    assert await b.get_group_message_count(10) == 4
    assert (await rtm_async_client.get_msg_count(MessageType.GROUP, 10)).count == 4


async def test_getmsg_reads_and_delmsg_deletes_only_the_callers_own(
        rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    a, b, c = await rtm_enduser(1), await rtm_enduser(2), await rtm_enduser(3)
    mid = 4242
    mtime = await a.send_message(2, 51, "hello", attrs="x", mid=mid)

    info = await raw(b, "getmsg", **{"from": 1, "mid": mid, "xid": 2, "type": 1})
    assert (info["msg"], info["attrs"], info["mtype"], info["mtime"]) == ("hello", "x", 51,
                                                                          mtime)
    unit = await a.get_message(mid, 1, 2, MessageType.P2P)
    assert unit is not None and (unit.from_uid, unit.mid, unit.message) == (1, mid, "hello")
    assert (await refused(c, "getmsg", **{"from": 1, "mid": mid, "xid": 2,
                                          "type": 1})).code == 200021
    assert (await refused(b, "delmsg", **{"from": 1, "mid": mid, "xid": 2,
                                          "type": 1})).code == 200021
    assert (await a.get_p2p_message(2)).messages[0].deleted is False  # nothing lost

    await a.del_message(mid, 1, 2, MessageType.P2P)
    assert await raw(b, "getmsg", **{"from": 1, "mid": mid, "xid": 2, "type": 1}) == {}
    assert await b.get_message(mid, 1, 2, MessageType.P2P) is None
    assert (await b.get_p2p_message(1)).messages[0].deleted is True
    with pytest.raises(MessageNotFoundError):  # the server API sees the same deletion
        await rtm_async_client.get_message(mid, 1, 2, MessageType.P2P)
    await raw(a, "delmsg", **{"from": 1, "mid": 999, "xid": 2, "type": 1})  # unknown: ok


async def test_getmsg_of_a_broadcast_without_its_sender(
        rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    # The Android SDK asks for a broadcast message with ``from: -1, xid: 0``.
    user = await rtm_enduser(2)
    await rtm_async_client.send_broadcast_message(900, 51, "to everyone", mid=7070)
    info = await raw(user, "getmsg", **{"from": -1, "mid": 7070, "xid": 0, "type": 4})
    assert (info["msg"], info["mtype"]) == ("to everyone", 51)
    assert await raw(user, "getmsg", **{"from": -1, "mid": 7071, "xid": 0, "type": 4}) == {}
    for bad in ({"from": -1, "xid": 2, "type": 1}, {"from": 1, "xid": 0, "type": 2}):
        assert (await refused(user, "getmsg", mid=7070, **bad)).code == 200001, bad


async def test_bad_input_is_refused_naming_the_key(rtm_enduser: Login) -> None:
    a = await rtm_enduser(1)
    cases: list[tuple[str, dict[str, Any], int, str]] = [
        ("getgroupmsg", {"desc": True, "num": 5}, 10009, "gid"),
        ("getgroupmsg", {"gid": 1, "desc": "yes", "num": 5}, 10010, "desc"),
        ("getp2pmsg", {"ouid": 2, "desc": True, "num": 70000}, 10010, "num"),
        ("getp2pmsg", {"ouid": 2, "desc": True, "num": 5, "mtypes": [300]}, 10010, "mtypes"),
        ("getp2pmsg", {"ouid": 0, "desc": True, "num": 5}, 200001, "ouid"),
        ("getroommsgbymessageid", {"rid": 1, "desc": True, "num": 5, "begin": 0, "end": 0},
         10009, "mid"),
        ("getp2pmsgcount", {"ouid": 2, "begin": 0}, 10009, "end"),
        ("getmsg", {"from": 1, "mid": 1, "xid": 2, "type": 5}, 200034, "type"),
        ("getmsg", {"from": 1, "mid": 1, "xid": 2, "type": 900}, 10010, "type"),
        ("delmsg", {"from": 1, "mid": 1, "type": 1}, 10009, "xid"),
        ("delmsg", {"from": 1, "mid": 1, "xid": 0, "type": 2}, 200001, "xid"),
    ]
    for method, params, code, key in cases:
        error = await refused(a, method, **params)
        assert (error.code, key in str(error)) == (code, True), (method, params, str(error))
    with pytest.raises(ValueError, match="num"):
        await a.get_group_message(1, num=0)
    with pytest.raises(ValueError, match="mtypes"):
        await a.get_p2p_message_count(2, mtypes=[300])
    with pytest.raises(TypeError, match="peer_uid"):
        await a.get_p2p_message("2")  # type: ignore[arg-type]


async def test_legacy_commands_stay_served(rtm_enduser: Login, rtm_project: RTMProject,
                                           rtm_async_client: AsyncRTMServerClient) -> None:
    a = await rtm_enduser(1)
    assert await raw(a, "ping") == {}
    assert (await raw(a, "which"))["endpoint"] == rtm_project.client_endpoint
    assert (await raw(a, "whichall"))["servers"] == [rtm_project.client_endpoint]
    mtime = (await raw(a, "sendmsgs", tos=[2, 3], mid=7, mtype=51, msg="both", attrs=""))
    assert mtime["mtime"] > 0
    for peer in (2, 3):
        page = await rtm_async_client.get_p2p_message(1, peer)
        assert [(m.from_uid, m.mid, m.message) for m in page.messages] == [(1, 7, "both")]
