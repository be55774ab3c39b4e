"""One blocking-style face for both FPNN clients, so a transport test is written once.

``AsyncDriver`` runs an :class:`FPNNClient` on a loop thread, ``BlockingDriver`` wraps a
:class:`SyncFPNNClient`; the tests call both the same way from the test thread (as
httpcore runs one test body on its async and sync cores). The servers run on the same loop
thread (:class:`Servers`), raw peers on threads of their own (:class:`RawPeer`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import socket
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

from rtm.fpnn.client import FPNNClient
from rtm.fpnn.codec import Quest
from rtm.fpnn.connection import FPNNConnection
from rtm.fpnn.errors import FPNNError
from rtm.fpnn.server import FPNNServer, ServerConnection
from rtm.fpnn.session import FPNNSession
from rtm.fpnn.sync_client import SyncFPNNClient

T = TypeVar("T")
TRANSPORTS = ["asyncio", "blocking"]


class LoopThread:
    """An asyncio loop running in a daemon thread; ``run`` executes a coroutine on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-loop",
                                       daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def call(self, fn: Callable[[], T]) -> T:
        async def wrapper() -> T:
            return fn()

        return self.run(wrapper())

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


class Servers:
    """FPNNServers on the loop thread with a few handlers; all closed by ``close_all``.

    ``echo`` returns its payload, ``fail`` raises FPNNError(123456), ``boom`` a RuntimeError,
    ``slow`` answers after ``delay`` s (``slow_started``/``slow_done`` count), ``note`` records
    oneway payloads, ``seq`` answers the quest's seq, ``list`` returns a list (not a map).
    """

    def __init__(self, lt: LoopThread) -> None:
        self.lt = lt
        self.started: list[FPNNServer] = []
        self.oneway_seen: list[dict[str, Any]] = []
        self.seqs: list[int] = []
        self.slow_started = 0
        self.slow_done = 0
        self.accepted = 0

    def start(self, *, port: int = 0, private_key: Any = None, **options: Any) -> FPNNServer:
        server = FPNNServer("127.0.0.1", port, private_key=private_key, **options)
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
            try:
                await asyncio.sleep(quest.payload.get("delay", 1.0))
            finally:
                self.slow_done += 1
            return {"slept": True}

        def note(conn: Any, quest: Quest) -> None:
            self.oneway_seen.append(quest.payload)

        def count(conn: ServerConnection) -> None:
            self.accepted += 1

        server.register("seq", record_seq)
        server.register("fail", fail)
        server.register("boom", boom)
        server.register("slow", slow)
        server.register("note", note)
        server.register("list", lambda conn, quest: ["not", "a", "map"])
        server.on_connect = count
        self.lt.run(server.start())
        self.started.append(server)
        return server

    def stop(self, server: FPNNServer) -> None:
        self.lt.run(server.close())

    def connections(self, server: FPNNServer) -> list[ServerConnection]:
        return self.lt.call(lambda: list(server.connections.values()))

    def only_connection(self, server: FPNNServer) -> ServerConnection:
        from helpers import wait_until

        wait_until(lambda: len(self.connections(server)) == 1, 2.0, "one server connection")
        return self.connections(server)[0]

    def push(self, server: FPNNServer, method: str, payload: dict[str, Any] | None = None,
             timeout: float = 2.0) -> dict[str, Any]:
        """A server -> client twoway quest on the only connection; its answer."""
        conn = self.only_connection(server)
        return self.lt.run(conn.quest(method, payload, timeout=timeout))

    def push_oneway(self, server: FPNNServer, method: str, payload: dict[str, Any]) -> None:
        conn = self.only_connection(server)
        self.lt.call(lambda: conn.send_oneway(method, payload))

    def close_all(self) -> None:
        for server in self.started:
            self.lt.run(server.close())


class ClientDriver:
    """The blocking face of one FPNN client (see the module doc)."""

    kind = ""

    def quest(self, method: str, payload: dict[str, Any] | None = None, *,
              timeout: float | None = None) -> dict[str, Any]:
        raise NotImplementedError

    def start_quest(self, method: str, payload: dict[str, Any] | None = None, *,
                    timeout: float | None = None) -> concurrent.futures.Future[dict[str, Any]]:
        """A quest in flight while the test goes on: its result or exception later."""
        raise NotImplementedError

    def quests(self, calls: list[tuple[str, dict[str, Any] | None]], *,
               timeout: float | None = None) -> list[Any]:
        """Many quests at once; each answer, or the exception it raised, in order."""
        futures = [self.start_quest(m, p, timeout=timeout) for m, p in calls]
        results: list[Any] = []
        for fut in futures:
            try:
                results.append(fut.result(60))
            except Exception as exc:
                results.append(exc)
        return results

    def send_oneway(self, method: str, payload: dict[str, Any] | None = None) -> None:
        raise NotImplementedError

    def connect(self) -> int:
        """Connect now; the connection id."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    @property
    def connection_id(self) -> int | None:
        raise NotImplementedError

    @property
    def connected(self) -> bool:
        raise NotImplementedError

    def register(self, method: str, handler: Callable[[Any, Quest], Any]) -> None:
        raise NotImplementedError

    def enable_encryption(self, **options: Any) -> None:
        raise NotImplementedError

    def with_session(self, fn: Callable[[FPNNSession[Any]], T]) -> T:
        """Run ``fn`` on the current connection's session, where the transport may."""
        raise NotImplementedError

    @property
    def pending_count(self) -> int:
        return self.with_session(lambda s: s.pending_count)

    @property
    def write_buffer_size(self) -> int:
        """Bytes accepted for sending that the OS has not taken yet (session + transport)."""
        raise NotImplementedError

    @property
    def encrypted(self) -> bool:
        return self.with_session(lambda s: s.encrypted)


class AsyncDriver(ClientDriver):
    kind = "asyncio"

    def __init__(self, lt: LoopThread, endpoint: str, **options: Any) -> None:
        self.lt = lt
        self.client = FPNNClient(endpoint, **options)

    def quest(self, method: str, payload: dict[str, Any] | None = None, *,
              timeout: float | None = None) -> dict[str, Any]:
        return self.lt.run(self.client.quest(method, payload, timeout=timeout), 60)

    def start_quest(self, method: str, payload: dict[str, Any] | None = None, *,
                    timeout: float | None = None) -> concurrent.futures.Future[dict[str, Any]]:
        return self.lt.submit(self.client.quest(method, payload, timeout=timeout))

    def quests(self, calls: list[tuple[str, dict[str, Any] | None]], *,
               timeout: float | None = None) -> list[Any]:
        # All sent in one loop tick, as an application gathering them does.
        async def gather() -> list[Any]:
            return await asyncio.gather(*(self.client.quest(m, p, timeout=timeout)
                                          for m, p in calls), return_exceptions=True)

        return self.lt.run(gather(), 60)

    def send_oneway(self, method: str, payload: dict[str, Any] | None = None) -> None:
        self.lt.run(self.client.send_oneway(method, payload))

    def connect(self) -> int:
        return self.lt.run(self.client.connect()).id

    def close(self) -> None:
        self.lt.run(self.client.close())

    @property
    def connection_id(self) -> int | None:
        conn = self.client.connection
        return None if conn is None else conn.id

    @property
    def connected(self) -> bool:
        return self.client.connected

    def register(self, method: str, handler: Callable[[Any, Quest], Any]) -> None:
        self.client.register(method, handler)

    def enable_encryption(self, **options: Any) -> None:
        self.client.enable_encryption(**options)

    def _conn(self) -> FPNNConnection:
        conn = self.client.connection
        assert conn is not None, "not connected"
        return conn

    def with_session(self, fn: Callable[[FPNNSession[Any]], T]) -> T:
        conn = self._conn()
        return self.lt.call(lambda: fn(conn.session))

    @property
    def write_buffer_size(self) -> int:
        conn = self._conn()
        return self.lt.call(lambda: conn.write_buffer_size)


class BlockingDriver(ClientDriver):
    kind = "blocking"

    def __init__(self, endpoint: str, **options: Any) -> None:
        self.client = SyncFPNNClient(endpoint, **options)

    def quest(self, method: str, payload: dict[str, Any] | None = None, *,
              timeout: float | None = None) -> dict[str, Any]:
        return self.client.quest(method, payload, timeout=timeout)

    def start_quest(self, method: str, payload: dict[str, Any] | None = None, *,
                    timeout: float | None = None) -> concurrent.futures.Future[dict[str, Any]]:
        # Callback mode: the quest is in flight when this returns (it may block to connect).
        fut: concurrent.futures.Future[dict[str, Any]] = concurrent.futures.Future()

        def done(answer: dict[str, Any] | None, error: FPNNError | None) -> None:
            if fut.done():  # twice would be a bug: make the test fail loudly
                raise AssertionError(f"callback called twice: {answer!r}, {error!r}")
            if error is not None:
                fut.set_exception(error)
            else:
                fut.set_result(answer or {})

        self.client.quest_callback(method, payload, done, timeout=timeout)
        return fut

    def send_oneway(self, method: str, payload: dict[str, Any] | None = None) -> None:
        self.client.send_oneway(method, payload)

    def connect(self) -> int:
        self.client.connect()
        cid = self.client.connection_id
        assert cid is not None
        return cid

    def close(self) -> None:
        self.client.close()

    @property
    def connection_id(self) -> int | None:
        return self.client.connection_id

    @property
    def connected(self) -> bool:
        return self.client.connected

    def register(self, method: str, handler: Callable[[Any, Quest], Any]) -> None:
        self.client.register(method, handler)

    def enable_encryption(self, **options: Any) -> None:
        self.client.enable_encryption(**options)

    def with_session(self, fn: Callable[[FPNNSession[Any]], T]) -> T:
        conn = self.client._conn
        assert conn is not None, "not connected"
        with conn.lock:
            return fn(conn.session)

    @property
    def write_buffer_size(self) -> int:
        conn = self.client._conn
        assert conn is not None, "not connected"
        with conn.lock:
            return conn.session.output_size + len(conn.unsent)


def make_driver(kind: str, lt: LoopThread, endpoint: str, **options: Any) -> ClientDriver:
    if kind == "asyncio":
        return AsyncDriver(lt, endpoint, **options)
    return BlockingDriver(endpoint, **options)


class RawPeer:
    """A bare TCP listener on a thread: runs ``behaviour(sock, stopping)`` on each accepted
    client; ``stopping`` is set when the peer closes (a behaviour that idles waits on it)."""

    def __init__(self, behaviour: Callable[[socket.socket, threading.Event], None]) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.endpoint = f"127.0.0.1:{self.listener.getsockname()[1]}"
        self.conns: list[socket.socket] = []
        self.behaviour = behaviour
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            self.conns.append(sock)
            threading.Thread(target=self._run, args=(sock,), daemon=True).start()

    def _run(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            self.behaviour(sock, self.stopping)

    def close(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes accept(); close() alone does not
        self.listener.close()
        for sock in self.conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.thread.join(2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def chunks(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i:i + size]
