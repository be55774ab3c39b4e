"""Client gate (spec §6): login, presence, sends, pushes, kickout, black list."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from helpers import async_wait_for, async_wait_until
from rtm.fpnn.client import FPNNClient
from rtm.fpnn.errors import FPNNError
from rtm.fpnn.server import FPNNServer
from rtm.server import RTMServer
from rtm.server.clientgate import ClientGate
from rtm.server.clientgate.rooms import RoomsArea
from rtm.server.store import Store

from .conftest import API, PID, Clock, ServerFactory, User, UserFactory

F = "from"
MSG = {"mtype": 51, "msg": "hello", "attrs": "at"}


async def test_auth_rules(server: RTMServer, api: API, clock: Clock) -> None:
    u = User(server.client_endpoint, 5)
    try:
        assert await u.error("sendmsg", MSG, to=2, mid=1) == 200022
        assert await u.error("getuserrooms") == 200022
        assert await u("ping") == {}
        assert await u("which", what="rtmGated") == {"endpoint": server.client_endpoint,
                                                     "server": server.client_endpoint}
        assert await u("auth", pid=PID, uid=5, token="WRONG") == {"ok": False}
        token = (await api("gettoken", uid=5))["token"]
        assert await u("auth", pid=PID, uid=6, token=token) == {"ok": False}  # other uid
        assert await u("auth", pid=4242, uid=5, token=token) == {"ok": False}  # other pid
        assert await u.error("auth", pid=PID, uid=0, token=token) == 200001
        assert await u.error("auth", pid=PID, uid=5) == 10009
        assert await u("auth", pid=PID, uid=5, token=token, version="x", unread=False) == {
            "ok": True}
        assert await u.error("auth", pid=PID, uid=5, token=token) == 200023
        assert await u("getuserrooms") == {"rooms": []}
        # tokens stay valid for several logins (multi-device) until they expire
        v = User(server.client_endpoint, 5)
        assert await v("auth", pid=PID, uid=5, token=token) == {"ok": True}
        await v.close()
        clock.advance(86401)
        w = User(server.client_endpoint, 5)
        assert await w("auth", pid=PID, uid=5, token=token) == {"ok": False}
        await w.close()
    finally:
        await u.close()


async def test_kickout_logs_out_at_once_and_leaves_the_close_to_the_client(
        make_server: ServerFactory) -> None:
    # The web SDK parses received frames on a timer and drops the unparsed ones when the
    # socket closes: the gate must not close right behind the kickout push.
    server = await make_server(client_kickout_grace=60.0)
    api = API(server.endpoint)
    listener = API(server.endpoint)
    kicked = await User(server.client_endpoint, 5).login(api)
    try:
        assert await listener("addlisten", events=["logout"]) == {}
        await kicked("ping")  # a ping answered first, as with the web SDK
        assert await api("kickout", uid=5) == {}
        assert await kicked.pushes.next() == ("kickout", {})
        method, event = await listener.pushes.next()
        assert (method, event["event"], event["uid"]) == ("pushevent", "logout", 5)
        # logged out at once, the socket still open
        assert await api("getonlineusers", uids=[5]) == {"uids": []}
        assert kicked.conn is not None and not kicked.conn.closed
        token = (await api("gettoken", uid=5))["token"]
        with pytest.raises(FPNNError, match="kicked out") as caught:
            await kicked("getuserrooms")
        assert caught.value.code == 200022
        with pytest.raises(FPNNError, match="kicked out") as caught:
            await kicked("auth", pid=PID, uid=5, token=token)
        assert caught.value.code == 200022
        assert await api("sendmsg", MSG, **{F: 2}, to=5, mid=7)  # stored, pushed to no one
        await kicked.close()  # the client closes, as the SDKs do on kickout
        await kicked.pushes.nothing(server)
        await listener.pushes.nothing(server)  # no second logout
    finally:
        await kicked.close()
        await listener.close()
        await api.close()


async def test_kicked_connection_closed_after_the_grace(make_server: ServerFactory) -> None:
    for grace in (0.3, 0.0):
        server = await make_server(client_kickout_grace=grace)
        api = API(server.endpoint)
        kicked = await User(server.client_endpoint, 5).login(api)
        try:
            await api("kickout", uid=5)
            assert await kicked.pushes.next() == ("kickout", {})
            await kicked.closed(timeout=10.0)  # the client kept it open: the gate closes it
        finally:
            await kicked.close()
            await api.close()
    with pytest.raises(ValueError, match="client_kickout_grace"):
        await make_server(client_kickout_grace=-1)


async def test_black_list_and_admin_login(make_server: ServerFactory) -> None:
    server = await make_server(broadcast_admins=[111])
    api = API(server.endpoint)
    try:
        online = await User(server.client_endpoint, 5).login(api)
        await api("addprojectblack", uid=5, btime=60)
        method, _ = await online.pushes.next()
        assert method == "kickout"
        await online.closed()
        assert await api("getonlineusers", uids=[5]) == {"uids": []}
        token = (await api("gettoken", uid=5))["token"]
        again = User(server.client_endpoint, 5)
        assert await again.error("auth", pid=PID, uid=5, token=token) == 200024
        await api("removeprojectblack", uid=5)
        assert await again("auth", pid=PID, uid=5, token=token) == {"ok": True}
        admin_token = (await api("gettoken", uid=111))["token"]
        admin = User(server.client_endpoint, 111)
        assert await admin.error("auth", pid=PID, uid=111, token=admin_token) == 200025
        await admin.close()
        await again.close()
        await online.close()
    finally:
        await api.close()


async def test_presence_and_kickout(server: RTMServer, api: API, user: UserFactory) -> None:
    a1 = await user(5)
    a2 = await user(5)
    await user(6)
    listener = API(server.endpoint)
    await listener("addlisten", events=["logout"])
    try:
        assert await api("getonlineusers", uids=[7, 6, 5, 6]) == {"uids": [6, 5]}
        assert await a1("getonlineusers", uids=[5, 6, 7]) == {"uids": [5, 6]}
        # kick only the connection whose endpoint is ce
        assert await api("kickout", uid=5, ce=a1.peer) == {}
        assert (await a1.pushes.next())[0] == "kickout"
        await a1.closed()
        _, event = await listener.pushes.next()
        assert (event["event"], event["uid"], event["endpoint"]) == ("logout", 5, a1.peer)
        assert a2.conn is not None and not a2.conn.closed
        assert await api("getonlineusers", uids=[5]) == {"uids": [5]}
        assert await api("kickout", uid=5, ce="127.0.0.1:1") == {}  # no such connection
        assert await a2("ping") == {}
        # no ce: every connection of the uid
        assert await api("kickout", uid=5) == {}
        assert (await a2.pushes.next())[0] == "kickout"
        await a2.closed()
        assert await api("getonlineusers", uids=[5, 6]) == {"uids": [6]}
    finally:
        await listener.close()


async def test_client_sends_and_pushes(server: RTMServer, api: API, user: UserFactory) -> None:
    a = await user(1)
    a_other = await user(1)
    b = await user(2)
    listener = API(server.endpoint)
    await listener("addlisten", p2p=True)
    try:
        answer = await a("sendmsg", MSG, to=2, mid=10)
        method, push = await b.pushes.next()
        assert method == "pushmsg"
        assert push == {F: 1, "to": 2, "mid": 10, "mtype": 51, "ftype": 0, "msg": "hello",
                        "attrs": "at", "mtime": answer["mtime"]}
        _, server_push = await listener.pushes.next()
        assert server_push[F] == 1 and server_push["to"] == 2
        await a_other.pushes.nothing(server)  # the sender's own connections get nothing
        await a.pushes.nothing(server)
        assert await a.error("sendmsg", MSG, to=1, mid=11) == 200052
        assert await a.error("sendmsgs", MSG, tos=[2, 1], mid=11) == 200052
        assert await a.error("sendmsg", MSG, to=2, mid=11, mtype=0) == 200005
        assert await a.error("sendmsg", MSG, mid=11) == 10009
        await a("sendmsgs", MSG, tos=[2, 3], mid=12)
        assert (await b.pushes.next())[1]["mid"] == 12
        page = await api("getp2pmsg", uid=3, ouid=1, desc=True, num=5, begin=0, end=0,
                         lastid=0)
        assert page["msgs"][0][1] == 2 and page["msgs"][0][3] == 12
        # server API message to an online user
        await api("sendmsg", MSG, to=1, mid=13, **{F: 2})
        got = {(await a.pushes.next())[1]["mid"], (await a_other.pushes.next())[1]["mid"]}
        assert got == {13}
        # broadcast to everyone online except the sender
        await api("broadcastmsg", MSG, mid=14, **{F: 2})
        for u in (a, a_other):
            method, push = await u.pushes.next()
            assert method == "pushbroadcastmsg" and push["mid"] == 14 and "mtime" in push
        await b.pushes.nothing(server)
    finally:
        await listener.close()


async def test_group_and_room_from_clients(server: RTMServer, api: API,
                                           user: UserFactory) -> None:
    a, b, c = await user(1), await user(2), await user(3)
    assert await a.error("sendgroupmsg", MSG, gid=7, mid=1) == 200041
    await api("addgroupmembers", gid=7, uids=[1, 2])
    answer = await a("sendgroupmsg", MSG, gid=7, mid=1)
    method, push = await b.pushes.next()
    assert method == "pushgroupmsg"
    assert push == {F: 1, "gid": 7, "mid": 1, "mtype": 51, "ftype": 0, "msg": "hello",
                    "attrs": "at", "mtime": answer["mtime"]}
    await c.pushes.nothing(server)
    await api("addgroupban", gid=7, uid=1, btime=30)
    assert await a.error("sendgroupmsg", MSG, gid=7, mid=2) == 200044

    assert await a.error("sendroommsg", MSG, rid=8, mid=3) == 200040
    assert await a("enterroom", rid=8) == {}
    assert await c("enterroom", rid=8) == {}
    assert await a("getuserrooms") == {"rooms": [8]}
    await a("sendroommsg", MSG, rid=8, mid=3)
    method, push = await c.pushes.next()
    assert method == "pushroommsg" and push["rid"] == 8 and push["mid"] == 3
    await b.pushes.nothing(server)
    await api("addroomban", rid=8, uid=1, btime=30)
    assert await a.error("sendroommsg", MSG, rid=8, mid=4) == 200045
    assert await c("leaveroom", rid=8) == {}
    assert await c("getuserrooms") == {"rooms": []}
    for rid in range(100, 109):
        await c("enterroom", rid=rid)
    await c("enterroom", rid=200)
    assert await c.error("enterroom", rid=201) == 200047
    # server-side removal from a room tells the online user
    await api("delroommember", rid=200, uid=3)
    method, push = await c.pushes.next()
    assert (method, push) == ("kickoutroom", {"rid": 200})


async def test_rooms_on_logout(make_server: ServerFactory) -> None:
    for keep in (True, False):
        server = await make_server(keep_rooms_on_logout=keep)
        api = API(server.endpoint)
        u = await User(server.client_endpoint, 1).login(api)
        await u("enterroom", rid=8)
        await u("bye")
        await u.closed()
        hub, store = server.core.hub, server.store
        await async_wait_until(lambda: not hub.is_online(PID, 1),  # noqa: B023
                               what="the server to see the logout")
        assert await api("getonlineusers", uids=[1]) == {"uids": []}
        if not keep:  # the rooms are left by a task the logout starts
            await async_wait_for(lambda: _has_no_rooms(store, 1),  # noqa: B023
                                 timeout=10, what="uid 1 to leave its rooms")
        assert await server.store.user_rooms(PID, 1) == ([8] if keep else [])
        await api.close()


async def _has_no_rooms(store: Store, uid: int) -> bool:
    return await store.user_rooms(PID, uid) == []


async def test_ban_blocks_receive(make_server: ServerFactory) -> None:
    server = await make_server(ban_blocks_receive=True)
    api = API(server.endpoint)
    a = await User(server.client_endpoint, 2).login(api)
    b = await User(server.client_endpoint, 3).login(api)
    try:
        await api("addgroupmembers", gid=7, uids=[1, 2, 3])
        await api("addgroupban", gid=7, uid=2, btime=60)
        await api("sendgroupmsg", MSG, gid=7, mid=1, **{F: 1})
        assert (await b.pushes.next())[1]["mid"] == 1
        # pushes to one connection keep their order: the P2P message sent after the group
        # message arriving first proves the group message was not pushed to the banned user
        await api("sendmsg", MSG, to=2, mid=2, **{F: 1})
        method, push = await a.pushes.next(timeout=10)
        assert (method, push["mid"]) == ("pushmsg", 2)
    finally:
        await a.close()
        await b.close()
        await api.close()


async def test_client_idle_timeout(make_server: ServerFactory) -> None:
    server = await make_server(client_idle_timeout=0.3)
    api = API(server.endpoint)
    listener = API(server.endpoint)
    await listener("addlisten", events=["logout"])
    u = await User(server.client_endpoint, 1).login(api)
    try:
        await u.closed(timeout=3)
        _, event = await listener.pushes.next()
        assert (event["event"], event["uid"]) == ("logout", 1)
    finally:
        await u.close()
        await listener.close()
        await api.close()


async def test_gate_answers_are_checked_against_their_descriptions(
        server: RTMServer, api: API, monkeypatch: pytest.MonkeyPatch) -> None:
    # A handler that answers what its description does not say is caught (200999), so the
    # two cannot drift; the suite runs with the check on (tests/conftest.py).
    async def wrong(self: RoomsArea, user: Any, a: Any) -> dict[str, Any]:
        return {"rooms": "not a list"}

    assert ClientGate.check_answers
    monkeypatch.setattr(RoomsArea, "getuserrooms", wrong)
    fpnn = FPNNServer(port=0)
    ClientGate(server.core).register(fpnn)
    await fpnn.start()
    u = User(fpnn.endpoint, 5)
    try:
        token = (await api("gettoken", uid=5))["token"]
        assert await u("auth", pid=PID, uid=5, token=token) == {"ok": True}
        assert await u.error("getuserrooms") == 200999
    finally:
        await u.close()
        await fpnn.close()


async def test_login_racing_a_black_listing_is_refused(server: RTMServer, api: API,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """addprojectblack + kick runs while auth awaits its black-list read: the kick finds no
    login to close, so auth itself must not leave the user logged in."""
    real = server.store.is_project_black
    first_read, go_on = asyncio.Event(), asyncio.Event()

    async def read_then_wait(pid: int, uid: int) -> bool:
        black = await real(pid, uid)
        if not first_read.is_set():
            first_read.set()
            await go_on.wait()
        return black

    monkeypatch.setattr(server.store, "is_project_black", read_then_wait)
    token = (await api("gettoken", uid=5))["token"]
    client = FPNNClient(server.client_endpoint)
    try:
        auth = asyncio.ensure_future(client.quest("auth", {"pid": PID, "uid": 5,
                                                           "token": token}))
        await asyncio.wait_for(first_read.wait(), 10)
        await api("addprojectblack", uid=5, btime=60)  # its kick finds nobody yet
        go_on.set()
        with pytest.raises(FPNNError) as refused:
            await asyncio.wait_for(auth, 10)
        assert refused.value.code == 200024
        await async_wait_until(lambda: not server.core.hub.is_online(PID, 5), timeout=10,
                               what="the black-listed user to be logged out")
        assert await api("getonlineusers", uids=[5]) == {"uids": []}
    finally:
        await client.close()


async def test_admin_login_allowed_when_not_denied(make_server: ServerFactory) -> None:
    server = await make_server(broadcast_admins=[111], deny_admin_login=False)
    api = API(server.endpoint)
    admin = User(server.client_endpoint, 111)
    try:
        await admin.login(api)  # asserts {"ok": True}
        assert await api("getonlineusers", uids=[111]) == {"uids": [111]}
        assert await api("broadcastmsg", MSG, mid=3, **{F: 111})  # still the admin
    finally:
        await admin.close()
        await api.close()


async def test_remove_project_refuses_closes_and_erases(server: RTMServer, api: API) -> None:
    u = await User(server.client_endpoint, 1).login(api)
    await api("sendmsg", MSG, to=2, mid=1, **{F: 1})
    try:
        await server.remove_project(PID)
        await u.closed(timeout=10)
        assert await api.error("getfriends", uid=1) == 200002
        assert await server.store.drop_project(PID) == 0  # nothing was left behind
    finally:
        await u.close()
