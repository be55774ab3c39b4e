"""The FPNN client behaviour, written once and run on both transports: the asyncio
``FPNNClient`` and the blocking ``SyncFPNNClient`` (``transport`` is "asyncio" or
"blocking"), against real FPNNServers and raw peers over 127.0.0.1.

The regression tests of the transport faults fixed with the shared session carry the fault
number of the issue in their docstring.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from types import MappingProxyType
from typing import Any

import pytest
from transport_drivers import (
    TRANSPORTS,
    ClientDriver,
    LoopThread,
    RawPeer,
    Servers,
    free_port,
    make_driver,
)

from helpers import wait_until
from rtm.fpnn import codec
from rtm.fpnn import errors as ec
from rtm.fpnn.codec import FrameDecoder, Quest
from rtm.fpnn.crypto import generate_private_key
from rtm.fpnn.errors import (
    ClientClosedError,
    FPNNAnswerError,
    FPNNConnectionError,
    FPNNError,
    FPNNTimeoutError,
)
from rtm.fpnn.server import FPNNServer
from rtm.fpnn.session import NO_KEY_MESSAGE

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def loop_thread() -> Iterator[LoopThread]:
    lt = LoopThread()
    yield lt
    lt.stop()


@pytest.fixture
def servers(loop_thread: LoopThread) -> Iterator[Servers]:
    s = Servers(loop_thread)
    yield s
    s.close_all()


@pytest.fixture
def server(servers: Servers) -> FPNNServer:
    return servers.start()


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


MakeClient = Callable[..., ClientDriver]


@pytest.fixture
def make_client(transport: str, loop_thread: LoopThread) -> Iterator[MakeClient]:
    """``make_client(endpoint, **options)``: a client of the transport under test."""
    made: list[ClientDriver] = []

    def make(endpoint: str, **options: Any) -> ClientDriver:
        driver = make_driver(transport, loop_thread, endpoint, **options)
        made.append(driver)
        return driver

    yield make
    for driver in made:
        driver.close()


@pytest.fixture
def client(make_client: MakeClient, server: FPNNServer) -> ClientDriver:
    return make_client(server.endpoint, quest_timeout=5.0, connect_timeout=2.0)


# ---------------------------------------------------------------------------- quests


def test_quest_round_trip(client: ClientDriver) -> None:
    payload = {"s": "h\u00e9llo", "b": b"\x00\xff", "i": -(2**63), "u": 2**64 - 1, "f": 1.5,
               "l": [1, [2, {"k": None}]], "m": {"n": True}, "t": True}
    assert client.quest("echo", payload) == payload  # lazy connect
    assert client.quest("echo") == {}
    assert client.connected and client.connection_id is not None


def test_exception_answers(client: ClientDriver) -> None:
    with pytest.raises(FPNNAnswerError) as info:
        client.quest("fail")
    assert (info.value.code, info.value.message) == (123456, "business failure")
    with pytest.raises(FPNNAnswerError) as info:
        client.quest("boom")
    assert info.value.code == ec.CORE_UNKNOWN_ERROR and "kaboom" in info.value.message
    with pytest.raises(FPNNAnswerError) as info:
        client.quest("nosuchmethod")
    assert info.value.code == ec.CORE_UNKNOWN_METHOD
    assert info.value.message == "Unknow method:nosuchmethod"
    assert client.quest("echo", {"still": "ok"}) == {"still": "ok"}


def test_a_handler_returning_no_map_is_answered_20001(
    client: ClientDriver, servers: Servers, server: FPNNServer
) -> None:
    """Fault 9: a server handler returning a list is answered 20001 (it was 20005 on
    asyncio), and so is a client push handler (20001 on threads already)."""
    with pytest.raises(FPNNAnswerError) as info:
        client.quest("list")
    assert info.value.code == ec.CORE_UNKNOWN_ERROR and "not a map" in info.value.message
    client.register("listpush", lambda conn, quest: [1, 2])
    client.connect()
    with pytest.raises(FPNNAnswerError) as info:
        servers.push(server, "listpush")
    assert info.value.code == ec.CORE_UNKNOWN_ERROR and "not a map" in info.value.message
    assert client.quest("echo", {"alive": 1}) == {"alive": 1}


def test_bad_payloads_fail_before_sending(client: ClientDriver, server: FPNNServer) -> None:
    server.register("proxy", lambda conn, quest: MappingProxyType({"ro": 1}))
    client.connect()
    with pytest.raises(ValueError, match="method name"):
        client.quest("", {})
    with pytest.raises(FPNNError) as info:
        client.quest("echo", {"bad": object()})
    assert info.value.code == ec.CORE_ENCODING
    with pytest.raises(FPNNError, match="map") as info:
        client.quest("echo", ["x"])  # type: ignore[arg-type]
    assert info.value.code == ec.CORE_ENCODING
    with pytest.raises(FPNNError, match="map"):
        client.send_oneway("echo", "x")  # type: ignore[arg-type]
    assert client.pending_count == 0
    # any Mapping is a map, as a payload and as a handler's result
    assert client.quest("echo", MappingProxyType({"m": 2})) == {"m": 2}  # type: ignore[arg-type]
    assert client.quest("proxy") == {"ro": 1}
    assert client.quest("echo", {"ok": 1}) == {"ok": 1}


def test_star_ping_answers_with_ts(client: ClientDriver) -> None:
    before = int(time.time() * 1000)
    answer = client.quest("*ping")
    assert set(answer) == {"ts"}
    assert before - 1000 <= answer["ts"] <= int(time.time() * 1000) + 1000


def test_oneway_to_the_server(client: ClientDriver, servers: Servers) -> None:
    client.send_oneway("note", {"uid": 7})
    client.send_oneway("unknown-oneway", {"x": 1})  # dropped, no answer, no close
    # Same connection, in order: once the echo is answered the note was handled.
    assert client.quest("echo", {"after": 1}) == {"after": 1}
    assert servers.oneway_seen == [{"uid": 7}]


def test_many_quests_in_flight(client: ClientDriver, server: FPNNServer,
                               servers: Servers) -> None:
    answers = client.quests([("echo", {"v": i}) for i in range(3000)], timeout=30)
    assert [a["v"] for a in answers] == list(range(3000))
    assert len(servers.connections(server)) == 1 and client.pending_count == 0


def test_sequence_numbers_wrap_and_skip_pending(client: ClientDriver,
                                                servers: Servers) -> None:
    assert client.quest("seq") == {"seq": 1}
    parked = object()

    def near_the_end(session: Any) -> None:
        session._seq = 2**32 - 3
        session._pending[2] = (parked, float("inf"), "parked", 1.0)  # still in flight

    client.with_session(near_the_end)
    got = [client.quest("seq")["seq"] for _ in range(4)]
    assert got == [2**32 - 2, 2**32 - 1, 1, 3]  # never 0, and 2 is skipped
    client.with_session(lambda s: s._pending.pop(2))


# ---------------------------------------------------------------------------- encryption


@pytest.mark.parametrize("curve", ["secp256r1", "secp256k1"])
@pytest.mark.parametrize("bits", [128, 256])
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "package"])
def test_encrypted_round_trip(make_client: MakeClient, servers: Servers, curve: str,
                              bits: int, stream: bool) -> None:
    key = generate_private_key(curve)
    server = servers.start(private_key=key)
    client = make_client(server.endpoint, quest_timeout=5.0)
    client.enable_encryption(pem_key_data=key.public_pem(), bits=bits, stream=stream)
    client.register("push", lambda conn, quest: {"back": quest.payload["n"]})
    big = bytes(range(256)) * 1000
    assert client.quest("echo", {"a": 1}) == {"a": 1}
    answers = client.quests([("echo", {"i": i, "big": big}) for i in range(20)])
    assert [a["i"] for a in answers] == list(range(20))
    assert all(a["big"] == big for a in answers)
    assert set(client.quest("*ping")) == {"ts"}
    assert client.encrypted and servers.only_connection(server).encrypted
    # Server -> client quest and its answer go through the same cipher states.
    assert servers.push(server, "push", {"n": 5}) == {"back": 5}
    with pytest.raises(FPNNAnswerError) as info:
        client.quest("nosuch")
    assert info.value.code == ec.CORE_UNKNOWN_METHOD


def test_encryption_rejected_by_a_plain_server(make_client: MakeClient, server: FPNNServer,
                                               servers: Servers) -> None:
    events: list[tuple[str, int]] = []
    client = make_client(server.endpoint, connect_timeout=2.0,
                         on_connected=lambda cid: events.append(("up", cid)),
                         on_closed=lambda cid: events.append(("down", cid)))
    client.enable_encryption(pem_key_data=generate_private_key().public_pem())
    start = time.monotonic()
    with pytest.raises(FPNNConnectionError, match="handshake") as info:
        client.quest("echo")
    assert time.monotonic() - start < 1.0  # the server closes: no waiting for a timeout
    assert NO_KEY_MESSAGE in info.value.message  # the server's reason, passed on
    assert not client.connected
    wait_until(lambda: not servers.connections(server), 2, "server side closed")
    assert events == []  # never connected, so never reported closed either


def test_encryption_with_the_wrong_key_fails(make_client: MakeClient,
                                             servers: Servers) -> None:
    server = servers.start(private_key=generate_private_key("secp256k1"))
    client = make_client(server.endpoint, connect_timeout=1.0, quest_timeout=1.0)
    client.enable_encryption(pem_key_data=generate_private_key("secp256k1").public_pem(),
                             bits=128, stream=True)
    # Both sides derive different keys: the garbled answer is a framing error.
    with pytest.raises(FPNNConnectionError):
        client.quest("echo")


# ---------------------------------------------------------------------------- pushes


def test_server_pushes_are_answered(client: ClientDriver, servers: Servers,
                                    server: FPNNServer) -> None:
    seen: list[Quest] = []

    def on_push(conn: Any, quest: Quest) -> dict[str, Any]:
        seen.append(quest)
        return {"got": quest.payload["n"]}

    def refuse(conn: Any, quest: Quest) -> None:
        raise FPNNError("refused", 300123)

    def crash(conn: Any, quest: Quest) -> None:
        raise ValueError("bad value")

    oneways: list[dict[str, Any]] = []
    client.register("push", on_push)
    client.register("empty", lambda conn, quest: None)
    client.register("refuse", refuse)
    client.register("crash", crash)
    client.register("one", lambda conn, quest: oneways.append(quest.payload))
    client.connect()
    assert servers.push(server, "push", {"n": 5}) == {"got": 5}
    assert seen[0].method == "push" and not seen[0].oneway
    assert servers.push(server, "empty") == {}  # a known push is always answered
    assert servers.push(server, "ping") == {}  # RTM business ping: built in
    assert servers.push(server, "*ping") == {}
    with pytest.raises(FPNNAnswerError) as err:
        servers.push(server, "unknown_push", {})
    assert (err.value.code, err.value.message) == (ec.CORE_UNKNOWN_METHOD,
                                                   "Unknow method:unknown_push")
    with pytest.raises(FPNNAnswerError) as err:
        servers.push(server, "refuse")
    assert (err.value.code, err.value.message) == (300123, "refused")
    with pytest.raises(FPNNAnswerError) as err:
        servers.push(server, "crash")
    assert err.value.code == ec.CORE_UNKNOWN_ERROR and "bad value" in err.value.message
    # Oneway pushes: delivered, never answered; unknown ones dropped.
    servers.push_oneway(server, "one", {"k": 1})
    servers.push_oneway(server, "unknown_oneway", {"k": 2})
    wait_until(lambda: oneways == [{"k": 1}], 2, "the oneway push")
    conn = servers.only_connection(server)
    async def fifty() -> list[dict[str, Any]]:
        return await asyncio.gather(*(conn.quest("push", {"n": i}, 2) for i in range(50)))

    answers = servers.lt.run(fifty())
    assert [a["got"] for a in answers] == list(range(50))
    assert client.quest("echo", {"fine": 1}) == {"fine": 1}
    assert conn.pending_count == 0  # no stray answer reached the server


# ---------------------------------------------------------------------------- failures


def test_quest_timeout_and_late_answer(client: ClientDriver, servers: Servers) -> None:
    client.connect()
    for timeout in (0.2, 0.4):
        start = time.monotonic()
        with pytest.raises(FPNNTimeoutError) as info:
            client.quest("slow", {"delay": 2.5}, timeout=timeout)
        elapsed = time.monotonic() - start
        assert isinstance(info.value, TimeoutError) and info.value.code == ec.CORE_TIMEOUT
        assert "timed out" in info.value.message
        assert elapsed >= timeout - 0.01  # not before its time...
        assert servers.slow_done == 0  # ...nor when the answer came (2.5 s later)
    # The late answers arrive and are dropped: the connection is fine.
    wait_until(lambda: servers.slow_done == 2, 15, "the slow handlers")
    assert client.quest("echo", {"after": "late"}) == {"after": "late"}
    assert client.pending_count == 0 and client.connected


def test_quests_in_flight_time_out_too(client: ClientDriver, servers: Servers) -> None:
    client.connect()
    late = client.start_quest("slow", {"delay": 2.5}, timeout=0.2)
    with pytest.raises(FPNNTimeoutError):
        late.result(10)
    assert servers.slow_done == 0  # it timed out on its own, before the answer


def test_server_close_fails_pending_quests_fast(client: ClientDriver, servers: Servers,
                                                server: FPNNServer) -> None:
    client.connect()
    first = client.connection_id
    in_flight = [client.start_quest("slow", {"delay": 5.0}, timeout=10) for _ in range(4)]
    wait_until(lambda: servers.slow_started == 4, 2, "quests pending on the server")
    conn = servers.only_connection(server)
    start = time.monotonic()
    servers.lt.call(conn.close)
    for fut in in_flight:
        with pytest.raises(FPNNConnectionError) as info:
            fut.result(2)
        assert info.value.code == ec.CORE_CONNECTION_CLOSED
        assert isinstance(info.value, ConnectionError)
    assert time.monotonic() - start < 1.0
    wait_until(lambda: not client.connected, 2, "the client to see the close")
    assert client.quest("echo", {"again": 1}) == {"again": 1}  # the next quest reconnects
    assert client.connection_id not in (None, first)


def test_client_close_fails_its_pending_quests(client: ClientDriver,
                                               servers: Servers) -> None:
    in_flight = client.start_quest("slow", {"delay": 30.0}, timeout=60)
    wait_until(lambda: servers.slow_started == 1, 10, "the quest pending on the server")
    start = time.monotonic()
    client.close()
    with pytest.raises(FPNNConnectionError) as info:
        in_flight.result(20)
    assert info.value.code == ec.CORE_CONNECTION_CLOSED
    assert time.monotonic() - start < 15  # failed by close(), not by the answer (30 s)


def test_reconnect_after_server_restart(make_client: MakeClient, servers: Servers) -> None:
    server = servers.start()
    port = server.port
    connected: list[int] = []
    closed: list[int] = []
    client = make_client(server.endpoint, connect_timeout=2.0, on_connected=connected.append,
                         on_closed=closed.append)
    assert client.quest("echo", {"n": 1}) == {"n": 1}
    first = client.connection_id
    servers.stop(server)
    wait_until(lambda: not client.connected, 2, "the close")
    with pytest.raises(FPNNConnectionError):  # nobody listens now
        client.quest("echo", {"n": 2})
    servers.start(port=port)
    assert client.quest("echo", {"n": 3}) == {"n": 3}
    second = client.connection_id
    assert second not in (None, first)
    wait_until(lambda: closed == [first], 2, "on_closed")
    assert connected == [first, second]


def test_connection_callbacks(make_client: MakeClient, server: FPNNServer,
                              servers: Servers) -> None:
    events: list[tuple[str, int]] = []
    client = make_client(server.endpoint, on_connected=lambda cid: events.append(("up", cid)),
                         on_closed=lambda cid: events.append(("down", cid)))
    client.quest("echo")
    first = client.connection_id
    assert first is not None and events == [("up", first)]
    servers.lt.call(servers.only_connection(server).close)  # closed by the peer
    wait_until(lambda: len(events) == 2, 2, "on_closed")
    client.quest("echo")  # lazy reconnect gets a new id
    second = client.connection_id
    assert second is not None and second != first
    client.close()
    assert events == [("up", first), ("down", first), ("up", second), ("down", second)]


def test_failing_callbacks_do_not_break_the_client(make_client: MakeClient,
                                                   server: FPNNServer) -> None:
    def bad(cid: int) -> None:
        raise RuntimeError("callback bug")

    client = make_client(server.endpoint, on_connected=bad, on_closed=bad)
    assert client.quest("echo", {"x": 1}) == {"x": 1}
    client.close()


def test_connection_refused(make_client: MakeClient) -> None:
    client = make_client(f"127.0.0.1:{free_port()}", connect_timeout=2.0)
    start = time.monotonic()
    with pytest.raises(FPNNConnectionError) as info:
        client.quest("echo")
    assert time.monotonic() - start < 1.0
    assert info.value.code == ec.CORE_INVALID_CONNECTION
    with pytest.raises(FPNNConnectionError):
        client.send_oneway("x")
    results = client.quests([("echo", None)] * 5)
    assert all(isinstance(r, FPNNConnectionError) for r in results), results


def test_connect_timeout(make_client: MakeClient) -> None:
    # A listener with a full accept queue drops further SYNs, so connecting hangs.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    try:
        for _ in range(8):
            filler = socket.socket()
            filler.settimeout(0.2)
            fillers.append(filler)
            try:
                filler.connect(("127.0.0.1", port))
            except (TimeoutError, OSError):
                break
        else:
            pytest.skip("this kernel accepts connections beyond the listen backlog")
        # the connect timeout, not the (much longer) quest timeout, ends the attempt
        client = make_client(f"127.0.0.1:{port}", connect_timeout=0.3, quest_timeout=60)
        start = time.monotonic()
        with pytest.raises(FPNNTimeoutError, match="timed out") as info:
            client.quest("echo")
        assert 0.29 <= time.monotonic() - start < 30
        assert isinstance(info.value, TimeoutError)
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def test_protocol_error_from_the_peer_closes(make_client: MakeClient) -> None:
    def garbage(sock: socket.socket, stopping: threading.Event) -> None:
        sock.recv(65536)
        sock.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        while sock.recv(65536):
            pass

    peer = RawPeer(garbage)
    try:
        client = make_client(peer.endpoint)
        start = time.monotonic()
        with pytest.raises(FPNNConnectionError) as info:
            client.quest("echo", {}, timeout=5.0)
        assert info.value.code == ec.CORE_CONNECTION_CLOSED
        assert time.monotonic() - start < 1.0
        assert not client.connected
    finally:
        peer.close()


# ---------------------------------------------------------------------------- closing


def test_a_closed_client_stays_closed(make_client: MakeClient, server: FPNNServer,
                                      servers: Servers) -> None:
    """Fault 4: a call after close() silently opened a new connection (and, on the blocking
    client, a new reader thread). Now it raises ClientClosedError, and close() is final."""
    closed: list[int] = []
    client = make_client(server.endpoint, on_closed=closed.append)
    assert client.quest("echo", {"n": 1}) == {"n": 1}
    first = client.connection_id
    threads = threading.active_count()
    client.close()
    client.close()  # idempotent
    assert closed == [first] and not client.connected
    for attempt in (lambda: client.quest("echo"), lambda: client.send_oneway("note"),
                    client.connect, lambda: client.start_quest("echo").result(2)):
        with pytest.raises(ClientClosedError) as info:
            attempt()
        assert isinstance(info.value, FPNNConnectionError)
        assert "closed" in str(info.value)
    assert servers.accepted == 1 and not client.connected
    assert threading.active_count() <= threads


def test_close_while_connecting_leaves_nothing_open(make_client: MakeClient,
                                                    servers: Servers) -> None:
    # An encrypting server answers *key; connect() is in flight when close() runs.
    key = generate_private_key()
    server = servers.start(private_key=key)
    client = make_client(server.endpoint, connect_timeout=2.0)
    client.enable_encryption(pem_key_data=key.public_pem())
    results: list[BaseException | int] = []

    def connect() -> None:
        try:
            results.append(client.connect())
        except BaseException as exc:
            results.append(exc)

    thread = threading.Thread(target=connect)
    thread.start()
    client.close()
    thread.join(5)
    assert len(results) == 1
    if isinstance(results[0], BaseException):  # close() won the race
        assert isinstance(results[0], FPNNConnectionError)
    assert not client.connected
    wait_until(lambda: not servers.connections(server), 2, "no connection left open")
    with pytest.raises(ClientClosedError):
        client.quest("echo")


# ---------------------------------------------------------------------------- keep-alive


def test_keepalive_keeps_a_healthy_idle_connection(make_client: MakeClient,
                                                   servers: Servers) -> None:
    """Fault 3: with these settings the blocking client checked once a second and dropped
    a healthy idle connection after 1.1 s without having sent a ping."""
    server = servers.start()
    pings: list[float] = []

    def star_ping(conn: Any, quest: Quest) -> dict[str, Any]:
        pings.append(time.monotonic())
        return {"ts": 1}

    server.register("*ping", star_ping)
    closed: list[int] = []
    client = make_client(server.endpoint, keepalive=True, keepalive_interval=0.2,
                         keepalive_retries=1, quest_timeout=0.3, on_closed=closed.append)
    first = client.connect()
    wait_until(lambda: len(pings) >= 6, 5, "six keep-alive pings")  # about 1.2 s idle
    assert closed == [] and client.connection_id == first
    gaps = [b - a for a, b in itertools.pairwise(pings)]
    assert all(gap > 0.1 for gap in gaps), gaps  # one ping per idle interval, no storm


def test_keepalive_detects_a_silent_peer(make_client: MakeClient) -> None:
    """Fault 3 (the other half): the connection is given up because its pings are not
    answered, not because nobody pinged."""
    received = bytearray()

    def silent(sock: socket.socket, stopping: threading.Event) -> None:  # reads, never answers
        while chunk := sock.recv(65536):
            received.extend(chunk)

    peer = RawPeer(silent)
    closed: list[int] = []
    try:
        client = make_client(peer.endpoint, keepalive=True, keepalive_interval=0.2,
                             keepalive_retries=1, quest_timeout=0.3, on_closed=closed.append)
        first = client.connect()
        start = time.monotonic()
        pending = client.start_quest("never", {}, timeout=10.0)
        with pytest.raises(FPNNConnectionError) as info:
            pending.result(9)
        assert info.value.code == ec.CORE_CONNECTION_CLOSED
        assert "keep-alive" in info.value.message
        # lost after interval + ping timeout * retries = 0.5 s of silence: well before the
        # quest's own 10 s timeout
        assert time.monotonic() - start < 9
        wait_until(lambda: closed == [first], 2, "on_closed")
        frames = FrameDecoder().feed(bytes(received))
        assert [q.method for q in frames if isinstance(q, Quest)][1:2] == ["*ping"]
    finally:
        peer.close()


# ---------------------------------------------------------------------------- bounded writes


def never_reads(sock: socket.socket, stopping: threading.Event) -> None:
    """A peer that accepts and then reads nothing, until the test ends."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    stopping.wait(30)


def test_a_peer_that_never_reads_costs_a_timeout_not_memory(make_client: MakeClient) -> None:
    """Faults 1 and 2: against a peer that accepts but never reads, the blocking client's
    quest(timeout=0.5) blocked in sendall for as long as the peer stayed, and the asyncio
    client kept every timed-out 4 MiB quest buffered (76 MiB after 20). Now each quest
    ends by its deadline and the connection's outbound bytes stay under the cap."""
    peer = RawPeer(never_reads)
    cap = 8 * MiB
    try:
        client = make_client(peer.endpoint, max_write_buffer=cap, write_timeout=30)
        client.connect()
        blob = b"x" * (4 * MiB)
        outcomes: list[tuple[BaseException | None, float]] = []
        timeout = 0.3

        def send_all() -> None:
            for _ in range(12):  # 48 MiB: far more than the kernel buffers take
                start = time.monotonic()
                try:
                    client.quest("big", {"blob": blob}, timeout=timeout)
                    outcomes.append((None, time.monotonic() - start))
                except BaseException as exc:
                    outcomes.append((exc, time.monotonic() - start))

        thread = threading.Thread(target=send_all, daemon=True)
        thread.start()
        thread.join(12 * (timeout + 5) + 5)
        assert not thread.is_alive(), f"a quest blocked past its deadline: {outcomes}"
        assert len(outcomes) == 12
        assert client.write_buffer_size <= cap, client.write_buffer_size
        for error, elapsed in outcomes:
            assert isinstance(error, FPNNTimeoutError), outcomes
            assert elapsed < timeout + 5, outcomes  # its deadline, not write_timeout (30 s)
        assert any("write buffer is full" in str(e) for e, _ in outcomes)
        assert client.connected  # a slow peer costs timeouts, not the connection
    finally:
        peer.close()


def test_timeouts_still_fire_while_answers_cannot_be_written(make_client: MakeClient) -> None:
    """Fault 1 (reader side): the peer pushes quests whose answers it never reads. The
    blocking client's reader thread used to block writing them, and with it reading, the
    timeout sweep and keep-alive. Quests in flight must still time out on time."""
    push = codec.encode_quest("bigpush", {}, 1)

    def pushes_and_never_reads(sock: socket.socket, stopping: threading.Event) -> None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        for seq in range(1, 41):  # 40 answers of 256 KiB: far more than the socket takes
            sock.sendall(push[:12] + seq.to_bytes(4, "little") + push[16:])
        stopping.wait(30)

    answered: list[int] = []
    peer = RawPeer(pushes_and_never_reads)
    try:
        client = make_client(peer.endpoint, quest_timeout=5.0, write_timeout=30)
        client.register("bigpush", lambda conn, q: answered.append(q.seq) or {
            "blob": b"y" * (256 * 1024)})
        client.connect()
        wait_until(lambda: len(answered) == 40, 5, "the 40 pushes handled")
        start = time.monotonic()
        in_flight = client.start_quest("echo", {}, timeout=0.3)
        with pytest.raises(FPNNTimeoutError):
            in_flight.result(4.5)
        assert time.monotonic() - start < 4.5  # its 0.3 s, not quest_timeout (5 s)
        assert client.connected
    finally:
        peer.close()


def test_a_quest_waits_for_room_then_fails_clearly(make_client: MakeClient) -> None:
    """Back-pressure: a quest that does not fit in max_write_buffer waits for room until
    its deadline, then fails with an error that says so."""
    peer = RawPeer(never_reads)
    try:
        client = make_client(peer.endpoint, max_write_buffer=MiB, write_timeout=30)
        client.connect()
        blob = b"z" * (MiB // 2)
        errors: list[FPNNError] = []
        for _ in range(40):  # fill the socket, then the buffer
            try:
                client.quest("big", {"blob": blob}, timeout=0.1)
            except FPNNTimeoutError as exc:
                errors.append(exc)
                if "write buffer is full" in exc.message:
                    break
        assert errors and "write buffer is full" in errors[-1].message, errors
        assert "max_write_buffer=1048576" in errors[-1].message
        assert client.write_buffer_size <= MiB
    finally:
        peer.close()


def test_a_peer_that_does_not_read_is_given_up(make_client: MakeClient) -> None:
    """A peer that takes no byte for write_timeout is given up: the connection closes and
    every pending quest fails with a connection error (also those waiting for room)."""
    peer = RawPeer(never_reads)
    closed: list[int] = []
    try:
        client = make_client(peer.endpoint, write_timeout=0.5, quest_timeout=10,
                             on_closed=closed.append)
        first = client.connect()
        blob = b"w" * (2 * MiB)
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(6) as pool:  # more than the socket takes
            calls = [pool.submit(client.quest, "big", {"blob": blob}, timeout=10)
                     for _ in range(6)]
            for call in calls:
                with pytest.raises(FPNNConnectionError) as info:
                    call.result(9)
                assert "does not read" in info.value.message, info.value
        assert time.monotonic() - start < 9  # write_timeout (0.5 s), not quest timeout (10 s)
        wait_until(lambda: closed == [first], 2, "on_closed")
    finally:
        peer.close()


# ---------------------------------------------------------------------------- connection setup


def test_connection_setup_goes_before_any_other_quest(transport: str, make_client: MakeClient,
                                                      servers: Servers) -> None:
    """Fault 5: the blocking client released waiting callers before on_connected could
    write (the RTM client writes its listen restore there), so a quest made during the
    reconnect could overtake the restore. Now nothing else is sent before it."""
    server = servers.start()
    order: list[str] = []
    second_seen = threading.Event()

    def record(conn: Any, quest: Quest) -> dict[str, Any]:
        order.append(quest.method)
        if quest.method == "second":
            second_seen.set()
        return {}

    for method in ("restore", "first", "second"):
        server.register(method, record)
    started = threading.Event()
    options: dict[str, Any] = {}
    client: ClientDriver

    if transport == "asyncio":
        async def on_open(conn: Any) -> None:
            started.set()
            # give another caller every chance to overtake (it must not)
            await asyncio.get_running_loop().run_in_executor(None, second_seen.wait, 0.5)
            await conn.quest("restore", {}, 2.0)

        options["on_open"] = on_open
    else:
        def on_connected(cid: int) -> None:
            started.set()
            second_seen.wait(0.5)
            client.quest("restore")

        options["on_connected"] = on_connected
    client = make_client(server.endpoint, **options)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        first = pool.submit(client.quest, "first")
        assert started.wait(5)
        second = pool.submit(client.quest, "second")
        first.result(5)
        second.result(5)
    assert order[0] == "restore", order


def test_a_burst_over_the_limit_waits_for_room_not_for_its_deadline(
    make_client: MakeClient, server: FPNNServer
) -> None:
    """More bytes at once than max_write_buffer, to a peer that reads them all: the quests
    over the limit wait for room, which comes as soon as the first ones are written."""
    client = make_client(server.endpoint, max_write_buffer=MiB)
    client.connect()
    blob = b"b" * (MiB // 4)
    start = time.monotonic()
    answers = client.quests([("echo", {"i": i, "blob": blob}) for i in range(24)], timeout=5)
    assert [a["i"] for a in answers] == list(range(24)), [type(a) for a in answers]
    assert time.monotonic() - start < 5  # no quest waited for its deadline
