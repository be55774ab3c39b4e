"""The end-user client against the real client gate: typed pushes and the monitor, duplicate
pushes dropped, the ping cycle (the gate's pings answered, the watchdog), re-login after a
drop (and none after a kickout or a refused token), encryption on TCP, the blocking client,
bad arguments. The tests marked ``BOTH`` run over TCP and over WebSocket (``rtm_transport``);
the others are about one transport (encryption: TCP only) or mix them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
import pytest_asyncio

from helpers import async_wait_until, wait_until
from rtm.api.errors import RTMClientClosedError, UnauthorizedError
from rtm.client import AsyncRTMServerClient
from rtm.enduser import (
    AsyncEndUserClient,
    BroadcastMessage,
    ChatText,
    EndUserClient,
    EndUserMonitor,
    GroupMessage,
    Kickout,
    KickoutRoom,
    P2PMessage,
    Push,
    RoomMessage,
)
from rtm.fpnn.crypto import ServerPrivateKey, generate_private_key
from rtm.fpnn.server import PingSweep
from rtm.server import ServerThread
from rtm.testing import RTMProject, new_project, start_test_server

UserFactory = Callable[..., Awaitable[AsyncEndUserClient]]

#: Once per transport of the end users: tcp and ws.
BOTH = pytest.mark.rtm_transports()


@pytest.fixture(scope="module")
def server_key() -> ServerPrivateKey:
    return generate_private_key("secp256r1")  # the curve every JVM has (spec §1.1)


@pytest.fixture(scope="module")
def server(server_key: ServerPrivateKey) -> Iterator[ServerThread]:
    # A long kickout grace: a kicked-out client must close its connection itself, as the
    # official SDKs do (test_no_relogin_after_a_kickout waits for that close).
    thread = start_test_server(ecc_key=server_key, client_kickout_grace=600)
    try:
        yield thread
    finally:
        thread.stop()


@pytest.fixture
def project(server: ServerThread) -> RTMProject:
    return new_project(server)


@pytest_asyncio.fixture
async def admin(project: RTMProject) -> AsyncIterator[AsyncRTMServerClient]:
    client = AsyncRTMServerClient(project.pid, project.secret, project.endpoint,
                                  quest_timeout=10.0)
    try:
        yield client
    finally:
        await client.close()


@pytest_asyncio.fixture
async def user(project: RTMProject, admin: AsyncRTMServerClient,
               rtm_transport: str) -> AsyncIterator[UserFactory]:
    """``await user(uid, **options)``: an AsyncEndUserClient logged in with a fresh token
    (over ``rtm_transport`` unless ``transport=`` says otherwise)."""
    async with logged_in_users(project, admin, transport=rtm_transport) as make:
        yield make


@contextlib.asynccontextmanager
async def logged_in_users(project: RTMProject, admin: AsyncRTMServerClient,
                          **defaults: Any) -> AsyncIterator[UserFactory]:
    """``await make(uid, **options)``: end users of ``project`` logged in with fresh tokens,
    closed on exit (``defaults``: options every user gets unless it says otherwise)."""
    made: list[AsyncEndUserClient] = []

    async def make(uid: int, **options: Any) -> AsyncEndUserClient:
        client = AsyncEndUserClient(project.client_endpoint, project.pid, uid,
                                    await admin.get_token(uid), **{**defaults, **options})
        made.append(client)
        assert await client.login() is True
        return client

    try:
        yield make
    finally:
        for client in made:
            await client.close()


def drop_client_connections(server: ServerThread) -> int:
    """Close every client-gate connection from the server's side (the clients see a FIN)."""
    async def drop() -> int:
        gate = server.server._gate(server.server._client_gate)
        conns = list(gate.connections.values())
        for conn in conns:
            conn.close()
        return len(conns)

    return server.run(drop())


def gate_push(server: ServerThread, uid: int, method: str, params: dict[str, Any]) -> None:
    """Push ``method`` from the client gate's side of ``uid``'s connections, as the gate does
    (a retried push is the same quest again)."""
    async def push() -> None:
        gate = server.server._gate(server.server._client_gate)
        for conn in list(gate.connections.values()):
            if conn.state.get("uid") == uid:
                assert await conn.quest(method, params, timeout=5) == {}

    server.run(push())


class Recorder(EndUserMonitor):
    """Records what the monitor is called with, from its worker thread."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.threads: set[str] = set()

    def _note(self, name: str, value: Any) -> None:
        self.threads.add(threading.current_thread().name)
        self.calls.append((name, value))

    def p2p_message(self, push: P2PMessage) -> None:
        self._note("p2p", push)

    def group_message(self, push: GroupMessage) -> None:
        self._note("group", push)

    def room_message(self, push: RoomMessage) -> None:
        self._note("room", push)

    def kickout(self, push: Kickout) -> None:
        self._note("kickout", push)

    def kickout_room(self, push: KickoutRoom) -> None:
        self._note("kickout_room", push)

    def connected(self, connection_id: int) -> None:
        self._note("connected", connection_id)

    def closed(self, connection_id: int, will_relogin: bool) -> None:
        self._note("closed", will_relogin)

    def reloginned(self, successful: bool, attempts: int, error_code: int) -> None:
        self._note("reloginned", (successful, error_code))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


@BOTH
async def test_typed_pushes_reach_queue_and_monitor_once(
        server: ServerThread, admin: AsyncRTMServerClient, user: UserFactory) -> None:
    monitor = Recorder()
    bob = await user(2, monitor=monitor)
    await admin.add_group_members(70, [1, 2])
    await admin.add_room_member(80, 2)
    await admin.add_room_member(80, 1)

    await admin.send_message(1, 2, 51, "hello bob", mid=77, attrs="a")
    await async_wait_until(lambda: bob.pushes.qsize() == 1, what="the first push")
    retried = dict(bob.pushes._queue[0].params)  # type: ignore[attr-defined]
    await asyncio.to_thread(gate_push, server, 2, "pushmsg", retried)  # the same push again
    await admin.send_message(1, 2, 52, b"\xff\x00", mid=78)
    await admin.send_group_message(1, 70, 51, "to the group", mid=79)
    await admin.send_room_message(1, 80, 51, "to the room", mid=80)

    p2p = await bob.next_push()
    assert isinstance(p2p, P2PMessage)
    assert (p2p.from_uid, p2p.to_uid, p2p.mid, p2p.mtype, p2p.message, p2p.attrs) == (
        1, 2, 77, 51, "hello bob", "a")
    assert p2p.mtime > 0 and p2p.method == "pushmsg" and p2p.params["msg"] == "hello bob"
    binary = await bob.next_push()  # the repeat of mid 77 was dropped
    assert isinstance(binary, P2PMessage) and (binary.mid, binary.message) == (78, b"\xff\x00")
    group = await bob.next_push()
    assert isinstance(group, GroupMessage) and (group.gid, group.text) == (70, "to the group")
    room = await bob.next_push()
    assert isinstance(room, RoomMessage) and (room.rid, room.mid) == (80, 80)
    assert bob.duplicates == 1

    await async_wait_until(lambda: len(monitor.calls) >= 5, what="the monitor's calls")
    assert monitor.names() == ["connected", "p2p", "p2p", "group", "room"]
    assert [push.mid for name, push in monitor.calls[1:]] == [77, 78, 79, 80]
    assert monitor.threads == {"rtm-enduser_0"}  # off the event loop's thread

    await admin.del_room_member(80, 2)  # kickoutroom (spec §5)
    gone = await bob.next_push()
    assert isinstance(gone, KickoutRoom) and gone.rid == 80


@BOTH
async def test_async_monitor_and_callbacks(admin: AsyncRTMServerClient,
                                           user: UserFactory) -> None:
    got: asyncio.Queue[P2PMessage] = asyncio.Queue()

    class Monitor(EndUserMonitor):
        async def p2p_message(self, push: P2PMessage) -> None:
            await got.put(push)

    await user(2, monitor=Monitor())
    alice = await user(1)
    loop = asyncio.get_running_loop()
    answered: asyncio.Future[tuple[Any, ...]] = loop.create_future()
    zero = await alice.send_message(2, 51, "by callback", mid=5,
                                    callback=lambda *a: loop.call_soon_threadsafe(
                                        answered.set_result, a))
    assert zero == 0
    mtime, code, info = await asyncio.wait_for(answered, 5)
    assert mtime > 0 and (code, info) == (0, "")
    push = await asyncio.wait_for(got.get(), 5)
    assert (push.from_uid, push.mid, push.message) == (1, 5, "by callback")


@BOTH
async def test_relogin_after_the_server_drops_the_connection(
        server: ServerThread, admin: AsyncRTMServerClient, user: UserFactory) -> None:
    monitor = Recorder()
    bob = await user(2, monitor=monitor)
    first = bob._authed
    assert drop_client_connections(server) == 1
    await async_wait_until(lambda: bob.logged_in and bob._authed != first, timeout=10,
                           what="the re-login")
    assert bob.logins == 2
    assert await admin.get_online_users([2]) == [2]
    await admin.send_message(1, 2, 51, "after the drop", mid=9)
    assert (await bob.next_push()).params["msg"] == "after the drop"
    await async_wait_until(lambda: ("reloginned", (True, 0)) in monitor.calls,
                           what="the reloginned event")
    assert monitor.names()[:3] == ["connected", "closed", "connected"]
    assert monitor.calls[1] == ("closed", True)


@BOTH
async def test_logout_says_bye_and_stays_out(admin: AsyncRTMServerClient, user: UserFactory,
                                             caplog: pytest.LogCaptureFixture) -> None:
    monitor = Recorder()
    bob = await user(2, monitor=monitor)
    assert await admin.get_online_users([2]) == [2]
    with caplog.at_level(logging.INFO, logger="rtm.enduser"):
        await bob.logout()
    # the gate answered bye before closing (the answer and the close may come in one read)
    assert not [r for r in caplog.records if r.getMessage().startswith("bye:")]
    assert await admin.get_online_users([2]) == []
    assert not bob.logged_in and bob.logins == 1 and "reloginned" not in monitor.names()
    with pytest.raises(RTMClientClosedError):
        await bob.get_user_rooms()


@BOTH
async def test_no_relogin_after_a_kickout(admin: AsyncRTMServerClient,
                                          user: UserFactory) -> None:
    monitor = Recorder()
    bob = await user(2, monitor=monitor)
    await admin.kickout(2)
    assert isinstance(await bob.next_push(), Kickout)
    await async_wait_until(lambda: ("closed", False) in monitor.calls,
                           what="the close, without a re-login")
    assert bob.kicked_out and not bob.logged_in and bob.logins == 1
    assert await admin.get_online_users([2]) == []
    with pytest.raises(UnauthorizedError, match="kicked out"):
        await bob.get_user_rooms()
    assert await bob.login(await admin.get_token(2)) is True  # an explicit login works
    assert not bob.kicked_out and await admin.get_online_users([2]) == [2]


@BOTH
async def test_no_relogin_after_a_refused_token(
        server: ServerThread, admin: AsyncRTMServerClient, user: UserFactory) -> None:
    monitor = Recorder()
    bob = await user(2, monitor=monitor)
    await admin.remove_token(2)
    drop_client_connections(server)
    await async_wait_until(lambda: ("reloginned", (False, 200027)) in monitor.calls,
                           timeout=10, what="the refused re-login")
    assert not bob.logged_in and bob.logins == 1
    assert await admin.get_online_users([2]) == []


# ---------------------------------------------------------------------- the ping cycle

#: The SDKs' keep-alive scaled down 1/100: the gate pings every 0.2 s (20 s). The client's
#: watchdog (the SDKs' 60 s rule) and the gate's patience with a client that does not answer
#: get 1 s, not 0.6 s, so a loaded runner does not trip them by mistake.
PING_INTERVAL = 0.2
PING_RULE = 1.0


@pytest.fixture(scope="module")
def pinging_server() -> Iterator[ServerThread]:
    thread = start_test_server(client_ping_interval=PING_INTERVAL,
                               client_ping_timeout=PING_RULE)
    try:
        yield thread
    finally:
        thread.stop()


@pytest.fixture(scope="module")
def silent_server() -> Iterator[ServerThread]:
    thread = start_test_server(client_ping_interval=None)  # the gate never pings
    try:
        yield thread
    finally:
        thread.stop()


@contextlib.asynccontextmanager
async def users_on(server: ServerThread) -> AsyncIterator[UserFactory]:
    """End users of a fresh project on ``server``: ``await make(uid, **options)``."""
    project = new_project(server)
    admin = AsyncRTMServerClient(project.pid, project.secret, project.endpoint)
    try:
        async with logged_in_users(project, admin) as make:
            yield make
    finally:
        await admin.close()
        server.remove_project(project.pid)


def gate_pinger(server: ServerThread) -> PingSweep:
    pinger = server.server.client_gate.pinger
    assert pinger is not None
    return pinger


async def test_users_who_answer_the_gates_pings_stay_logged_in(
        pinging_server: ServerThread) -> None:
    async with users_on(pinging_server) as make:
        monitors = {"tcp": Recorder(), "ws": Recorder()}
        users = [await make(n, transport=transport, ping_timeout=PING_RULE, monitor=monitor)
                 for n, (transport, monitor) in enumerate(monitors.items(), 1)]
        first = [user._authed for user in users]
        silent_before = gate_pinger(pinging_server).closed_silent
        # past the watchdog's rule twice over, by the pings themselves (no clock)
        wanted = int(2 * PING_RULE / PING_INTERVAL) + 2
        await async_wait_until(lambda: all(user.pings >= wanted for user in users),
                               timeout=30, what=f"{wanted} pings answered by each user")
        for user in users:
            assert user.logged_in and user.logins == 1, user
        assert [user._authed for user in users] == first  # the same connections
        for monitor in monitors.values():
            assert monitor.names() == ["connected"]  # no close, no re-login
        assert gate_pinger(pinging_server).closed_silent == silent_before
        # and the connections still carry calls and pushes
        tcp, web = users
        await web.send_message(1, 51, "still here", mid=1)
        assert (await tcp.next_push()).params["msg"] == "still here"


@BOTH
async def test_the_gate_closes_a_user_who_stops_answering_pings(
        pinging_server: ServerThread, rtm_transport: str) -> None:
    async with users_on(pinging_server) as make:
        monitor = Recorder()
        # the user's own watchdog off: this is the gate's side of the rule
        frozen = await make(1, transport=rtm_transport, ping_timeout=None, monitor=monitor)
        loop = asyncio.get_running_loop()
        frozen._fpnn.register("ping", lambda conn, quest: loop.create_future())  # it hangs
        silent_before = gate_pinger(pinging_server).closed_silent
        await async_wait_until(lambda: ("reloginned", (True, 0)) in monitor.calls, timeout=20,
                               what="the gate closing the silent user, and a re-login")
        assert monitor.names()[:2] == ["connected", "closed"]
        assert monitor.calls[1] == ("closed", True)
        assert gate_pinger(pinging_server).closed_silent > silent_before
        assert frozen.logins >= 2


@BOTH
async def test_without_the_gates_pings_the_watchdog_logs_in_again(
        silent_server: ServerThread, rtm_transport: str) -> None:
    async with users_on(silent_server) as make:
        monitor = Recorder()
        user = await make(2, transport=rtm_transport, ping_timeout=0.3, monitor=monitor)
        sender = await make(1, transport=rtm_transport, ping_timeout=None)
        first = user._authed
        await async_wait_until(lambda: ("reloginned", (True, 0)) in monitor.calls, timeout=20,
                               what="a re-login after the ping timeout")
        assert monitor.names()[:3] == ["connected", "closed", "connected"]
        assert monitor.calls[1] == ("closed", True)  # closed by its watchdog, to log in again
        assert user.logins >= 2 and user._authed != first and user.pings == 0
        # a new connection carries pushes (the watchdog keeps closing them: a push may meet
        # a closing one, so sent again until one lands)
        for mid in range(1, 21):
            await sender.send_message(2, 51, "after the re-login", mid=mid)
            with contextlib.suppress(TimeoutError):
                push = await user.next_push(timeout=2)
                break
        else:
            raise AssertionError("no push reached the user between its re-logins")
        assert push.params["msg"] == "after the re-login"


# FPNN encryption is for TCP only (spec §1.2): no WebSocket run
async def test_encrypted_login(project: RTMProject, admin: AsyncRTMServerClient,
                               server_key: ServerPrivateKey, server: ServerThread) -> None:
    alice = AsyncEndUserClient(project.client_endpoint, project.pid, 1,
                               await admin.get_token(1))
    alice.enable_encryption(pem_key_data=server_key.public_pem(), bits=128)
    try:
        assert await alice.login() and alice.encrypted
        await admin.send_message(2, 1, 51, "secret", mid=3)
        assert (await alice.next_push()).params["msg"] == "secret"

        async def gate_encrypted() -> list[bool]:
            gate = server.server._gate(server.server._client_gate)
            return [c.encrypted for c in gate.connections.values()]

        assert server.run(gate_encrypted()) == [True]
    finally:
        await alice.close()


@BOTH
def test_blocking_client(project: RTMProject, server: ServerThread, rtm_transport: str) -> None:
    from rtm.client import RTMServerClient

    admin = RTMServerClient(project.pid, project.secret, project.endpoint)
    monitor = Recorder()
    endpoint, transport = project.client_endpoint, rtm_transport
    try:
        with EndUserClient(endpoint, project.pid, 1, admin.get_token(1),
                           transport=transport) as a, \
                EndUserClient(endpoint, project.pid, 2, admin.get_token(2), monitor=monitor,
                              transport=transport) as b:
            assert a.client.transport == b.client.transport == transport
            assert a.logged_in and a.get_online_users([1, 2, 3]) == [1, 2]
            assert a.send_message(2, 51, "sync", mid=1) > 0
            push = b.next_push()
            assert isinstance(push, P2PMessage) and push.message == "sync"
            done = threading.Event()
            results: list[tuple[int, str]] = []

            def entered(code: int, info: str) -> None:
                results.append((code, info))
                done.set()

            assert b.enter_room(5, callback=entered) is None
            assert done.wait(5) and results == [(0, "")]
            assert b.get_user_rooms() == [5]
            wait_until(lambda: "p2p" in monitor.names(), what="the blocking monitor")
        assert admin.get_online_users([1, 2]) == []
    finally:
        admin.close()


@BOTH
async def test_bad_arguments_name_the_argument(project: RTMProject, rtm_transport: str) -> None:
    endpoint = project.client_endpoint
    with pytest.raises(TypeError, match="'pid'"):
        AsyncEndUserClient(endpoint, "1", 2, "t")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'uid'"):
        AsyncEndUserClient(endpoint, 1, 0, "t")
    with pytest.raises(ValueError, match="'transport'"):
        AsyncEndUserClient(endpoint, 1, 2, "t", transport="udp")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'ping_timeout'"):
        AsyncEndUserClient(endpoint, 1, 2, "t", ping_timeout=0)
    with pytest.raises(TypeError, match="'attrs'"):
        AsyncEndUserClient(endpoint, 1, 2, "t", attrs=["x"])  # type: ignore[arg-type]
    tls = ssl.create_default_context()
    for not_tls in ({"transport": "tcp"}, {"endpoint": f"ws://{endpoint}/service/websocket"}):
        with pytest.raises(ValueError, match="'ssl_context' is for wss://"):
            AsyncEndUserClient(not_tls.get("endpoint", endpoint), 1, 2, "t", ssl_context=tls,
                               transport=not_tls.get("transport"))  # type: ignore[arg-type]
    user = AsyncEndUserClient(endpoint, project.pid, 2, "t",
                              transport=rtm_transport)  # type: ignore[arg-type]
    try:
        with pytest.raises(ValueError, match="'to_uid'"):
            await user.send_message(0, 51, "x")
        with pytest.raises(TypeError, match="'message'"):
            await user.send_message(1, 51, 42)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="'uids'"):
            await user.get_online_users("12")  # type: ignore[arg-type]
        assert not user.connected  # nothing was sent
        assert await user.login() is False  # a wrong token: False, not an exception
    finally:
        await user.close()


@BOTH
async def test_chat_map_broadcast_and_unreadable_pushes(server: ServerThread,
                                                        user: UserFactory) -> None:
    bob = await user(2)
    chat = {"source": "en", "target": "fr", "sourceText": "hello", "targetText": "bonjour"}
    base = {"from": 1, "mtype": 30, "attrs": "", "mtime": 1}
    await asyncio.to_thread(gate_push, server, 2, "pushmsg",
                            {**base, "to": 2, "mid": 1, "msg": chat})
    await asyncio.to_thread(gate_push, server, 2, "pushbroadcastmsg",
                            {**base, "mid": 2, "mtype": 51, "msg": b"caf\xc3\xa9"})
    await asyncio.to_thread(gate_push, server, 2, "pushgroupmsg", {**base, "mid": 3})
    first = await bob.next_push()
    assert isinstance(first, P2PMessage) and isinstance(first.message, ChatText)
    assert (first.message.source, first.message.target_text, first.text) == (
        "en", "bonjour", "bonjour")
    broadcast = await bob.next_push()
    assert isinstance(broadcast, BroadcastMessage) and broadcast.message == "café"
    unreadable = await bob.next_push()  # no gid: kept as a plain Push, not lost
    assert type(unreadable) is Push and unreadable.params["mid"] == 3


async def test_websocket_user_chats_with_a_tcp_user(admin: AsyncRTMServerClient,
                                                    user: UserFactory) -> None:
    web = await user(1, transport="ws")
    tcp = await user(2, transport="tcp")
    assert web.transport == "ws" and tcp.transport == "tcp"
    with pytest.raises(ValueError, match="transport='tcp' only"):
        web.enable_encryption(pem_key_data=b"unused")
    assert await web.send_message(2, 51, "from the browser", mid=1) > 0
    push = await tcp.next_push()
    assert isinstance(push, P2PMessage) and (push.from_uid, push.message) == (
        1, "from the browser")
    assert await tcp.send_message(1, 51, "from the app", mid=2) > 0
    back = await web.next_push()
    assert isinstance(back, P2PMessage) and back.message == "from the app"
    assert await admin.get_online_users([1, 2]) == [1, 2]
