"""RTM layer benchmark: API calls through the SDK clients, and push handling.

Against bench/answer_server.py in another process (canned answers of the right shape), so
the figures are the SDK's own cost: argument validation, mid, signing, encoding, decoding,
answer parsing. Calls: ``send_message``, ``get_token``, ``get_group_message`` (a 20-message
page) through the asyncio client (1 and 100 in flight), the blocking client (1 and 32
threads) and the blocking client's callback mode (100 outstanding); the rounds of the cases
take turns, so their ratios compare like with like. Push handling: the
answer server floods ``pushmsg`` quests (100 unanswered at most); reported are pushes
answered per second and monitor deliveries per second.

    python bench/rtm_client_bench.py [--calls N] [--rounds R]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    DEV_PID,
    DEV_SECRET,
    Stats,
    answer_server,
    measure_async,
    measure_callbacks,
    measure_threads,
    median_stats,
)

from rtm import AsyncRTMServerClient, RTMServerClient, RTMServerMonitor

CALLS: dict[str, Callable[[Any], Callable[..., Any]]] = {
    "send_message": lambda c: lambda **kw: c.send_message(100, 200, 30, "hello, world", **kw),
    "get_token": lambda c: lambda **kw: c.get_token(100, **kw),
    "get_group_message": lambda c: lambda **kw: c.get_group_message(1, True, 20, 0, 0, 0, **kw),
}


def _async_case(port: int, method: str, total: int, inflight: int) -> Stats:
    async def run() -> Stats:
        async with AsyncRTMServerClient(DEV_PID, DEV_SECRET, f"127.0.0.1:{port}") as client:
            await client.connect()
            return await measure_async(CALLS[method](client), total, inflight)

    return asyncio.run(run())


def _sync_case(port: int, method: str, total: int, threads: int) -> Stats:
    with RTMServerClient(DEV_PID, DEV_SECRET, f"127.0.0.1:{port}") as client:
        client.connect()
        return measure_threads(CALLS[method](client), total, threads)


def _callback_case(port: int, method: str, total: int, inflight: int) -> Stats:
    with RTMServerClient(DEV_PID, DEV_SECRET, f"127.0.0.1:{port}") as client:
        client.connect()
        call = CALLS[method](client)
        return measure_callbacks(lambda done: call(callback=done), total, inflight)


class CountingMonitor(RTMServerMonitor):
    def __init__(self, expected: int) -> None:
        self.count = 0
        self.expected = expected
        self.done = threading.Event()
        self.finished = 0.0

    def p2p_message(self, *args: Any) -> None:
        self.count += 1
        if self.count >= self.expected:
            self.finished = time.perf_counter()
            self.done.set()


class AsyncCountingMonitor(RTMServerMonitor):
    def __init__(self, expected: int) -> None:
        self.count = 0
        self.expected = expected
        self.done = threading.Event()
        self.finished = 0.0

    async def p2p_message(self, *args: Any) -> None:  # type: ignore[override]
        self.count += 1
        if self.count >= self.expected:
            self.finished = time.perf_counter()
            self.done.set()


def _push_case(port: int, client_kind: str, count: int) -> Stats:
    """Flood ``count`` pushes; return answered/s, delivered/s and client CPU µs per push."""
    request = {"count": count, "window": 100}
    endpoint = f"127.0.0.1:{port}"
    if client_kind == "sync":
        monitor: CountingMonitor | AsyncCountingMonitor = CountingMonitor(count)
        with RTMServerClient(DEV_PID, DEV_SECRET, endpoint, monitor=monitor) as client:
            client.connect()
            cpu0, t0 = time.process_time(), time.perf_counter()
            answer = client._fpnn.quest("benchpush", request, timeout=120)
            monitor.done.wait(60)
            cpu = time.process_time() - cpu0
    else:
        monitor = (AsyncCountingMonitor(count) if client_kind == "async (coroutine monitor)"
                   else CountingMonitor(count))

        async def run() -> tuple[dict[str, Any], float, float]:
            async with AsyncRTMServerClient(DEV_PID, DEV_SECRET, endpoint,
                                            monitor=monitor) as client:
                await client.connect()
                cpu0, t0 = time.process_time(), time.perf_counter()
                answer = await client._fpnn.quest("benchpush", request, timeout=120)
                while not monitor.done.is_set():
                    await asyncio.sleep(0.001)
                return answer, t0, time.process_time() - cpu0

        answer, t0, cpu = asyncio.run(run())
    if answer["errors"] or monitor.count != count:
        raise RuntimeError(f"push flood: {answer}, {monitor.count} delivered of {count}")
    return {
        "answered_per_s": answer["answered"] / answer["seconds"],
        "delivered_per_s": count / (monitor.finished - t0),
        "cpu_us": cpu / count * 1e6,
    }


def run(calls: int = 20000, rounds: int = 3, pushes: int = 20000) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    print(f"{'call':<18} {'client':<24} {'load':>10} | {'calls/s':>8} {'p50 µs':>8} "
          f"{'p99 µs':>8} {'CPU µs':>7}", flush=True)
    with answer_server() as port:
        for method in CALLS:
            cases: list[tuple[str, str, int, Callable[[], Stats]]] = []
            for inflight in (1, 100):
                n = calls if inflight > 1 else calls // 4
                cases.append(("async", f"{inflight} in flight", inflight,
                              lambda m=method, n=n, i=inflight: _async_case(port, m, n, i)))
            for threads in (1, 32):
                n = calls if threads > 1 else calls // 4
                cases.append(("sync", f"{threads} thread{'s' if threads > 1 else ''}", threads,
                              lambda m=method, n=n, t=threads: _sync_case(port, m, n, t)))
            cases.append(("sync callback", "100 in flight", 100,
                          lambda m=method: _callback_case(port, m, calls, 100)))
            # Rounds take turns across the cases, so that every case sees the same machine
            # conditions and their ratios (callback vs asyncio) hold on a shared machine.
            runs: list[list[Stats]] = [[] for _ in cases]
            for _ in range(rounds):
                for i, (_client, _load, _level, fn) in enumerate(cases):
                    runs[i].append(fn())
            for (client, load, level, _fn), case_runs in zip(cases, runs, strict=True):
                stats = median_stats(case_runs)
                row = {"layer": "rtm", "call": method, "client": client, "load": load,
                       "level": level, **stats}
                rows.append(row)
                print(f"{method:<18} {client:<24} {load:>10} | {stats['qps']:>8.0f} "
                      f"{stats['p50_us']:>8.1f} {stats['p99_us']:>8.1f} {stats['cpu_us']:>7.2f}",
                      flush=True)
        print(f"{'push handling':<18} {'client':<24} | {'answered/s':>10} {'delivered/s':>11} "
              f"{'CPU µs':>7}", flush=True)
        for kind in ("async", "async (coroutine monitor)", "sync"):
            runs = [_push_case(port, kind, pushes) for _ in range(rounds)]
            stats = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            rows.append({"layer": "push", "client": kind, **stats})
            print(f"{'pushmsg':<18} {kind:<24} | {stats['answered_per_s']:>10.0f} "
                  f"{stats['delivered_per_s']:>11.0f} {stats['cpu_us']:>7.2f}", flush=True)
    return rows


def main() -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--pushes", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    return run(args.calls, args.rounds, args.pushes)


if __name__ == "__main__":
    main()
