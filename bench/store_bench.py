"""Benchmark of the local server's SQLite store (``rtm.server.store.Store``).

Prints: message inserts/s with 1 and with N concurrent callers (each insert acknowledged only
after its batch committed), and history page latency p50/p99 with a large stored history.

    .venv/bin/python bench/store_bench.py                 # 200k stored messages
    .venv/bin/python bench/store_bench.py --messages 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

from rtm.server.store import Kind, Store

PID = 1_000_001


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def bench_inserts(path: str, callers: int, total: int) -> tuple[float, float]:
    """Inserts/s with ``callers`` coroutines sending P2P messages concurrently."""
    per_caller = max(1, total // callers)
    async with Store(path) as store:
        # Warm-up (schema, caches).
        await store.send_p2p(PID, 1, 2, 1, 30, "warm-up")

        async def caller(index: int) -> None:
            uid = 10_000 + index
            for i in range(per_caller):
                await store.send_p2p(PID, uid, uid + 1, 1_000 + i, 30, "hello store bench", "")

        start = time.perf_counter()
        await asyncio.gather(*(caller(i) for i in range(callers)))
        elapsed = time.perf_counter() - start
        batch = store.ops / max(1, store.batches)
    return callers * per_caller / elapsed, batch


def bulk_load(path: str, messages: int, group_share: float = 0.5) -> tuple[int, int]:
    """Load ``messages`` rows with executemany: ``group_share`` of them in one big group
    (gid 1), the rest spread over 1000 P2P conversations. Returns (group rows, first mtime)."""
    asyncio.run(_create_schema(path))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    group_rows = int(messages * group_share)
    t0 = 1_600_000_000_000

    def rows() -> Iterator[tuple[object, ...]]:
        rng = random.Random(7)
        p2p_mtime: dict[int, int] = {}
        gi = 0
        for n in range(messages):
            if gi < group_rows and (n % 2 == 0 or n - gi >= messages - group_rows):
                gi += 1
                yield (PID, int(Kind.GROUP), 1, 0, 100 + gi % 500, 0, gi, 30,
                       f"group message {gi}", "", t0 + gi * 10)
            else:
                a = rng.randrange(1000)
                mt = p2p_mtime[a] = p2p_mtime.get(a, t0) + 37
                yield (PID, int(Kind.P2P), 5000 + a, 9000, 5000 + a, 9000, n, 30,
                       f"p2p message {n}", "", mt)

    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO messages (pid, kind, xa, xb, from_uid, to_uid, mid, mtype, msg, attrs,"
        " mtime) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        rows(),
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return group_rows, t0


async def _create_schema(path: str) -> None:
    async with Store(path):
        pass


async def bench_history(path: str, group_rows: int, t0: int, queries: int) -> dict[str, float]:
    """Latency (ms) of history pages in the big group conversation, several access patterns."""
    rng = random.Random(11)
    t_end = t0 + group_rows * 10
    kinds: dict[str, Callable[[], dict[str, Any]]] = {
        "desc newest (end=0)": lambda: {"desc": True},
        "desc from random lastid": lambda: {"desc": True, "lastid": rng.randrange(group_rows)},
        "asc from random lastid": lambda: {"lastid": rng.randrange(group_rows)},
        "asc from random begin": lambda: {"begin": rng.randrange(t0, t_end)},
        "desc to random end": lambda: {"desc": True, "end": rng.randrange(t0, t_end)},
    }
    results: dict[str, float] = {}
    async with Store(path) as store:
        for _ in range(200):  # warm-up
            await store.history(PID, Kind.GROUP, 1, desc=True, num=20)
        for label, make in kinds.items():
            lat: list[float] = []
            for _ in range(queries):
                params = make()
                start = time.perf_counter()
                page = await store.history(PID, Kind.GROUP, 1, num=20, **params)
                lat.append((time.perf_counter() - start) * 1000)
                assert page.num <= 20
            results[f"{label} p50"] = statistics.median(lat)
            results[f"{label} p99"] = _pct(lat, 0.99)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=200_000,
                        help="stored messages for the history benchmark (default 200000)")
    parser.add_argument("--inserts", type=int, default=20_000,
                        help="messages inserted per insert benchmark (default 20000)")
    parser.add_argument("--callers", type=int, default=100,
                        help="concurrent callers of the second insert benchmark (default 100)")
    parser.add_argument("--queries", type=int, default=2000,
                        help="history queries per pattern (default 2000)")
    args = parser.parse_args()

    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory(prefix="rtm-store-bench-") as tmp:
        for callers in (1, args.callers):
            path = os.path.join(tmp, f"inserts-{callers}.db")
            total = args.inserts if callers > 1 else max(1, args.inserts // 4)
            rate, batch = asyncio.run(bench_inserts(path, callers, total))
            print(f"inserts, {callers:>4} concurrent caller(s): {rate:>10,.0f} msg/s"
                  f"  (mean batch {batch:.1f} ops/transaction)")

        path = os.path.join(tmp, "history.db")
        start = time.perf_counter()
        group_rows, t0 = bulk_load(path, args.messages)
        load = time.perf_counter() - start
        size = os.path.getsize(path) / 1e6
        print(f"bulk load {args.messages:,} messages: {load:.1f} s ({size:.0f} MB); "
              f"history in a group of {group_rows:,} messages, num=20:")
        for label, value in asyncio.run(
            bench_history(path, group_rows, t0, args.queries)
        ).items():
            print(f"  {label:<32} {value:7.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
