"""Benchmark of the end-user unread model in the store (client spec §3.3).

One reader with ``--peers`` P2P sessions and ``--groups`` groups among ``--messages`` stored
messages (the rest are other users' conversations), its read mark half-way through. Prints
the latency p50/p99 of ``getunread`` (which sessions have unread), ``getp2punread`` for 100
peers, and the P2P and group conversation lists.

    .venv/bin/python bench/unread_bench.py                  # 200k stored messages
    .venv/bin/python bench/unread_bench.py --messages 1000000
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
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from rtm.server.store import Kind, Store

PID = 1_000_001
READER = 9_000


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _create_schema(path: str) -> None:
    async with Store(path):
        pass


def bulk_load(path: str, messages: int, peers: int, groups: int) -> None:
    """A tenth of the messages in the reader's conversations, the rest between others."""
    asyncio.run(_create_schema(path))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    t0 = 1_600_000_000_000

    def rows() -> Iterator[tuple[object, ...]]:
        rng = random.Random(7)
        for n in range(messages):
            mtime = t0 + n
            if n % 10:
                a = 20_000 + rng.randrange(5_000)
                yield (PID, int(Kind.P2P), a, a + 1, a, a + 1, n, 30, "other", "", mtime)
            elif n % 20:
                peer = 1 + rng.randrange(peers)
                sender = peer if rng.random() < 0.7 else READER
                yield (PID, int(Kind.P2P), peer, READER, sender, READER + peer - sender, n,
                       30 + n % 3, "p2p", "", mtime)
            else:
                gid = 1 + rng.randrange(groups)
                yield (PID, int(Kind.GROUP), gid, 0, 100 + rng.randrange(50), 0, n, 30,
                       "group", "", mtime)

    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO messages (pid, kind, xa, xb, from_uid, to_uid, mid, mtype, msg, attrs,"
        " mtime) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows())
    conn.executemany("INSERT OR IGNORE INTO sessions VALUES (?,?,?)",
                     [(PID, READER, peer) for peer in range(1, peers + 1)])
    conn.executemany("INSERT INTO group_members VALUES (?,?,?)",
                     [(PID, gid, READER) for gid in range(1, groups + 1)])
    conn.execute("INSERT INTO read_marks VALUES (?,?,?,?,?)",
                 (PID, READER, messages // 2, t0, t0))
    conn.execute("COMMIT")
    conn.close()


async def bench(path: str, peers: int, queries: int) -> dict[str, tuple[float, float]]:
    uids = list(range(1, min(peers, 100) + 1))
    calls: dict[str, Callable[[Store], Awaitable[Any]]] = {
        "getunread": lambda s: s.unread_sessions(PID, READER),
        "getp2punread, 100 peers": lambda s: s.unread_counts(PID, READER, Kind.P2P, uids),
        "getp2pconversationlist": lambda s: s.conversations(PID, READER, [Kind.P2P]),
        "getgroupconversationlist": lambda s: s.conversations(PID, READER, [Kind.GROUP]),
        "getunreadconversationlist": lambda s: s.conversations(
            PID, READER, [Kind.GROUP, Kind.P2P], unread_only=True),
    }
    results: dict[str, tuple[float, float]] = {}
    async with Store(path) as store:
        for label, call in calls.items():
            await call(store)  # warm-up
            lat: list[float] = []
            for _ in range(queries):
                start = time.perf_counter()
                await call(store)
                lat.append((time.perf_counter() - start) * 1000)
            results[label] = (statistics.median(lat), _pct(lat, 0.99))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--peers", type=int, default=200)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory(prefix="rtm-unread-bench-") as tmp:
        path = os.path.join(tmp, "unread.db")
        bulk_load(path, args.messages, args.peers, args.groups)
        print(f"{args.messages:,} messages; the reader: {args.peers} peers, {args.groups} "
              f"groups, {args.messages // 10:,} messages, half of them unread")
        for label, (p50, p99) in asyncio.run(bench(path, args.peers, args.queries)).items():
            print(f"  {label:<28} p50 {p50:8.2f} ms   p99 {p99:8.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
