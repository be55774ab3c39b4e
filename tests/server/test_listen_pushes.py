"""Listen control (spec §2.9) and server pushes (spec §4)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from helpers import async_wait_until
from rtm.fpnn.codec import Quest
from rtm.fpnn.connection import FPNNConnection
from rtm.server import RTMServer

from .conftest import API, PID, SECRET, ServerFactory, UserFactory, settled

F = "from"
MSG = {"mtype": 51, "msg": "hello", "attrs": "at"}


async def _listener(server: RTMServer, **listen: Any) -> API:
    client = API(server.endpoint)
    assert await client("addlisten", **listen) == {}
    return client


async def test_p2p_group_room_pushes_0_1_0(server: RTMServer, api: API) -> None:
    listener = await _listener(server, p2p=True, gids=[7], rids=[8])
    try:
        await api("addgroupmembers", gid=7, uids=[1])
        await api("addgroupmembers", gid=9, uids=[1])
        await api("addroommember", rid=8, uid=1)
        m1 = await api("sendmsg", MSG, mid=1, to=2, **{F: 1})
        method, payload = await listener.pushes.next()
        assert method == "pushmsg"
        assert payload == {F: 1, "to": 2, "mtype": 51, "mid": 1, "msg": "hello", "attrs": "at",
                           "mtime": m1["mtime"]}
        m2 = await api("sendgroupmsg", MSG, mid=2, gid=7, **{F: 1})
        method, payload = await listener.pushes.next()
        assert method == "pushgroupmsg"
        # ``to`` = gid: the emulator's addition for CPP (spec current §7.1)
        assert payload == {F: 1, "gid": 7, "to": 7, "mtype": 51, "mid": 2, "msg": "hello",
                           "attrs": "at", "mtime": m2["mtime"]}
        await api("sendgroupmsg", MSG, mid=3, gid=9, **{F: 1})  # not listened
        m4 = await api("sendroommsg", MSG, mid=4, rid=8, **{F: 1})
        method, payload = await listener.pushes.next()
        assert method == "pushroommsg" and payload["rid"] == 8 and payload["mid"] == 4
        assert payload["mtime"] == m4["mtime"]
        await api("broadcastmsg", MSG, mid=5, **{F: 1})  # never pushed to servers
        await listener.pushes.nothing(server)
        # duplicates are not pushed again
        await api("sendmsg", MSG, mid=1, to=2, **{F: 1})
        await listener.pushes.nothing(server)
        # sendmsgs: one push per recipient
        await api("sendmsgs", MSG, mid=6, tos=[3, 4], **{F: 1})
        got = {(await listener.pushes.next())[1]["to"] for _ in range(2)}
        assert got == {3, 4}
    finally:
        await listener.close()


async def test_removelisten_and_setlisten_all(server: RTMServer, api: API) -> None:
    listener = await _listener(server, p2p=True, gids=[7])
    try:
        await api("addgroupmembers", gid=7, uids=[1])
        assert await listener("removelisten", p2p=True) == {}
        await api("sendmsg", MSG, mid=1, to=2, **{F: 1})
        await listener.pushes.nothing(server)
        await api("sendgroupmsg", MSG, mid=2, gid=7, **{F: 1})
        assert (await listener.pushes.next())[0] == "pushgroupmsg"
        assert await listener("removelisten", gids=[7], p2p=False) == {}
        await api("sendgroupmsg", MSG, mid=3, gid=7, **{F: 1})
        await listener.pushes.nothing(server)
        # setlisten all=true: everything, other keys ignored
        assert await listener("setlisten", gids=None, rids=None, p2p=False, events=None,
                              all=True) == {}
        await api("addroommember", rid=77, uid=1)
        await api("sendroommsg", MSG, mid=4, rid=77, **{F: 1})
        assert (await listener.pushes.next())[0] == "pushroommsg"
        await api("sendmsg", MSG, mid=5, to=2, **{F: 1})
        assert (await listener.pushes.next())[0] == "pushmsg"
        assert await listener("setlisten", gids=[7], rids=None, p2p=True, events=None,
                              all=False) == {}
        await api("sendmsg", MSG, mid=6, to=2, **{F: 1})
        await api("sendgroupmsg", MSG, mid=7, gid=7, **{F: 1})
        await listener.pushes.nothing(server)
    finally:
        await listener.close()


async def test_setlisten_replaces_lists_0_1_0(server: RTMServer, api: API) -> None:
    listener = await _listener(server, gids=[7], p2p=True)
    try:
        await api("addgroupmembers", gid=7, uids=[1])
        await api("addgroupmembers", gid=8, uids=[1])
        # GO010 sends all four keys; nil lists clear
        await listener("setlisten", gids=[8], rids=None, p2p=False, events=None)
        await api("sendgroupmsg", MSG, mid=1, gid=7, **{F: 1})
        await api("sendmsg", MSG, mid=2, to=2, **{F: 1})
        await api("sendgroupmsg", MSG, mid=3, gid=8, **{F: 1})
        method, payload = await listener.pushes.next()
        assert (method, payload["gid"]) == ("pushgroupmsg", 8)
        await listener.pushes.nothing(server)
    finally:
        await listener.close()


async def test_later_forms_uids_and_flag_only_setlisten(server: RTMServer, api: API) -> None:
    listener = API(server.endpoint, v2=True)
    try:
        assert await listener("addlisten", uids=[100002], gids=[200001], rids=[300001],
                              events=["login", "logout"]) == {}
        await api("sendmsg", MSG, mid=1, to=100002, **{F: 100001})  # to matches
        assert (await listener.pushes.next())[1]["to"] == 100002
        await api("sendmsg", MSG, mid=2, to=5, **{F: 100002})  # from matches
        assert (await listener.pushes.next())[1][F] == 100002
        await api("sendmsg", MSG, mid=3, to=5, **{F: 6})
        await listener.pushes.nothing(server)
        assert await listener("removelisten", uids=[100002]) == {}
        await api("sendmsg", MSG, mid=4, to=100002, **{F: 100001})
        await listener.pushes.nothing(server)
        # flag-only status form: lists stay, flags set
        assert await listener("setlisten", group=False, room=True, p2p=True, ev=False) == {}
        await api("addgroupmembers", gid=200001, uids=[1])
        await api("sendgroupmsg", MSG, mid=5, gid=200001, **{F: 1})  # gid list kept
        assert (await listener.pushes.next())[0] == "pushgroupmsg"
        await api("sendmsg", MSG, mid=6, to=3, **{F: 4})  # all p2p now
        assert (await listener.pushes.next())[0] == "pushmsg"
        await api("addgroupmembers", gid=5, uids=[1])
        await api("sendgroupmsg", MSG, mid=7, gid=5, **{F: 1})  # group flag off
        await listener.pushes.nothing(server)
        await api("addroommember", rid=9, uid=1)
        await api("sendroommsg", MSG, mid=8, rid=9, **{F: 1})  # room flag on
        assert (await listener.pushes.next())[0] == "pushroommsg"
        # PYHEAD setlisten with an empty uids list replaces only the lists that are present
        await listener("setlisten", gids=[5], rids=[], events=["login"], uids=[])
        await api("sendgroupmsg", MSG, mid=9, gid=5, **{F: 1})
        assert (await listener.pushes.next())[1]["gid"] == 5
    finally:
        await listener.close()


async def test_listen_state_is_per_connection(server: RTMServer, api: API) -> None:
    listener = await _listener(server, p2p=True)
    silent = API(server.endpoint)
    try:
        await silent("getfriends", uid=1)
        await api("sendmsg", MSG, mid=1, to=2, **{F: 1})
        assert (await listener.pushes.next())[0] == "pushmsg"
        await silent.pushes.nothing(server)
        # closing the connection drops its listen state; a new connection starts empty
        await listener.drop()
        await listener("getfriends", uid=1)
        await api("sendmsg", MSG, mid=2, to=2, **{F: 1})
        await listener.pushes.nothing(server)
    finally:
        await listener.close()
        await silent.close()


async def test_listen_state_is_per_project(make_server: ServerFactory) -> None:
    server = await make_server(projects={PID: SECRET, 2000: "other"})
    listener = API(server.endpoint)
    other = API(server.endpoint, 2000, "other")
    try:
        await listener("addlisten", p2p=True)
        await other("sendmsg", MSG, mid=1, to=2, **{F: 1})
        await listener.pushes.nothing(server)
        await listener("sendmsg", MSG, mid=1, to=2, **{F: 1})
        assert (await listener.pushes.next())[0] == "pushmsg"
    finally:
        await listener.close()
        await other.close()


async def test_server_api_messages_switch(make_server: ServerFactory,
                                          clock: Any) -> None:
    server = await make_server(push_server_api_messages=False)
    api = API(server.endpoint)
    listener = await _listener(server, p2p=True)
    from .conftest import User

    client = User(server.client_endpoint, 1)
    try:
        await client.login(api)
        await api("sendmsg", MSG, mid=1, to=2, **{F: 1})
        await listener.pushes.nothing(server)
        await client("sendmsg", MSG, mid=2, to=2)  # from a gate client: pushed
        method, payload = await listener.pushes.next()
        assert method == "pushmsg" and payload[F] == 1 and payload["mid"] == 2
    finally:
        await client.close()
        await listener.close()
        await api.close()


async def test_events_login_logout(server: RTMServer, api: API, user: UserFactory) -> None:
    listener = await _listener(server, events=["login", "logout"])
    try:
        before = int(time.time())
        u = await user(5)
        method, event = await listener.pushes.next()
        assert method == "pushevent"
        assert event["pid"] == PID and event["event"] == "login" and event["uid"] == 5
        assert event["endpoint"] == u.peer and event["time"] >= before - 1
        assert event.get("data", "") == ""
        await u.close()
        method, event = await listener.pushes.next()
        assert (method, event["event"], event["uid"]) == ("pushevent", "logout", 5)
        # only the listened events
        await listener("setlisten", gids=None, rids=None, p2p=False, events=["logout"])
        u2 = await user(6)
        await listener.pushes.nothing(server)
        assert await u2("bye") == {}
        await u2.closed()
        method, event = await listener.pushes.next()
        assert (event["event"], event["uid"]) == ("logout", 6)
    finally:
        await listener.close()


async def test_unresponsive_listener_does_not_stall(make_server: ServerFactory) -> None:
    server = await make_server(push_timeout=2.0)
    api = API(server.endpoint)
    stuck = API(server.endpoint)
    good = await _listener(server, p2p=True)
    hold = asyncio.Event()
    held: list[int] = []

    async def never(conn: FPNNConnection, quest: Quest) -> dict[str, Any]:
        held.append(quest.payload["mid"])
        await hold.wait()
        return {}

    stuck.client.register("pushmsg", never)
    hub = server.core.hub
    try:
        await stuck("addlisten", p2p=True)
        for mid in range(1, 6):
            await api("sendmsg", MSG, mid=mid, to=2, **{F: 1})
            # answered before any push gave up: answers never wait for pushes (an answer
            # that waited would come after its push's 2 s timeout)
            assert hub.pushes_failed == 0
        mids = [(await good.pushes.next(timeout=10))[1]["mid"] for _ in range(5)]
        assert mids == [1, 2, 3, 4, 5]
        await async_wait_until(lambda: len(held) == 5, timeout=10,
                               what="the stuck listener to receive its 5 pushes")
        await async_wait_until(lambda: hub.pushes_failed >= 5, timeout=30,
                               what="the stuck pushes to time out")
        assert hub.pushes_failed == 5  # quietly: nothing else failed
    finally:
        hold.set()
        await stuck.close()
        await good.close()
        await api.close()


async def test_push_retry_resends_once(make_server: ServerFactory) -> None:
    server = await make_server(push_timeout=0.3, push_retry=True)
    api = API(server.endpoint)
    listener = API(server.endpoint)
    calls: list[dict[str, Any]] = []
    hold = asyncio.Event()

    async def first_times_out(conn: FPNNConnection, quest: Quest) -> dict[str, Any]:
        calls.append(quest.payload)
        if len(calls) == 1:
            await hold.wait()
        return {}

    listener.client.register("pushmsg", first_times_out)
    try:
        await listener("addlisten", p2p=True)
        await api("sendmsg", MSG, mid=1, to=2, **{F: 1})
        await async_wait_until(lambda: len(calls) >= 2, timeout=10,
                               what="the timed-out push to be re-sent")
        await settled(server)  # the retry answered: no third attempt
        assert len(calls) == 2 and calls[0] == calls[1]
    finally:
        hold.set()
        await listener.close()
        await api.close()
