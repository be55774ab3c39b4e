"""What is particular to the blocking SyncFPNNClient: callback mode, many calling threads,
one shared connect attempt, reader threads. The behaviour both clients share is tested once
for both in test_client_transports.py.

The server runs on an asyncio loop in a background thread; the client is used from plain
threads, as the synchronous RTM SDK uses it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from transport_drivers import LoopThread, Servers, free_port

from helpers import wait_until
from rtm.fpnn import errors as ec
from rtm.fpnn.codec import Quest
from rtm.fpnn.errors import (
    ClientClosedError,
    FPNNAnswerError,
    FPNNConnectionError,
    FPNNError,
    FPNNTimeoutError,
)
from rtm.fpnn.server import FPNNServer
from rtm.fpnn.sync_client import SyncConnectionInfo, SyncFPNNClient


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


# ---------------------------------------------------------------------------- callback mode


def test_callback_mode(servers: Servers, server: FPNNServer) -> None:
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
        wait_until(lambda: servers.slow_done == 1, 2, "the late answer")
        assert client.quest("echo", {"after": 1}) == {"after": 1}  # the late one was dropped
        for rec in (ok, err, late):
            assert len(rec.calls) == 1
        # Answers and timeouts are reported on the reader thread.
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


def test_connect_errors_go_to_the_callback() -> None:
    client = SyncFPNNClient(f"127.0.0.1:{free_port()}", connect_timeout=1.0)
    rec = Recorder()
    client.quest_callback("echo", {}, rec)  # delivered to the callback, not raised
    answer, error = rec.wait()
    assert answer is None and isinstance(error, FPNNConnectionError)
    assert error.code == ec.CORE_INVALID_CONNECTION and len(rec.calls) == 1
    client.close()
    with pytest.raises(ClientClosedError):  # a closed client is a programming error: raised
        client.quest_callback("echo", {}, rec)
    assert len(rec.calls) == 1


def test_push_handlers_see_the_connection(servers: Servers, server: FPNNServer) -> None:
    seen: list[tuple[SyncConnectionInfo, Quest]] = []

    def on_push(info: SyncConnectionInfo, quest: Quest) -> dict[str, Any]:
        seen.append((info, quest))
        info.state["count"] = info.state.get("count", 0) + 1
        return {"count": info.state["count"]}

    with SyncFPNNClient(server.endpoint) as client:
        client.register("push", on_push)
        client.connect()
        assert servers.push(server, "push") == {"count": 1}
        assert servers.push(server, "push") == {"count": 2}  # state is per connection
        info, quest = seen[0]
        assert isinstance(info, SyncConnectionInfo) and info.id == client.connection_id
        assert not info.encrypted and info.peer == server.endpoint
        assert quest.method == "push" and not quest.oneway


# ---------------------------------------------------------------------------- threads


def test_no_thread_leak(servers: Servers, server: FPNNServer) -> None:
    baseline = threading.active_count()
    client = SyncFPNNClient(server.endpoint)
    for i in range(4):
        assert client.quest("echo", {"i": i}) == {"i": i}
        # Exactly one reader thread (the previous one may still be finishing its exit).
        wait_until(lambda: threading.active_count() == baseline + 1, 2, "one reader thread")
        conn = servers.only_connection(server)
        servers.lt.call(conn.close)  # the server drops it: the reader exits on its own
        wait_until(lambda: not client.connected, 2, "the drop")
    client.close()
    wait_until(lambda: threading.active_count() == baseline, 2, "no reader thread left")


def test_concurrent_connect_shares_one_attempt(servers: Servers, server: FPNNServer) -> None:
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
    assert servers.accepted == 1
    client.close()


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
