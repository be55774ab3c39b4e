"""The SDK end to end against the local RTM server: both clients, callbacks, monitor,
errors, encryption, reconnect, threads. Fixtures come from the rtm.testing plugin."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from helpers import drop_server_connections, wait_until
from rtm import (
    AsyncRTMServerClient,
    BannedInGroupError,
    FPNNConnectionError,
    FPNNTimeoutError,
    InvalidPidOrSignError,
    MessageType,
    NotGroupMemberError,
    RTMError,
    RTMServerClient,
    RTMServerMonitor,
)
from rtm.enduser import AsyncEndUserClient
from rtm.fpnn.crypto import generate_private_key
from rtm.server import ServerThread
from rtm.testing import RTMProject, new_project, start_test_server


class RecordingMonitor(RTMServerMonitor):
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.event_seen = threading.Event()

    def p2p_message(self, *args: Any) -> None:
        self.calls.append(("p2p", *args))
        self.event_seen.set()

    def group_message(self, *args: Any) -> None:
        self.calls.append(("group", *args))
        self.event_seen.set()

    def room_message(self, *args: Any) -> None:
        self.calls.append(("room", *args))
        self.event_seen.set()

    def event(self, *args: Any) -> None:
        self.calls.append(("event", *args))
        self.event_seen.set()


def wait_for(predicate: Any, timeout: float = 5.0) -> None:
    wait_until(predicate, timeout)


# ----------------------------------------------------------------------------- sync client


def test_sync_round_trip_of_every_area(rtm_client: RTMServerClient) -> None:
    c = rtm_client
    c.add_friends(1, [2, 3])
    assert c.get_friends(1) == [2, 3]
    assert c.is_friend(2, 1) is True
    assert c.is_friends(1, [2, 4]) == [2]
    c.add_group_members(10, [1, 2])
    assert c.get_group_members(10) == [1, 2]
    assert c.is_group_member(10, 2) is True
    assert c.get_user_groups(1) == [10]
    c.add_room_member(20, 1)
    mtime = c.send_room_message(1, 20, 30, "room hi")
    assert mtime > 1_600_000_000_000
    assert isinstance(c.get_token(1), str)
    assert c.get_online_users([1, 2]) == []
    c.add_device(1, "apns", "tok")
    c.remove_device(1, "tok")
    c.del_group(10)
    assert c.get_group_members(10) == []


def test_history_direction_codes_and_deleted_flag(rtm_client: RTMServerClient) -> None:
    c = rtm_client
    c.send_message(1, 2, 30, "from one", mid=101)
    c.send_message(2, 1, 31, "from two", mid=102, attrs='{"k":1}')
    c.del_message(101, 1, 2, MessageType.P2P)
    page = c.get_p2p_message(1, 2, False, 10, 0, 0, 0)
    assert page.num == 2
    first, second = page.messages
    assert (first.from_uid, first.mid, first.deleted, first.message) == (1, 101, True, "from one")
    assert (second.from_uid, second.mtype, second.attrs) == (2, 31, '{"k":1}')
    # seen from the other side, the uids stay the real senders
    other = c.get_p2p_message(2, 1, True, 10, 0, 0, 0)
    assert [m.from_uid for m in other.messages] == [2, 1]


def test_history_paging_both_directions(rtm_client: RTMServerClient) -> None:
    c = rtm_client
    c.add_group_members(7, [1])
    for i in range(7):
        c.send_group_message(1, 7, 30, f"m{i}")
    seen: list[str] = []
    lastid = 0
    while True:
        page = c.get_group_message(7, False, 3, 0, 0, lastid)
        seen += [str(m.message) for m in page.messages]
        if page.num < 3:
            break
        lastid = page.lastid
    assert seen == [f"m{i}" for i in range(7)]
    newest = c.get_group_message(7, True, 2, 0, 0, 0)
    assert [m.message for m in newest.messages] == ["m6", "m5"]
    older = c.get_group_message(7, True, 2, newest.begin, newest.end, newest.lastid)
    assert [m.message for m in older.messages] == ["m4", "m3"]


def test_errors_map_to_named_exceptions(rtm_client: RTMServerClient,
                                        rtm_project: RTMProject) -> None:
    with pytest.raises(NotGroupMemberError) as info:
        rtm_client.send_group_message(1, 999, 30, "not a member")
    assert info.value.code == 200041 and isinstance(info.value, RTMError)
    rtm_client.add_group_members(5, [1])
    rtm_client.add_group_ban(5, 1, 60)
    with pytest.raises(BannedInGroupError):
        rtm_client.send_group_message(1, 5, 30, "banned")
    with RTMServerClient(rtm_project.pid, "wrong secret", rtm_project.endpoint) as bad:
        with pytest.raises(InvalidPidOrSignError) as err:
            bad.get_friends(1)
    assert err.value.code == 200002
    assert "200002" in str(err.value)
    assert "wrong secret" not in str(err.value) and "wrong secret" not in repr(bad)


def test_bad_argument_raises_before_anything_is_sent(rtm_client: RTMServerClient) -> None:
    with pytest.raises(ValueError, match="mtype"):
        rtm_client.send_message(1, 2, 300, "x")
    with pytest.raises(TypeError, match="to_uid"):
        rtm_client.send_message(1, "2", 30, "x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="uids"):
        rtm_client.get_online_users(list(range(1, 202)))
    assert not rtm_client.connected  # validation happened before the lazy connect


def test_callback_mode(rtm_client: RTMServerClient) -> None:
    results: list[tuple[Any, ...]] = []
    done = threading.Event()
    threads: list[str] = []

    def callback(*args: Any) -> None:
        results.append(args)
        threads.append(threading.current_thread().name)
        if len(results) == 3:
            done.set()

    assert rtm_client.send_message(1, 2, 30, "cb", callback=callback) == 0
    assert rtm_client.add_friends(1, [2], callback=callback) is None
    assert rtm_client.send_group_message(1, 404, 30, "x", callback=callback) == 0
    assert done.wait(5)
    by_arity = sorted(results, key=len)
    assert by_arity[0] == (0, "")  # add_friends: (code, info)
    codes = sorted(r[1] for r in results if len(r) == 3)
    assert codes == [0, 200041]
    assert all(name.startswith("rtm-") for name in threads)  # never on the reader thread


def test_32_threads_share_one_sync_client(rtm_client: RTMServerClient) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(20):
                rtm_client.send_message(n, 10_000 + n, 30, f"{n}-{i}")
            assert len(rtm_client.get_p2p_message(n, 10_000 + n, False, 20, 0, 0, 0).messages) == 20
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(1, 33)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors


def test_monitor_receives_pushes_off_the_io_thread(rtm_client: RTMServerClient) -> None:
    monitor = RecordingMonitor()
    rtm_client.set_monitor(monitor)
    rtm_client.set_listen([40], [], True, ["login"])
    rtm_client.add_group_members(40, [1])
    rtm_client.send_message(1, 2, 30, "watched", mid=555)
    rtm_client.send_group_message(1, 40, 30, "group watched", mid=556)
    wait_for(lambda: len(monitor.calls) >= 2)
    kinds = {call[0]: call for call in monitor.calls}
    assert kinds["p2p"][1:] [:6] == (1, 2, 30, 555, "watched", "")
    assert kinds["group"][1:3] == (1, 40)


def test_listen_state_is_restored_after_reconnect(rtm_server: ServerThread,
                                                  rtm_client: RTMServerClient) -> None:
    monitor = RecordingMonitor()
    rtm_client.set_monitor(monitor)
    rtm_client.set_listen([], [], True, [])
    rtm_client.send_message(1, 2, 30, "before", mid=1)
    wait_for(lambda: len(monitor.calls) == 1)
    # drop every server-side connection of this project: the SDK must reconnect and listen again
    first = rtm_client._fpnn.connection_id
    drop_server_connections(rtm_server)
    wait_for(lambda: rtm_client._fpnn.connection_id != first)
    rtm_client.send_message(1, 2, 30, "after", mid=2)
    wait_for(lambda: len(monitor.calls) == 2)
    assert monitor.calls[1][5] == "after"


def test_timeout_raises_timeout_error(rtm_project: RTMProject) -> None:
    # a black hole: a listening socket that never answers
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    try:
        endpoint = f"127.0.0.1:{sock.getsockname()[1]}"
        with RTMServerClient(rtm_project.pid, rtm_project.secret, endpoint) as client:
            started = time.monotonic()
            with pytest.raises(FPNNTimeoutError) as info:
                client.get_friends(1, timeout=0.3)
            assert isinstance(info.value, TimeoutError)
            assert time.monotonic() - started < 1.3
    finally:
        sock.close()


def test_connection_refused_is_a_connection_error(rtm_project: RTMProject) -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with RTMServerClient(rtm_project.pid, rtm_project.secret, f"127.0.0.1:{port}") as client:
        with pytest.raises(FPNNConnectionError):
            client.get_friends(1)


def test_files_through_the_file_gate(rtm_client: RTMServerClient) -> None:
    rtm_client.add_group_members(3, [1, 2])
    assert rtm_client.send_file(1, 2, b"content", "a.txt") > 0
    assert rtm_client.send_group_file(1, 3, b"group content", "b.png", mtype=40) > 0
    page = rtm_client.get_group_message(3, True, 1, 0, 0, 0)
    assert page.messages[0].mtype == 40
    assert '"ext":"png"' in str(page.messages[0].attrs)


# ----------------------------------------------------------------------------- async client


async def test_async_client_and_enduser_push(rtm_async_client: AsyncRTMServerClient,
                                             rtm_enduser: Any) -> None:
    bob = await rtm_enduser(2)
    assert await rtm_async_client.get_online_users([1, 2]) == [2]
    await rtm_async_client.send_message(1, 2, 30, "hello bob", mid=77)
    push = await bob.next_push()
    assert push.method == "pushmsg"
    assert (push.params["from"], push.params["to"], push.params["mid"]) == (1, 2, 77)
    # chat (mtype 30) reaches an end user as the translation map (client spec §5)
    assert push.params["msg"]["sourceText"] == "hello bob"
    await rtm_async_client.kickout(2)
    assert (await bob.next_push()).method == "kickout"


async def test_async_monitor_coroutines_and_events(rtm_async_client: AsyncRTMServerClient,
                                                   rtm_project: RTMProject) -> None:
    got: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()

    class Monitor(RTMServerMonitor):
        async def event(self, pid: int, event: str, uid: int, time: int, endpoint: str,
                        data: str) -> None:
            await got.put((pid, event, uid))

    rtm_async_client.set_monitor(Monitor())
    await rtm_async_client.add_listen([], [], False, ["login", "logout"])
    token = await rtm_async_client.get_token(9)
    user = AsyncEndUserClient(rtm_project.client_endpoint, rtm_project.pid, 9, token)
    assert await user.login()
    assert await asyncio.wait_for(got.get(), 5) == (rtm_project.pid, "login", 9)
    await user.close()
    assert await asyncio.wait_for(got.get(), 5) == (rtm_project.pid, "logout", 9)


async def test_async_callback_mode_returns_zero_at_once(
        rtm_async_client: AsyncRTMServerClient) -> None:
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[tuple[Any, ...]] = loop.create_future()
    result = await rtm_async_client.get_token(
        5, callback=lambda *a: loop.call_soon_threadsafe(fut.set_result, a))
    assert result == ""
    token, code, info = await asyncio.wait_for(fut, 5)
    assert code == 0 and info == "" and len(token) == 32


async def test_async_concurrent_calls(rtm_async_client: AsyncRTMServerClient) -> None:
    mtimes = await asyncio.gather(*(rtm_async_client.send_message(1, 2, 30, f"m{i}")
                                    for i in range(500)))
    assert len(mtimes) == 500
    page = await rtm_async_client.get_p2p_message(1, 2, True, 20, 0, 0, 0)
    assert page.num == 20


# ----------------------------------------------------------------------------- encryption


@pytest.fixture(scope="module")
def encrypted_server() -> Any:
    key = generate_private_key("secp256r1")
    server = start_test_server(ecc_key=key)
    yield server, key.public_pem()
    server.stop()


@pytest.mark.parametrize("reinforce", [True, False])
@pytest.mark.parametrize("stream", [True, False])
def test_sync_encrypted(encrypted_server: Any, reinforce: bool, stream: bool) -> None:
    server, pem = encrypted_server
    project = new_project(server)
    with RTMServerClient(project.pid, project.secret, project.endpoint) as client:
        client.enable_encryptor(pem_key_data=pem, reinforce=reinforce, stream=stream)
        client.add_friends(1, [2])
        assert client.get_friends(1) == [2]
        assert client.send_file(1, 2, b"x" * 1000, "enc.bin") > 0


@pytest.mark.parametrize("stream", [True, False])
async def test_async_encrypted(encrypted_server: Any, stream: bool, tmp_path: Any) -> None:
    server, pem = encrypted_server
    project = new_project(server)
    pem_path = tmp_path / "server-public.pem"
    pem_path.write_bytes(pem)
    async with AsyncRTMServerClient(project.pid, project.secret, project.endpoint) as client:
        client.enable_encryptor(str(pem_path), stream=stream)
        await client.add_group_members(1, [1, 2])
        assert await client.get_group_members(1) == [1, 2]


def test_wrong_server_key_fails_cleanly(encrypted_server: Any) -> None:
    server, _pem = encrypted_server
    project = new_project(server)
    other = generate_private_key("secp256r1").public_pem()
    with RTMServerClient(project.pid, project.secret, project.endpoint,
                         quest_timeout=2.0) as client:
        client.enable_encryptor(pem_key_data=other)
        with pytest.raises((FPNNConnectionError, FPNNTimeoutError)):
            client.get_friends(1)


@pytest.mark.parametrize("protocol", ["current", "0.1.0"])
def test_both_signature_generations(rtm_project: RTMProject, protocol: str) -> None:
    with RTMServerClient(rtm_project.pid, rtm_project.secret, rtm_project.endpoint,
                         protocol=protocol) as client:
        client.add_friends(1, [2])
        assert client.is_friend(1, 2) is True
    with RTMServerClient(rtm_project.pid, "not the secret", rtm_project.endpoint,
                         protocol=protocol) as client, pytest.raises(InvalidPidOrSignError):
        client.get_friends(1)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_listening_clients_reconnect_by_themselves() -> None:
    """A client that only listens makes no call that would reconnect it: after the server
    comes back it must reconnect in the background and receive pushes again."""
    port = _free_port()
    server = start_test_server(port=port)
    project = new_project(server)
    monitor = RecordingMonitor()
    sync_client = RTMServerClient(project.pid, project.secret, project.endpoint,
                                  monitor=monitor)
    got: list[Any] = []
    loop = asyncio.new_event_loop()

    class AsyncMonitor(RTMServerMonitor):
        async def p2p_message(self, *args: Any) -> None:
            got.append(args)

    async_client = AsyncRTMServerClient(project.pid, project.secret, project.endpoint,
                                        monitor=AsyncMonitor())
    runner = threading.Thread(target=loop.run_forever, daemon=True)
    runner.start()

    def run(coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(10)

    try:
        sync_client.set_listen([], [], True, [])
        run(async_client.set_listen([], [], True, []))
        server.stop()
        wait_for(lambda: not sync_client.connected and not async_client.connected)
        # the project served from the start: a client reconnecting before an add_project
        # would re-apply its listen settings to a server that does not know it yet
        server = start_test_server(port=port, projects={project.pid: project.secret})
        wait_for(lambda: sync_client.connected and async_client.connected, timeout=10)
        with RTMServerClient(project.pid, project.secret, project.endpoint) as sender:
            def both_listen_again() -> bool:
                sender.send_message(1, 2, 30, "after restart")
                return bool(monitor.calls and got)

            wait_until(both_listen_again, 5, "both clients listening again")
        assert monitor.calls and monitor.calls[-1][5] == "after restart"
        assert got and got[-1][4] == "after restart"
    finally:
        sync_client.close()
        run(async_client.close())
        loop.call_soon_threadsafe(loop.stop)
        runner.join(5)
        server.stop()
