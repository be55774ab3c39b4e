"""The end-user client's own costs against a local server (in-process ServerThread, so the
figures include the server's work on the same cores): pushes per second delivered to
``next_push()`` and to a monitor, and the time from a server-side drop to logged in again.

Usage: ``python bench/enduser_client_bench.py [--pushes N] [--drops N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time

from rtm.client import AsyncRTMServerClient
from rtm.enduser import AsyncEndUserClient, EndUserMonitor, P2PMessage
from rtm.server import ServerThread
from rtm.testing import new_project, start_test_server


class Counting(EndUserMonitor):
    def __init__(self, expected: int) -> None:
        self.count = 0
        self.expected = expected
        self.done = threading.Event()

    def p2p_message(self, push: P2PMessage) -> None:
        self.count += 1
        if self.count >= self.expected:
            self.done.set()


async def pushes(server: ServerThread, n: int) -> tuple[float, float]:
    project = new_project(server)
    async with AsyncRTMServerClient(project.pid, project.secret, project.endpoint) as admin:
        monitor = Counting(n)
        user = AsyncEndUserClient(project.client_endpoint, project.pid, 2,
                                  await admin.get_token(2), monitor=monitor,
                                  max_queued_pushes=n + 10)
        assert await user.login()
        started = time.perf_counter()
        for first in range(0, n, 100):
            await asyncio.gather(*(admin.send_message(1, 2, 51, f"m{i}", mid=i + 1)
                                   for i in range(first, min(first + 100, n))))
        for _ in range(n):
            await user.next_push(30)
        queue_s = time.perf_counter() - started
        await asyncio.to_thread(monitor.done.wait, 30)
        monitor_s = time.perf_counter() - started
        await user.close()
    return n / queue_s, n / monitor_s


async def gate_pushes(server: ServerThread, n: int) -> float:
    """Pushes the gate's side of the connection sends as fast as the client answers them
    (no store, no send path): what the client itself handles per second."""
    project = new_project(server)
    async with AsyncRTMServerClient(project.pid, project.secret, project.endpoint) as admin:
        monitor = Counting(n)
        user = AsyncEndUserClient(project.client_endpoint, project.pid, 2,
                                  await admin.get_token(2), monitor=monitor,
                                  max_queued_pushes=n + 10)
        assert await user.login()
        gate = server.server._gate(server.server._client_gate)

        async def push_all() -> None:
            (conn,) = [c for c in gate.connections.values() if c.state.get("uid") == 2]
            for first in range(0, n, 200):
                await asyncio.gather(*(conn.quest("pushmsg", {
                    "from": 1, "to": 2, "mid": i + 1, "mtype": 51, "msg": "x", "attrs": "",
                    "mtime": 1}, 10) for i in range(first, min(first + 200, n))))

        started = time.perf_counter()
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(push_all(), server.loop))
        await asyncio.to_thread(monitor.done.wait, 30)
        seconds = time.perf_counter() - started
        await user.close()
    return n / seconds


async def relogins(server: ServerThread, drops: int) -> list[float]:
    project = new_project(server)
    async with AsyncRTMServerClient(project.pid, project.secret, project.endpoint) as admin:
        user = AsyncEndUserClient(project.client_endpoint, project.pid, 2,
                                  await admin.get_token(2))
        assert await user.login()
        times = []
        gate = server.server._gate(server.server._client_gate)
        for _ in range(drops):
            before = user.logins

            async def drop() -> None:
                for conn in list(gate.connections.values()):
                    conn.close()

            started = time.perf_counter()
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(drop(), server.loop))
            while user.logins == before or not user.logged_in:
                await asyncio.sleep(0.0005)
            times.append((time.perf_counter() - started) * 1000)
        await user.close()
    return times


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pushes", type=int, default=5000)
    parser.add_argument("--drops", type=int, default=30)
    a = parser.parse_args()
    server = start_test_server()
    try:
        queue_rate, monitor_rate = await pushes(server, a.pushes)
        print(f"{a.pushes} P2P pushes: {queue_rate:,.0f}/s to next_push(), "
              f"{monitor_rate:,.0f}/s through the monitor (send + gate + client)")
        rate = await gate_pushes(server, a.pushes)
        print(f"{a.pushes} pushes from the gate's side, answered and through the monitor: "
              f"{rate:,.0f}/s")
        times = await relogins(server, a.drops)
        print(f"re-login after a server-side drop ({a.drops} drops): median "
              f"{statistics.median(times):.1f} ms, max {max(times):.1f} ms")
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
