"""Local RTM server benchmark: the server (``python -m rtm.server``) runs in its own process.

* persisted ``sendmsg``/s through the SDK with 1 and 8 connections (asyncio client, 100
  calls in flight per connection); an answer means the message is committed to SQLite.
  The stored row count is checked afterwards.
* history: ``get_group_message`` p50/p99 (one call at a time, num=20, several access
  patterns) in a group of 500k messages, 1M messages stored. The database is bulk-loaded
  once and cached as ``bench/results/history-<N>.db`` (gitignored).
* memory: server RSS growth per 1,000 logged-in end users (``AsyncEndUserClient``).
* push end to end: one server connection listens to P2P messages with a counting monitor
  while another sends; deliveries per second at the monitor.

    python bench/server_bench.py [--sends N] [--history-messages N] [--users N]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    DEV_PID,
    DEV_SECRET,
    HERE,
    LocalServer,
    Stats,
    async_runner,
    median_stats,
    percentile,
    rss_kib,
    summarize,
)

from rtm import AsyncRTMServerClient, RTMServerMonitor
from rtm.enduser import AsyncEndUserClient

RESULTS = HERE / "results"


def _client(endpoint: str, **kw: Any) -> AsyncRTMServerClient:
    return AsyncRTMServerClient(DEV_PID, DEV_SECRET, endpoint, **kw)


# ---------------------------------------------------------------------------- sendmsg


async def _sends(endpoint: str, connections: int, total: int, inflight: int) -> Stats:
    clients = [_client(endpoint) for _ in range(connections)]
    try:
        for c in clients:
            await c.connect()
            for i in range(50):  # warm-up (also creates the users' rows)
                await c.send_message(1, 2 + i, 30, "warm-up")
        per = total // connections
        runners = []
        for index, c in enumerate(clients):
            send = c.send_message
            uid = 1000 + index * 10
            runners.append(async_runner(
                lambda send=send, uid=uid: send(uid, uid + 1, 30, "hello, local server"),
                inflight))
        results = await asyncio.gather(*(run(per) for run in runners))
    finally:
        for c in clients:
            await c.close()
    latencies = [x for lat, _w, _c in results for x in lat]
    wall = max(w for _l, w, _c in results)
    # CPU of this (client) process is shared by the connections: report it per call.
    cpu = max(c for _l, _w, c in results)
    return summarize(latencies, wall, cpu)


def bench_sends(total: int, rounds: int) -> list[dict[str, Any]]:
    rows = []
    for connections in (1, 8):
        runs = []
        for _ in range(rounds):
            with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp:
                db = Path(tmp) / "sends.db"
                with LocalServer(db) as server:
                    runs.append(asyncio.run(_sends(server.endpoint, connections, total, 100)))
                with sqlite3.connect(db) as conn:
                    stored = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
                expected = total // connections * connections + 50 * connections
                if stored != expected:
                    raise RuntimeError(f"{stored} messages stored, expected {expected}")
        stats = median_stats(runs)
        rows.append({"connections": connections, "inflight_per_connection": 100,
                     "messages": total, **stats})
        print(f"sendmsg, {connections} SDK connection(s) x 100 in flight: "
              f"{stats['qps']:>8,.0f} persisted msg/s   p50 {stats['p50_us'] / 1000:.2f} ms"
              f"   p99 {stats['p99_us'] / 1000:.2f} ms", flush=True)
    return rows


# ---------------------------------------------------------------------------- history


def history_db(messages: int) -> tuple[Path, int, int]:
    """The cached bulk-loaded database: (path, group rows, first mtime)."""
    from store_bench import bulk_load

    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"history-{messages}.db"
    group_rows, t0 = int(messages * 0.5), 1_600_000_000_000
    if not path.exists():
        start = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
        group_rows, t0 = bulk_load(str(tmp), messages)
        tmp.rename(path)
        print(f"bulk-loaded {messages:,} messages in {time.perf_counter() - start:.1f} s "
              f"(cached as {path.relative_to(HERE.parent)})", flush=True)
    return path, group_rows, t0


async def _history(endpoint: str, group_rows: int, t0: int, queries: int
                   ) -> dict[str, list[float]]:
    rng = random.Random(11)
    t_end = t0 + group_rows * 10
    patterns = {
        "newest (desc, end=0)": lambda: (True, 0, 0, 0),
        "desc from random lastid": lambda: (True, 0, 0, rng.randrange(1, group_rows)),
        "asc from random lastid": lambda: (False, 0, 0, rng.randrange(1, group_rows)),
        "asc from random begin": lambda: (False, rng.randrange(t0, t_end), 0, 0),
        "desc to random end": lambda: (True, 0, rng.randrange(t0, t_end), 0),
    }
    out: dict[str, list[float]] = {name: [] for name in patterns}
    async with _client(endpoint) as client:
        get = client.get_group_message
        for _ in range(200):  # warm-up
            await get(1, True, 20, 0, 0, 0)
        perf = time.perf_counter
        for i in range(queries):
            for name, make in patterns.items() if i % 2 == 0 else reversed(patterns.items()):
                desc, begin, end, lastid = make()
                start = perf()
                page = await get(1, desc, 20, begin, end, lastid)
                out[name].append(perf() - start)
                assert page.num <= 20
    return out


def bench_history(messages: int, queries: int) -> dict[str, Any]:
    path, group_rows, t0 = history_db(messages)
    with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp:
        db = Path(tmp) / "history.db"
        shutil.copyfile(path, db)
        with LocalServer(db) as server:
            lat = asyncio.run(_history(server.endpoint, group_rows, t0, queries))
    every = sorted(x for values in lat.values() for x in values)
    result: dict[str, Any] = {
        "messages": messages, "group_messages": group_rows, "queries": len(every),
        "p50_ms": percentile(every, 0.5) * 1e3, "p99_ms": percentile(every, 0.99) * 1e3,
        "patterns": {},
    }
    print(f"history, {messages:,} stored ({group_rows:,} in the group), get_group_message "
          f"num=20 through the SDK: p50 {result['p50_ms']:.2f} ms  p99 {result['p99_ms']:.2f} ms",
          flush=True)
    for name, values in lat.items():
        values.sort()
        p50, p99 = percentile(values, 0.5) * 1e3, percentile(values, 0.99) * 1e3
        result["patterns"][name] = {"p50_ms": p50, "p99_ms": p99}
        print(f"    {name:<26} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms", flush=True)
    return result


# ---------------------------------------------------------------------------- memory


async def _logins(server: LocalServer, users: int) -> tuple[int, int, int]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < users + 256:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, users + 256), hard))
    async with _client(server.endpoint) as admin:
        uids = list(range(50_000, 50_000 + users + 20))
        sem = asyncio.Semaphore(100)

        async def token(uid: int) -> str:
            async with sem:
                return await admin.get_token(uid)

        tokens = await asyncio.gather(*(token(uid) for uid in uids))
        # Warm the gate's code paths with 20 users first, then measure the next ``users``.
        warm = [AsyncEndUserClient(server.client_endpoint, DEV_PID, u, t)
                for u, t in zip(uids[:20], tokens[:20], strict=True)]
        for user in warm:
            assert await user.login()
        await asyncio.sleep(0.5)
        before = rss_kib(server.pid)
        users_list = [AsyncEndUserClient(server.client_endpoint, DEV_PID, u, t)
                      for u, t in zip(uids[20:], tokens[20:], strict=True)]

        async def login(user: AsyncEndUserClient) -> bool:
            async with sem:
                return await user.login()

        ok = await asyncio.gather(*(login(u) for u in users_list))
        if not all(ok):
            raise RuntimeError("some end-user logins failed")
        await asyncio.sleep(1.0)
        after = rss_kib(server.pid)
        online = await admin.get_online_users(uids[20:20 + 200])
        for user in warm + users_list:
            await user.close()
    return before, after, len(online)


def bench_memory(users: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp, \
            LocalServer(Path(tmp) / "memory.db") as server:
        before, after, online = asyncio.run(_logins(server, users))
    per_1000 = (after - before) / users * 1000
    print(f"server RSS: {before / 1024:.1f} MiB with 20 users, {after / 1024:.1f} MiB with "
          f"{users + 20:,}: {per_1000 / 1024:.2f} MiB per 1,000 connected end users "
          f"({per_1000 * 1024 / 1000:,.0f} bytes each)", flush=True)
    return {"users": users, "rss_before_kib": before, "rss_after_kib": after,
            "kib_per_1000_users": per_1000, "online_checked": online}


# ---------------------------------------------------------------------------- push e2e


class _Counter(RTMServerMonitor):
    def __init__(self) -> None:
        self.count = 0
        self.event = asyncio.Event()
        self.expected = 0
        self.last = 0.0

    async def p2p_message(self, *args: Any) -> None:  # type: ignore[override]
        self.count += 1
        if self.count >= self.expected:
            self.last = time.perf_counter()
            self.event.set()


async def _push_e2e(endpoint: str, total: int) -> dict[str, float]:
    monitor = _Counter()
    async with _client(endpoint, monitor=monitor) as listener, _client(endpoint) as sender:
        await listener.set_listen([], [], True, [])
        await sender.send_message(1, 2, 30, "warm-up")
        while monitor.count < 1:
            await asyncio.sleep(0.01)
        monitor.count, monitor.expected = 0, total
        monitor.event.clear()
        start = time.perf_counter()
        runner = async_runner(lambda: sender.send_message(10, 11, 30, "push me"), 100)
        _lat, send_wall, _cpu = await runner(total)
        await asyncio.wait_for(monitor.event.wait(), 60)
    return {"sent_per_s": total / send_wall, "delivered_per_s": total / (monitor.last - start)}


def bench_push_e2e(total: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp, \
            LocalServer(Path(tmp) / "push.db") as server:
        result = asyncio.run(_push_e2e(server.endpoint, total))
    print(f"push end to end: {result['sent_per_s']:,.0f} sendmsg/s in, "
          f"{result['delivered_per_s']:,.0f} monitor deliveries/s out", flush=True)
    return result


def run(sends: int = 20000, rounds: int = 3, history_messages: int = 1_000_000,
        history_queries: int = 400, users: int = 1000, pushes: int = 10000) -> dict[str, Any]:
    return {
        "sendmsg": bench_sends(sends, rounds),
        "history": bench_history(history_messages, history_queries),
        "memory": bench_memory(users),
        "push_e2e": bench_push_e2e(pushes),
    }


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--history-messages", type=int, default=1_000_000)
    parser.add_argument("--history-queries", type=int, default=400,
                        help="queries per access pattern (5 patterns)")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--pushes", type=int, default=10000)
    args = parser.parse_args()
    return run(args.sends, args.rounds, args.history_messages, args.history_queries,
               args.users, args.pushes)


if __name__ == "__main__":
    main()
