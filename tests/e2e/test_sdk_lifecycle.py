"""The RTM clients' life cycle against the local server: close() is final, reconnections
re-apply the listen settings before anything else, close() bounds the monitor coroutines.

The regression tests of the issue's faults say which fault they cover.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import warnings
from typing import Any

import pytest

from helpers import async_wait_until, drop_server_connections, wait_until
from rtm import (
    AsyncRTMServerClient,
    ClientClosedError,
    FPNNConnectionError,
    RTMServerClient,
    RTMServerMonitor,
)
from rtm.server import ServerThread
from rtm.testing import RTMProject, new_project, start_test_server


class Monitor(RTMServerMonitor):
    def __init__(self) -> None:
        self.p2p: list[tuple[int, int, int]] = []  # (from, to, mid)
        self.groups: list[tuple[int, int, int]] = []  # (from, gid, mid)

    def p2p_message(self, from_uid: int, to_uid: int, mtype: int, mid: int, *rest: Any) -> None:
        self.p2p.append((from_uid, to_uid, mid))

    def group_message(self, from_uid: int, group_id: int, mtype: int, mid: int,
                      *rest: Any) -> None:
        self.groups.append((from_uid, group_id, mid))


# ----------------------------------------------------------------------------- close is final


def test_a_closed_sync_client_stays_closed(rtm_project: RTMProject) -> None:
    """Fault 4: a call after close() reconnected silently; a late on_connected from a
    background reconnect reset the closing flag, and the listen restore reopened it."""
    p = rtm_project
    client = RTMServerClient(p.pid, p.secret, p.endpoint)
    client.set_listen([], [], True, [])  # a listening client reconnects by itself
    client.close()
    for call in (lambda: client.get_friends(1), client.connect,
                 lambda: client.get_friends(1, callback=lambda *a: None)):
        with pytest.raises(ClientClosedError) as info:
            call()
        assert isinstance(info.value, FPNNConnectionError) and "closed" in str(info.value)
    # What a reconnect racing with close() would report late: nothing may reopen it.
    client._fpnn.on_connected(10**9)  # type: ignore[misc]
    client._fpnn.on_closed(10**9)  # type: ignore[misc]
    assert client._reconnect_thread is None
    assert not client.connected and not client._fpnn.connected
    with pytest.raises(ClientClosedError):
        client.send_message(1, 2, 30, "after close")


async def test_a_closed_async_client_stays_closed(rtm_project: RTMProject) -> None:
    """Fault 4, asyncio client."""
    p = rtm_project
    client = AsyncRTMServerClient(p.pid, p.secret, p.endpoint)
    await client.set_listen([], [], True, [])
    await client.close()
    with pytest.raises(ClientClosedError):
        await client.get_friends(1)
    with pytest.raises(ClientClosedError):
        await client.get_friends(1, callback=lambda *a: None)
    with pytest.raises(ClientClosedError):
        await client.connect()
    client._fpnn.on_connected(10**9)  # type: ignore[misc]
    client._fpnn.on_closed(10**9)  # type: ignore[misc]
    assert client._reconnect_task is None and not client.connected
    await client.close()  # idempotent


def test_close_stops_a_background_reconnect() -> None:
    """A listening client whose server is gone reconnects in the background; close()
    ends that for good: the thread exits and nothing reconnects."""
    server = start_test_server()
    p = new_project(server)
    client = RTMServerClient(p.pid, p.secret, p.endpoint, connect_timeout=0.5)
    try:
        client.set_listen([], [], True, [])
        server.stop()
        wait_until(lambda: client._reconnect_thread is not None, 5, "the background reconnect")
        reconnect = client._reconnect_thread
        assert reconnect is not None
        client.close()
        assert not reconnect.is_alive()
        assert not client.connected
    finally:
        client.close()
        server.stop()


# ----------------------------------------------------------------------------- listen restore


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_listen_calls_made_during_a_reconnect_are_kept(
    kind: str, rtm_server: ServerThread, rtm_project: RTMProject
) -> None:
    """Fault 5: the blocking client let waiting calls go before it wrote the listen
    restore, so an add_listen made during the reconnect could be overwritten by the
    restore's setlisten. Now the restore is the first quest on a new connection."""
    p = rtm_project
    monitor = Monitor()
    admin = RTMServerClient(p.pid, p.secret, p.endpoint)
    admin.add_group_members(5, [1])
    admin.add_group_members(6, [1])
    loop = asyncio.new_event_loop()
    runner = threading.Thread(target=loop.run_forever, daemon=True)
    runner.start()

    def run(coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(10)

    if kind == "sync":
        sync = RTMServerClient(p.pid, p.secret, p.endpoint, monitor=monitor)

        def call(fn: str, *args: Any) -> Any:
            return getattr(sync, fn)(*args)

        def connected_to() -> int | None:
            return sync._fpnn.connection_id
    else:
        asy = AsyncRTMServerClient(p.pid, p.secret, p.endpoint, monitor=monitor)

        def call(fn: str, *args: Any) -> Any:
            return run(getattr(asy, fn)(*args))

        def connected_to() -> int | None:
            conn = asy._fpnn.connection
            return None if conn is None else conn.id
    try:
        call("set_listen", [], [], True, [])
        first = connected_to()
        admin_first = admin._fpnn.connection_id
        drop_server_connections(rtm_server)
        wait_until(lambda: connected_to() != first, 5, "the client to see the drop")
        # The drop closes admin's connection too: a send racing with its reader seeing the
        # FIN would fail with "closed by the peer", which is right but not what this tests.
        wait_until(lambda: admin._fpnn.connection_id != admin_first, 5,
                   "the admin client to see the drop")
        # Calls racing with the background reconnect: each must survive the restore.
        errors: list[BaseException] = []

        def add_listen(gid: int) -> None:
            try:
                call("add_listen", [gid], [], False, [])
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=add_listen, args=(gid,)) for gid in (5, 6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert errors == []
        wait_until(lambda: connected_to() not in (None, first), 5, "the reconnect")
        mid = 700
        for gid in (5, 6):
            admin.send_group_message(1, gid, 30, "g", mid=mid + gid)
        admin.send_message(1, 2, 30, "p", mid=mid)
        wait_until(lambda: len(monitor.groups) == 2 and monitor.p2p, 5,
                   "pushes of both groups and P2P")
        assert sorted(monitor.groups) == [(1, 5, 705), (1, 6, 706)]
    finally:
        if kind == "sync":
            sync.close()
        else:
            run(asy.close())
        admin.close()
        loop.call_soon_threadsafe(loop.stop)
        runner.join(5)


# ----------------------------------------------------------------------------- close grace


async def test_close_cancels_stuck_monitor_coroutines(rtm_project: RTMProject) -> None:
    """Fault 6: close() waited with no time limit for monitor coroutines. Now they get
    close_timeout seconds, then are cancelled; no task and no coroutine is left behind."""
    p = rtm_project
    started = asyncio.Event()
    cancelled: list[bool] = []

    class Stuck(RTMServerMonitor):
        async def p2p_message(self, *args: Any) -> None:  # type: ignore[override]
            started.set()
            try:
                await asyncio.Event().wait()  # never set
            except asyncio.CancelledError:
                cancelled.append(True)
                raise

    client = AsyncRTMServerClient(p.pid, p.secret, p.endpoint, monitor=Stuck(),
                                  close_timeout=0.3)
    sender = AsyncRTMServerClient(p.pid, p.secret, p.endpoint)
    try:
        await client.set_listen([], [], True, [])
        await sender.send_message(1, 2, 30, "stuck", mid=1)
        await asyncio.wait_for(started.wait(), 5)
        loop = asyncio.get_running_loop()
        begun = loop.time()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            await asyncio.wait_for(client.close(), 3)
            gc.collect()
        assert loop.time() - begun < 0.3 + 1.0
        assert cancelled == [True]
        assert not client._tasks
        await async_wait_until(lambda: not [t for t in asyncio.all_tasks()
                                            if "rtm/client.py" in repr(t.get_coro())],
                               2, "no task of the client left")
        assert not [w for w in caught if "never awaited" in str(w.message)]
    finally:
        await client.close()
        await sender.close()
