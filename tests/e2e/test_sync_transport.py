"""End-to-end tests of the blocking SyncFPNNClient against a real FPNNServer over TCP.

The server runs on an asyncio loop in a background thread; the client is used from plain
threads, as the synchronous RTM SDK uses it.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from rtm.fpnn import errors as ec
from rtm.fpnn.codec import Quest
from rtm.fpnn.crypto import generate_private_key
from rtm.fpnn.errors import (
    FPNNAnswerError,
    FPNNConnectionError,
    FPNNError,
    FPNNTimeoutError,
)
from rtm.fpnn.server import FPNNServer, ServerConnection
from rtm.fpnn.sync_client import SyncConnectionInfo, SyncFPNNClient

T = TypeVar("T")


class LoopThread:
    """An asyncio loop running in a daemon thread; ``run`` executes a coroutine on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-loop",
                                       daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 5.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, fn: Callable[[], T]) -> T:
        async def wrapper() -> T:
            return fn()

        return self.run(wrapper())

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture(scope="module")
def loop_thread() -> Iterator[LoopThread]:
    lt = LoopThread()
    yield lt
    lt.stop()


class Servers:
    """Starts FPNNServers (echo, fail, boom, slow...) on the loop thread; closes them after."""

    def __init__(self, lt: LoopThread) -> None:
        self.lt = lt
        self.started: list[FPNNServer] = []
        self.oneway_seen: list[dict[str, Any]] = []
        self.seqs: list[int] = []
        self.slow_started = 0

    def start(self, *, port: int = 0, private_key: Any = None) -> FPNNServer:
        server = FPNNServer("127.0.0.1", port, private_key=private_key)
        server.register("echo", lambda conn, quest: quest.payload)

        def record_seq(conn: Any, quest: Quest) -> dict[str, Any]:
            self.seqs.append(quest.seq)
            return {"seq": quest.seq}

        def fail(conn: Any, quest: Quest) -> None:
            raise FPNNError("business failure", 123456)

        def boom(conn: Any, quest: Quest) -> None:
            raise RuntimeError("kaboom")

        async def slow(conn: Any, quest: Quest) -> dict[str, Any]:
            self.slow_started += 1
            await asyncio.sleep(quest.payload.get("delay", 1.0))
            return {"slept": True}

        def note(conn: Any, quest: Quest) -> None:
            self.oneway_seen.append(quest.payload)

        server.register("seq", record_seq)
        server.register("fail", fail)
        server.register("boom", boom)
        server.register("slow", slow)
        server.register("note", note)
        self.lt.run(server.start())
        self.started.append(server)
        return server

    def stop(self, server: FPNNServer) -> None:
        self.lt.run(server.close())

    def only_connection(self, server: FPNNServer) -> ServerConnection:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            conns = self.lt.call(lambda: list(server.connections.values()))
            if len(conns) == 1:
                return conns[0]
            time.sleep(0.01)
        raise AssertionError(f"expected one server connection, got {len(conns)}")

    def push(self, server: FPNNServer, method: str, payload: dict[str, Any] | None = None,
             timeout: float = 2.0) -> dict[str, Any]:
        conn = self.only_connection(server)
        return self.lt.run(conn.quest(method, payload, timeout=timeout))

    def close_all(self) -> None:
        for server in self.started:
            self.lt.run(server.close())


@pytest.fixture
def servers(loop_thread: LoopThread) -> Iterator[Servers]:
    s = Servers(loop_thread)
    yield s
    s.close_all()


@pytest.fixture
def server(servers: Servers) -> FPNNServer:
    return servers.start()


def wait_until(predicate: Callable[[], bool], timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.005)


class Recorder:
    """A quest callback that records every call (to check it runs exactly once)."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, Any] | None, FPNNError | None]] = []
        self.threads: list[str] = []
        self.event = threading.Event()

    def __call__(self, answer: dict[str, Any] | None, error: FPNNError | None) -> None:
        self.calls.append((answer, error))
        self.threads.append(threading.current_thread().name)
        self.event.set()

    def wait(self, timeout: float = 2.0) -> tuple[dict[str, Any] | None, FPNNError | None]:
        assert self.event.wait(timeout), "callback not called"
        return self.calls[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# ---------------------------------------------------------------------------- basics


def test_quest_round_trip_and_oneway(servers: Servers, server: FPNNServer) -> None:
    connected: list[int] = []
    with SyncFPNNClient(server.endpoint, on_connected=connected.append) as client:
        assert not client.connected and client.connection_id is None
        payload = {"s": "héllo", "b": b"\x00\xff", "n": -5, "big": 2**63, "l": [1, [2]],
                   "m": {"k": None}, "f": 1.5, "t": True}
        assert client.quest("echo", payload) == payload  # lazy connect
        assert client.connected and connected == [client.connection_id]
        assert client.quest("echo") == {}
        client.send_oneway("note", {"x": 1})
        assert client.quest("echo", {"after": 1}) == {"after": 1}  # same connection, in order
        assert servers.oneway_seen == [{"x": 1}]
        client.connect()  # connected already: no-op
        assert connected == [client.connection_id]
    assert not client.connected


def test_encode_errors_leave_nothing_pending(server: FPNNServer) -> None:
    with SyncFPNNClient(server.endpoint) as client:
        with pytest.raises(ValueError, match="method name"):
            client.quest("", {})
        with pytest.raises(FPNNError) as info:
            client.quest("echo", {"bad": object()})
        assert info.value.code == ec.CORE_ENCODING
        assert client._conn is not None and not client._conn.pending
        assert client.quest("echo", {"ok": 1}) == {"ok": 1}


@pytest.mark.parametrize("curve", ["secp256k1", "secp256r1"])
@pytest.mark.parametrize("bits", [128, 256])
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "package"])
def test_encrypted(servers: Servers, curve: str, bits: int, stream: bool) -> None:
    key = generate_private_key(curve)
    server = servers.start(private_key=key)
    client = SyncFPNNClient(server.endpoint)
    client.enable_encryption(pem_key_data=key.public_pem(), bits=bits, stream=stream)
    client.register("push", lambda info, quest: {"echo": quest.payload, "enc": info.encrypted})
    try:
        client.connect()
        for i in range(20):
            assert client.quest("echo", {"i": i, "pad": "x" * (i * 37)}) == {
                "i": i, "pad": "x" * (i * 37)}
        # Server -> client quest and its answer go through the same cipher states.
        assert servers.push(server, "push", {"p": 1}) == {"echo": {"p": 1}, "enc": True}
        with pytest.raises(FPNNAnswerError) as info:
            client.quest("nosuch")
        assert info.value.code == ec.CORE_UNKNOWN_METHOD
        assert client.quest("echo", {"last": True}) == {"last": True}
    finally:
        client.close()


def test_encryption_handshake_rejected(server: FPNNServer) -> None:
    # The server has no private key: it closes the connection on *key (spec 7.4).
    client = SyncFPNNClient(server.endpoint, connect_timeout=2.0)
    client.enable_encryption(pem_key_data=generate_private_key().public_pem())
    t0 = time.monotonic()
    with pytest.raises(FPNNConnectionError, match="handshake"):
        client.quest("echo")
    assert time.monotonic() - t0 < 1.0
    assert not client.connected
    client.close()


# ---------------------------------------------------------------------------- errors


def test_exception_answers(server: FPNNServer) -> None:
    with SyncFPNNClient(server.endpoint) as client:
        with pytest.raises(FPNNAnswerError) as info:
            client.quest("fail")
        assert (info.value.code, info.value.message) == (123456, "business failure")
        with pytest.raises(FPNNAnswerError) as info:
            client.quest("boom")
        assert info.value.code == ec.CORE_UNKNOWN_ERROR
        assert "kaboom" in info.value.message
        with pytest.raises(FPNNAnswerError) as info:
            client.quest("nosuch")
        assert info.value.code == ec.CORE_UNKNOWN_METHOD
        assert info.value.message.startswith("Unknow method:nosuch")
        assert client.quest("echo", {"still": "ok"}) == {"still": "ok"}


def test_connect_refused() -> None:
    client = SyncFPNNClient(f"127.0.0.1:{free_port()}", connect_timeout=1.0)
    with pytest.raises(FPNNConnectionError) as info:
        client.quest("echo")
    assert info.value.code == ec.CORE_INVALID_CONNECTION
    rec = Recorder()
    client.quest_callback("echo", {}, rec)  # delivered to the callback, not raised
    answer, error = rec.wait()
    assert answer is None and isinstance(error, FPNNConnectionError)
    assert len(rec.calls) == 1
    client.close()


def test_quest_timeout(server: FPNNServer) -> None:
    with SyncFPNNClient(server.endpoint, quest_timeout=0.3) as client:
        client.connect()
        t0 = time.monotonic()
        with pytest.raises(TimeoutError) as info:
            client.quest("slow", {"delay": 0.6})
        elapsed = time.monotonic() - t0
        assert isinstance(info.value, FPNNTimeoutError)
        assert info.value.code == ec.CORE_TIMEOUT
        assert 0.25 <= elapsed < 0.3 + 0.3
        t0 = time.monotonic()
        with pytest.raises(FPNNTimeoutError):
            client.quest("slow", {"delay": 0.6}, timeout=0.1)
        assert time.monotonic() - t0 < 0.1 + 0.3
        time.sleep(0.6)  # both late answers arrive now and are dropped
        assert client._conn is not None and not client._conn.pending
        assert client.quest("echo", {"after": "late"}) == {"after": "late"}


# ---------------------------------------------------------------------------- callback mode


def test_callback_mode(server: FPNNServer) -> None:
    with SyncFPNNClient(server.endpoint) as client:
        ok, err, late = Recorder(), Recorder(), Recorder()
        client.quest_callback("echo", {"v": 1}, ok)
        client.quest_callback("fail", None, err)
        t0 = time.monotonic()
        client.quest_callback("slow", {"delay": 0.5}, late, timeout=0.2)
        assert ok.wait() == ({"v": 1}, None)
        answer, error = err.wait()
        assert answer is None and isinstance(error, FPNNAnswerError) and error.code == 123456
        answer, error = late.wait()
        assert time.monotonic() - t0 < 0.2 + 0.3
        assert answer is None and isinstance(error, FPNNTimeoutError)
        assert error.code == ec.CORE_TIMEOUT
        time.sleep(0.5)  # the late answer arrives and is dropped
        for rec in (ok, err, late):
            assert len(rec.calls) == 1
        # Answers and the sweeper run on the reader thread.
        assert ok.threads[0].startswith("fpnn-reader-")
        assert late.threads[0].startswith("fpnn-reader-")
        # A callback that raises is logged; the reader survives.
        def broken(answer: dict[str, Any] | None, error: FPNNError | None) -> None:
            raise ZeroDivisionError

        client.quest_callback("echo", {}, broken)
        assert client.quest("echo", {"alive": 1}) == {"alive": 1}


def test_callback_many_in_flight(server: FPNNServer) -> None:
    with SyncFPNNClient(server.endpoint) as client:
        results: dict[int, Any] = {}
        done = threading.Event()
        n = 2000

        def make(i: int) -> Callable[[dict[str, Any] | None, FPNNError | None], None]:
            def cb(answer: dict[str, Any] | None, error: FPNNError | None) -> None:
                assert i not in results
                results[i] = answer if error is None else error
                if len(results) == n:
                    done.set()

            return cb

        for i in range(n):
            client.quest_callback("echo", {"i": i}, make(i))
        assert done.wait(10)
        assert all(results[i] == {"i": i} for i in range(n))


# ---------------------------------------------------------------------------- pushes


def test_server_pushes(servers: Servers, server: FPNNServer) -> None:
    seen: list[tuple[Any, Quest]] = []

    def on_push(info: SyncConnectionInfo, quest: Quest) -> dict[str, Any]:
        seen.append((info, quest))
        return {"got": quest.payload["n"]}

    def on_fail(info: SyncConnectionInfo, quest: Quest) -> None:
        raise FPNNError("nope", 777)

    def on_crash(info: SyncConnectionInfo, quest: Quest) -> None:
        raise KeyError("oops")

    oneways: list[dict[str, Any]] = []
    with SyncFPNNClient(server.endpoint) as client:
        client.register("push", on_push)
        client.register("empty", lambda info, quest: None)
        client.register("fails", on_fail)
        client.register("crash", on_crash)
        client.register("one", lambda info, quest: oneways.append(quest.payload))
        client.connect()
        assert servers.push(server, "push", {"n": 5}) == {"got": 5}
        info, quest = seen[0]
        assert isinstance(info, SyncConnectionInfo) and info.id == client.connection_id
        assert not info.encrypted and info.peer == server.endpoint
        assert quest.method == "push" and not quest.oneway
        assert servers.push(server, "empty") == {}
        assert servers.push(server, "ping") == {}  # RTM business ping: always answered
        assert servers.push(server, "*ping") == {}
        with pytest.raises(FPNNAnswerError) as err:
            servers.push(server, "unknown_push", {})
        assert err.value.code == ec.CORE_UNKNOWN_METHOD
        assert err.value.message == "Unknow method:unknown_push"
        with pytest.raises(FPNNAnswerError) as err:
            servers.push(server, "fails")
        assert (err.value.code, err.value.message) == (777, "nope")
        with pytest.raises(FPNNAnswerError) as err:
            servers.push(server, "crash")
        assert err.value.code == ec.CORE_UNKNOWN_ERROR
        # Oneway pushes: delivered, never answered; unknown ones dropped.
        conn = servers.only_connection(server)
        servers.lt.call(lambda: conn.send_oneway("one", {"k": 1}))
        servers.lt.call(lambda: conn.send_oneway("unknown_oneway", {"k": 2}))
        wait_until(lambda: oneways == [{"k": 1}])
        assert client.quest("echo", {"fine": 1}) == {"fine": 1}


# ---------------------------------------------------------------------------- connection loss


def test_server_closes_mid_quest(servers: Servers, server: FPNNServer) -> None:
    opened: list[int] = []
    closed: list[int] = []
    client = SyncFPNNClient(server.endpoint, on_connected=opened.append,
                            on_closed=closed.append)
    try:
        client.connect()
        first_id = client.connection_id
        errors: list[BaseException] = []

        def blocked() -> None:
            try:
                client.quest("slow", {"delay": 3.0}, timeout=5.0)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=blocked) for _ in range(4)]
        for t in threads:
            t.start()
        rec = Recorder()
        client.quest_callback("slow", {"delay": 3.0}, rec, timeout=5.0)
        wait_until(lambda: servers.slow_started == 5)  # all five are pending on the server
        conn = servers.only_connection(server)
        t0 = time.monotonic()
        servers.lt.call(conn.close)
        for t in threads:
            t.join(2)
        _answer, error = rec.wait()
        assert time.monotonic() - t0 < 1.0
        assert len(errors) == 4
        for exc in [*errors, error]:
            assert isinstance(exc, FPNNConnectionError)
            assert exc.code == ec.CORE_CONNECTION_CLOSED
        wait_until(lambda: closed == [first_id])
        assert not client.connected
        # The next quest reconnects.
        assert client.quest("echo", {"again": 1}) == {"again": 1}
        assert client.connection_id != first_id
        assert opened == [first_id, client.connection_id]
        assert len(rec.calls) == 1
    finally:
        client.close()


def test_reconnect_after_server_restart(servers: Servers) -> None:
    server = servers.start()
    port = server.port
    with SyncFPNNClient(server.endpoint, connect_timeout=1.0) as client:
        assert client.quest("echo", {"n": 1}) == {"n": 1}
        first_id = client.connection_id
        servers.stop(server)
        wait_until(lambda: not client.connected)
        with pytest.raises(FPNNConnectionError):
            client.quest("echo", {"n": 2})  # nothing listens: cannot connect
        servers.start(port=port)
        assert client.quest("echo", {"n": 3}) == {"n": 3}
        assert client.connection_id not in (None, first_id)


def test_close_fails_pending_and_is_idempotent(servers: Servers, server: FPNNServer) -> None:
    closed: list[int] = []
    client = SyncFPNNClient(server.endpoint, on_closed=closed.append)
    client.connect()
    conn_id = client.connection_id
    errors: list[BaseException] = []

    def blocked() -> None:
        try:
            client.quest("slow", {"delay": 3.0})
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=blocked)
    t.start()
    rec = Recorder()
    client.quest_callback("slow", {"delay": 3.0}, rec)
    wait_until(lambda: servers.slow_started == 2)  # both are pending on the server
    t0 = time.monotonic()
    client.close()
    t.join(2)
    assert time.monotonic() - t0 < 0.5
    assert len(errors) == 1 and isinstance(errors[0], FPNNConnectionError)
    assert errors[0].code == ec.CORE_CONNECTION_CLOSED
    _answer, error = rec.wait(0.1)
    assert isinstance(error, FPNNConnectionError) and error.code == ec.CORE_CONNECTION_CLOSED
    assert closed == [conn_id]
    client.close()
    client.close()
    assert closed == [conn_id] and len(rec.calls) == 1
    # A later quest reconnects.
    assert client.quest("echo", {"back": 1}) == {"back": 1}
    client.close()


def test_no_thread_leak(servers: Servers, server: FPNNServer) -> None:
    baseline = threading.active_count()
    client = SyncFPNNClient(server.endpoint)
    for i in range(5):
        assert client.quest("echo", {"i": i}) == {"i": i}
        # Exactly one reader thread (the previous one may still be finishing its exit).
        wait_until(lambda: threading.active_count() == baseline + 1)
        if i % 2:
            client.close()
        else:  # the server drops it: the reader exits on its own
            conn = servers.only_connection(server)
            servers.lt.call(conn.close)
            wait_until(lambda: not client.connected)
    client.close()
    wait_until(lambda: threading.active_count() == baseline)


def test_concurrent_connect_shares_one_attempt(loop_thread: LoopThread) -> None:
    accepted: list[int] = []
    server = FPNNServer("127.0.0.1", 0, on_connect=lambda conn: accepted.append(conn.id))
    server.register("echo", lambda conn, quest: quest.payload)
    loop_thread.run(server.start())
    try:
        client = SyncFPNNClient(server.endpoint)
        barrier = threading.Barrier(8)
        results: list[Any] = []

        def go(i: int) -> None:
            barrier.wait()
            results.append(client.quest("echo", {"i": i}))

        threads = [threading.Thread(target=go, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(5)
        assert sorted(r["i"] for r in results) == list(range(8))
        assert len(accepted) == 1
        client.close()
    finally:
        loop_thread.run(server.close())


# ---------------------------------------------------------------------------- concurrency, seq


def test_32_threads_x_500_quests(server: FPNNServer) -> None:
    client = SyncFPNNClient(server.endpoint, quest_timeout=10.0)
    failures: list[str] = []

    def worker(t: int) -> None:
        try:
            for i in range(500):
                answer = client.quest("echo", {"t": t, "i": i})
                if answer != {"t": t, "i": i}:
                    failures.append(f"{t}/{i}: {answer!r}")
        except BaseException as exc:
            failures.append(f"{t}: {exc!r}")

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    client.close()
    assert failures == []


def test_seq_wraps_and_skips_pending(servers: Servers, server: FPNNServer) -> None:
    with SyncFPNNClient(server.endpoint) as client:
        assert client.quest("seq") == {"seq": 1}
        conn = client._conn
        assert conn is not None
        conn._seqs = itertools.count(0xFFFFFFFE)
        parked = object()
        conn.pending[2] = parked  # type: ignore[assignment]
        got = [client.quest("seq")["seq"] for _ in range(3)]
        assert got == [0xFFFFFFFE, 0xFFFFFFFF, 1]
        assert client.quest("seq") == {"seq": 3}  # 2 is still pending: skipped
        del conn.pending[2]


# ---------------------------------------------------------------------------- keep-alive, bad peers


class RawServer:
    """A bare TCP listener: accepts one client and runs ``behaviour(sock)`` on it."""

    def __init__(self, behaviour: Callable[[socket.socket], None]) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.endpoint = f"127.0.0.1:{self.listener.getsockname()[1]}"
        self.conns: list[socket.socket] = []
        self.behaviour = behaviour
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            sock, _ = self.listener.accept()
        except OSError:
            return
        self.conns.append(sock)
        self.behaviour(sock)

    def close(self) -> None:
        self.listener.close()
        for sock in self.conns:
            sock.close()
        self.thread.join(2)


def test_keepalive_pings_when_idle(servers: Servers, server: FPNNServer) -> None:
    pings: list[float] = []

    def star_ping(conn: Any, quest: Quest) -> dict[str, Any]:
        pings.append(time.monotonic())
        return {"ts": 1}

    server.register("*ping", star_ping)
    with SyncFPNNClient(server.endpoint, keepalive=True, keepalive_interval=0.3,
                        quest_timeout=0.5) as client:
        client.connect()
        wait_until(lambda: len(pings) >= 2, timeout=4.0)
        assert client.connected


def test_keepalive_detects_silent_peer() -> None:
    # The peer accepts and reads but never answers: the connection is declared lost.
    def silent(sock: socket.socket) -> None:
        while sock.recv(65536):
            pass

    raw = RawServer(silent)
    closed: list[int] = []
    client = SyncFPNNClient(raw.endpoint, keepalive=True, keepalive_interval=0.2,
                            keepalive_retries=1, quest_timeout=0.2, on_closed=closed.append)
    try:
        client.connect()
        rec = Recorder()
        client.quest_callback("never", {}, rec, timeout=10.0)
        wait_until(lambda: bool(closed), timeout=3.0)
        _answer, error = rec.wait()
        assert isinstance(error, FPNNConnectionError)
        assert error.code == ec.CORE_CONNECTION_CLOSED
        assert "keep-alive" in error.message
    finally:
        client.close()
        raw.close()


def test_protocol_error_closes_connection() -> None:
    def garbage(sock: socket.socket) -> None:
        sock.recv(65536)
        sock.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        while sock.recv(65536):
            pass

    raw = RawServer(garbage)
    client = SyncFPNNClient(raw.endpoint)
    try:
        t0 = time.monotonic()
        with pytest.raises(FPNNConnectionError) as info:
            client.quest("echo", {}, timeout=5.0)
        assert info.value.code == ec.CORE_CONNECTION_CLOSED
        assert time.monotonic() - t0 < 1.0
        assert not client.connected
    finally:
        client.close()
        raw.close()
