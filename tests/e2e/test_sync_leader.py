"""Leader/follower read side of the blocking FPNN client: a caller with nobody reading reads
its own answer in its own thread; with many threads, callbacks and pushes mixed, nothing is
lost; timeouts and connection losses reach a caller that holds the read side."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from transport_drivers import LoopThread, Servers

import rtm.fpnn.sync_client as sync_client
from helpers import wait_until
from rtm import AsyncRTMServerClient, RTMServerClient
from rtm.fpnn.codec import Quest
from rtm.fpnn.errors import ClientClosedError, FPNNConnectionError, FPNNError, FPNNTimeoutError
from rtm.fpnn.server import FPNNServer
from rtm.fpnn.sync_client import SyncConnectionInfo, SyncFPNNClient
from rtm.testing import RTMProject


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


@pytest.fixture
def read_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the threads that take turns of the read side."""
    names: list[str] = []
    original = sync_client._Connection._read_once

    def recording(self: Any, limit: float | None) -> None:
        names.append(threading.current_thread().name)
        original(self, limit)

    monkeypatch.setattr(sync_client._Connection, "_read_once", recording)
    return names


def _slow_quest_in_thread(client: SyncFPNNClient) -> tuple[threading.Thread, list[BaseException]]:
    """A started thread blocked on a ``slow`` quest of 5 s; what it raises lands in the list."""
    errors: list[BaseException] = []

    def wait_slow() -> None:
        try:
            client.quest("slow", {"delay": 5.0})
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=wait_slow)
    thread.start()
    return thread, errors


def test_one_thread_reads_its_own_answers(server: FPNNServer, read_threads: list[str]) -> None:
    with SyncFPNNClient(server.endpoint) as client:
        for i in range(300):
            assert client.quest("echo", {"i": i}) == {"i": i}
    mine = read_threads.count(threading.current_thread().name)
    # The reader answers the first quests; then the caller keeps the read side between
    # calls (the reader only takes it back after an idle spell).
    assert mine >= 150, f"{mine} of {len(read_threads)} reads in the calling thread"


@pytest.mark.parametrize("busy_poll", [0.0, 0.005])
def test_threads_callbacks_and_pushes_mixed(servers: Servers, server: FPNNServer,
                                            busy_poll: float) -> None:
    pushes: list[int] = []

    def on_push(info: SyncConnectionInfo, quest: Quest) -> dict[str, Any]:
        pushes.append(quest.payload["n"])
        return {"n": quest.payload["n"]}

    client = SyncFPNNClient(server.endpoint, quest_timeout=10.0, busy_poll=busy_poll)
    client.register("push", on_push)
    client.connect()
    failures: list[str] = []
    callbacks: list[Any] = []
    lock = threading.Lock()

    def caller(t: int) -> None:
        try:
            for i in range(200):
                answer = client.quest("echo", {"t": t, "i": i})
                if answer != {"t": t, "i": i}:
                    failures.append(f"{t}/{i}: {answer!r}")
        except BaseException as exc:
            failures.append(f"{t}: {exc!r}")

    def on_answer(answer: dict[str, Any] | None, error: FPNNError | None) -> None:
        with lock:
            callbacks.append(answer if error is None else error)

    def callback_caller() -> None:
        for i in range(300):
            client.quest_callback("echo", {"cb": i}, on_answer)

    def pusher() -> None:
        try:
            for n in range(100):
                if servers.push(server, "push", {"n": n}) != {"n": n}:
                    failures.append(f"push {n}")
        except BaseException as exc:
            failures.append(f"push: {exc!r}")

    threads = [threading.Thread(target=caller, args=(t,)) for t in range(8)]
    threads += [threading.Thread(target=callback_caller), threading.Thread(target=pusher)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    wait_until(lambda: len(callbacks) == 300, 5, "every callback")
    client.close()
    assert failures == []
    assert sorted(pushes) == list(range(100))
    assert sorted(c["cb"] for c in callbacks) == list(range(300))


def test_one_caller_then_threads_then_one_caller(server: FPNNServer,
                                                 read_threads: list[str]) -> None:
    """The read side goes back and forth between a lone caller, the reader and a crowd."""
    with SyncFPNNClient(server.endpoint, quest_timeout=10.0) as client:
        for i in range(50):
            assert client.quest("echo", {"i": i}) == {"i": i}
        results: list[Any] = []

        def go(t: int) -> None:
            results.extend(client.quest("echo", {"t": t, "i": i})["i"] for i in range(100))

        threads = [threading.Thread(target=go, args=(t,)) for t in range(16)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(30)
        assert len(results) == 1600
        for i in range(50):
            assert client.quest("echo", {"again": i}) == {"again": i}
    assert any(name.startswith("fpnn-reader-") for name in read_threads)


def test_timeout_while_holding_the_read_side(servers: Servers, server: FPNNServer) -> None:
    with SyncFPNNClient(server.endpoint) as client:
        for i in range(20):
            client.quest("echo", {"i": i})
        with pytest.raises(FPNNTimeoutError):
            client.quest("slow", {"delay": 2.0}, timeout=0.1)
        # the timeout fired on its own, not when the answer came (2 s after the quest)
        assert servers.slow_done == 0
        # The late answer is dropped; the next quests get their own answers.
        wait_until(lambda: servers.slow_done == 1, 15, "the late answer")
        for i in range(20):
            assert client.quest("echo", {"after": i}) == {"after": i}


def test_connection_lost_under_a_reading_caller(servers: Servers, server: FPNNServer) -> None:
    with SyncFPNNClient(server.endpoint, quest_timeout=10.0) as client:
        for i in range(20):
            client.quest("echo", {"i": i})
        started = time.monotonic()
        th, errors = _slow_quest_in_thread(client)
        wait_until(lambda: servers.slow_started == 1, 3, "the slow quest")
        conn = servers.only_connection(server)
        servers.lt.call(conn.close)
        th.join(3)
        assert not th.is_alive() and time.monotonic() - started < 3
        assert len(errors) == 1 and isinstance(errors[0], FPNNConnectionError)
        assert client.quest("echo", {"back": 1}) == {"back": 1}  # reconnects


def test_close_under_a_reading_caller(servers: Servers, server: FPNNServer) -> None:
    client = SyncFPNNClient(server.endpoint, quest_timeout=10.0)
    for i in range(20):
        client.quest("echo", {"i": i})
    th, errors = _slow_quest_in_thread(client)
    wait_until(lambda: servers.slow_started == 1, 3, "the slow quest")
    client.close()
    th.join(3)
    assert not th.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], (ClientClosedError, FPNNConnectionError))


class _WakeLog(threading.Event):
    """The reader's wake event, also telling the test each time the reader looked up."""

    def __init__(self) -> None:
        super().__init__()
        self.looked = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        woken = super().wait(timeout)
        self.looked.set()
        return woken


def test_a_busy_caller_keeps_the_read_side(server: FPNNServer, read_threads: list[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader does not take the read side back between two calls of a caller that keeps
    calling (it would cost that caller's next call a thread switch): it waits for a spell in
    which no caller read its own answer."""
    wakes: list[_WakeLog] = []
    original = sync_client._Connection.__init__

    def init(self: Any, *args: Any) -> None:
        original(self, *args)
        self.reader_wake = _WakeLog()
        wakes.append(self.reader_wake)

    monkeypatch.setattr(sync_client._Connection, "__init__", init)
    # A longer spell than the default 2 ms, so that a loaded machine's scheduling delays
    # between the reader's look and the caller's next call stay well inside it.
    monkeypatch.setattr(sync_client, "_LINGER", 0.02)
    me = threading.current_thread().name
    with SyncFPNNClient(server.endpoint) as client:
        for i in range(20):
            client.quest("echo", {"warm": i})
        del read_threads[:]
        looked = wakes[0].looked
        token = client._conn.read_token  # type: ignore[union-attr]
        for i in range(100):
            assert client.quest("echo", {"i": i}) == {"i": i}
            # Between two calls the reader wakes up and finds the read side free (unless it
            # took it meanwhile: a caller slower than the linger on a loaded machine).
            looked.clear()
            deadline = time.monotonic() + 5
            while not looked.wait(0.01) and not token.locked():
                assert time.monotonic() < deadline, "the reader never woke up"
    callers_reads = read_threads.count(me)
    # Nearly every call reads its own answer; only a stall of the caller longer than the
    # linger (a loaded machine) lets the reader in.
    assert callers_reads >= 85, f"{callers_reads} of 100 calls read their own answer"


class _RecvLog:
    """A socket stand-in that records the flags of each recv (the socket has no __dict__)."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self.flags: list[int] = []

    def recv(self, size: int, flags: int = 0) -> bytes:
        self.flags.append(flags)
        return self._sock.recv(size, flags)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


@pytest.fixture
def recv_logs(monkeypatch: pytest.MonkeyPatch) -> list[_RecvLog]:
    logs: list[_RecvLog] = []
    original = sync_client._Connection.start

    def start(self: Any) -> None:
        self.sock = _RecvLog(self.sock)
        logs.append(self.sock)
        original(self)

    monkeypatch.setattr(sync_client._Connection, "start", start)
    return logs


@pytest.mark.skipif(not sync_client._USE_RCVTIMEO, reason="Linux: blocking recv by default")
@pytest.mark.parametrize("busy_poll", [0.0, 0.005])
def test_busy_poll_polls_for_the_answer(server: FPNNServer, recv_logs: list[_RecvLog],
                                        read_threads: list[str], busy_poll: float) -> None:
    me = threading.current_thread().name
    with SyncFPNNClient(server.endpoint, busy_poll=busy_poll) as client:
        assert client.busy_poll == busy_poll
        for i in range(200):
            assert client.quest("echo", {"i": i}) == {"i": i}
    polls = recv_logs[0].flags.count(sync_client._DONTWAIT)
    if busy_poll:
        assert polls >= 100, f"{polls} polling receives for 200 calls"
        assert read_threads.count(me) >= 100
    else:
        assert polls == 0


def test_busy_poll_timeouts_kills_threads_and_pushes(servers: Servers,
                                                     server: FPNNServer) -> None:
    """Polling changes how a caller waits, not what it gets: timeouts, a lost connection,
    other threads and pushes behave as without it."""
    pushes: list[int] = []

    def on_push(info: SyncConnectionInfo, quest: Quest) -> dict[str, Any]:
        pushes.append(quest.payload["n"])
        return {}

    client = SyncFPNNClient(server.endpoint, quest_timeout=10.0, busy_poll=0.01)
    client.register("push", on_push)
    try:
        for i in range(20):
            assert client.quest("echo", {"i": i}) == {"i": i}
        with pytest.raises(FPNNTimeoutError):
            client.quest("slow", {"delay": 2.0}, timeout=0.05)
        assert servers.slow_done == 0  # the timeout did not wait for the answer
        failures: list[str] = []

        def caller(t: int) -> None:
            try:
                for i in range(100):
                    if client.quest("echo", {"t": t, "i": i}) != {"t": t, "i": i}:
                        failures.append(f"{t}/{i}")
            except BaseException as exc:
                failures.append(repr(exc))

        threads = [threading.Thread(target=caller, args=(t,)) for t in range(4)]
        for th in threads:
            th.start()
        for n in range(50):
            assert servers.push(server, "push", {"n": n}) == {}
        for th in threads:
            th.join(30)
        assert failures == []
        assert sorted(pushes) == list(range(50))
        wait_until(lambda: servers.slow_done == 1, 15, "the late answer")
        th, errors = _slow_quest_in_thread(client)
        wait_until(lambda: servers.slow_started == 2, 3, "the second slow quest")
        servers.lt.call(servers.only_connection(server).close)
        th.join(3)
        assert not th.is_alive()
        assert len(errors) == 1 and isinstance(errors[0], FPNNConnectionError)
        assert client.quest("echo", {"back": 1}) == {"back": 1}
    finally:
        client.close()


@pytest.mark.parametrize("bad", [-0.001, 0.5, True, "0.001", None])
def test_busy_poll_is_checked(bad: Any) -> None:
    with pytest.raises(ValueError, match="busy_poll"):
        SyncFPNNClient("127.0.0.1:1", busy_poll=bad)


def test_rtm_client_busy_poll(rtm_project: RTMProject) -> None:
    """The blocking RTM client passes busy_poll to its connection; the asyncio client, which
    waits in its event loop, refuses it."""
    with RTMServerClient(rtm_project.pid, rtm_project.secret, rtm_project.endpoint,
                         busy_poll=0.001) as client:
        assert client._fpnn.busy_poll == 0.001
        mids = [client.send_message(7001, 7002, 30, f"polled {i}") for i in range(20)]
        assert all(mtime > 0 for mtime in mids)
        page = client.get_p2p_message(7001, 7002, num=20)
        assert sorted(m.message for m in page.messages) == sorted(
            f"polled {i}" for i in range(20))
    with pytest.raises(ValueError, match="busy_poll"):
        RTMServerClient(rtm_project.pid, rtm_project.secret, rtm_project.endpoint,
                        busy_poll=1.0)
    with pytest.raises(ValueError, match="blocking RTMServerClient"):
        AsyncRTMServerClient(rtm_project.pid, rtm_project.secret, rtm_project.endpoint,
                             busy_poll=0.001)
