"""The local server's message path against the answer server's floor, in the same run.

For each load (1 or 8 SDK connections, 1 or 100 ``send_message`` calls in flight per
connection) the same client code sends ``sendmsg`` in alternating blocks to the local server
(``python -m rtm.server --db :memory:`` or a file) and to bench/answer_server.py, both in their
own processes. The figure that counts is each server process's own CPU per quest, read from
``/proc/<pid>/stat`` (utime + stime) around each block, so the client's work is charged to
neither. Every local-server answer means a committed row; the row count is checked at the end.

    python bench/server_path_bench.py [--sends N] [--src DIR] [--db PATH]

``--baseline-src`` runs a second local server from another source tree (e.g. a ``git
worktree`` of the commit before a change) in the same alternating blocks: "now" and
"before" see the same machine conditions. ``--src`` runs the first one from another tree.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEV_PID, DEV_SECRET, LocalServer, answer_server_process, percentile

from rtm import AsyncRTMServerClient

_TICK = os.sysconf("SC_CLK_TCK")

LOADS = ((1, 1), (1, 100), (8, 100))  # (connections, in flight per connection)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


class _Target:
    """One server process and the SDK connections that load it."""

    def __init__(self, name: str, endpoint: str, pid: int, connections: int) -> None:
        self.name = name
        self.pid = pid
        self.clients = [AsyncRTMServerClient(DEV_PID, DEV_SECRET, endpoint)
                        for _ in range(connections)]
        self.latencies: list[float] = []
        self.wall = 0.0
        self.cpu = 0.0
        self.count = 0
        self.sent = 0

    async def block(self, n: int, inflight: int, uid_base: int) -> None:
        perf = time.perf_counter
        per = n // len(self.clients)
        latencies = self.latencies

        async def one_connection(index: int, client: AsyncRTMServerClient) -> None:
            send = client.send_message
            uid = uid_base + index * 10
            remaining = per

            async def worker() -> None:
                nonlocal remaining
                while remaining > 0:
                    remaining -= 1
                    t0 = perf()
                    await send(uid, uid + 1, 30, "hello, local server")
                    latencies.append(perf() - t0)

            await asyncio.gather(*(worker() for _ in range(min(inflight, per))))

        cpu0, wall0 = process_cpu(self.pid), perf()
        await asyncio.gather(*(one_connection(i, c) for i, c in enumerate(self.clients)))
        self.wall += perf() - wall0
        self.cpu += process_cpu(self.pid) - cpu0
        self.count += per * len(self.clients)

    def stats(self) -> dict[str, float]:
        lat = sorted(self.latencies)
        return {"qps": self.count / self.wall, "server_cpu_us": self.cpu / self.count * 1e6,
                "p50_us": percentile(lat, 0.5) * 1e6, "p99_us": percentile(lat, 0.99) * 1e6}


async def _measure(servers: list[tuple[str, str, int]], connections: int, inflight: int,
                   total: int) -> dict[str, _Target]:
    """Each (name, endpoint, pid) server gets ``total`` sends in alternating blocks."""
    targets = [_Target(name, endpoint, pid, connections) for name, endpoint, pid in servers]
    block = 250 if inflight == 1 else 2000
    block = max(block, connections * inflight)
    try:
        for t in targets:
            for c in t.clients:
                await c.connect()
            await t.block(min(total // 10, 500), inflight, 5_000_000)  # warm-up
            t.sent = t.count
            t.latencies.clear()
            t.wall = t.cpu = 0.0
            t.count = 0
        for i in range(max(1, total // block)):
            for t in targets if i % 2 == 0 else targets[::-1]:
                await t.block(block, inflight, 1000 + 1000 * i)
        for t in targets:
            t.sent += t.count
    finally:
        for t in targets:
            for c in t.clients:
                await c.close()
    return {t.name: t for t in targets}


def _count_rows(path: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM messages").fetchone()[0])


def run(sends: int = 20000, src: Path | None = None, db: str | None = None,
        loads: tuple[tuple[int, int], ...] = LOADS,
        baseline: Path | None = None) -> list[dict[str, Any]]:
    """One row per load: the local server (run from ``src``, default ours) against the answer
    server; with ``baseline``, the local server run from that tree too, in the same
    alternating blocks (``before`` and ``qps_vs_before`` in each row)."""
    rows: list[dict[str, Any]] = []
    with answer_server_process() as (port, answer_pid), \
            tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp:
        for connections, inflight in loads:
            total = sends if inflight > 1 else max(1000, sends // 10)
            path = db or str(Path(tmp) / f"path-{connections}-{inflight}.db")
            old_path = db or str(Path(tmp) / f"before-{connections}-{inflight}.db")
            with contextlib.ExitStack() as stack:
                local = stack.enter_context(LocalServer(path, src=src))
                servers = [("local", local.endpoint, local.pid),
                           ("answer", f"127.0.0.1:{port}", answer_pid)]
                if baseline is not None:
                    old = stack.enter_context(LocalServer(old_path, src=baseline))
                    servers.append(("before", old.endpoint, old.pid))
                measured = asyncio.run(_measure(servers, connections, inflight, total))
            if db is None:
                for name, file in (("local", path), ("before", old_path)):
                    if name in measured and _count_rows(file) != measured[name].sent:
                        raise RuntimeError(f"{name}: {_count_rows(file)} messages stored, "
                                           f"{measured[name].sent} acknowledged")
            ours, ref = measured["local"].stats(), measured["answer"].stats()
            row: dict[str, Any] = {
                "connections": connections, "inflight": inflight, "messages": total,
                "db": db or "file", "local": ours, "answer": ref,
                "cpu_ratio": ours["server_cpu_us"] / ref["server_cpu_us"]}
            line = (f"sendmsg {connections} conn x {inflight:>3} in flight: local "
                    f"{ours['qps']:>7,.0f}/s {ours['server_cpu_us']:6.1f} µs server CPU, "
                    f"p50 {ours['p50_us']:7.0f} µs | answer server {ref['qps']:>7,.0f}/s "
                    f"{ref['server_cpu_us']:5.1f} µs | CPU ×{row['cpu_ratio']:.2f}")
            if "before" in measured:
                before = measured["before"].stats()
                row["before"] = before
                row["before_cpu_ratio"] = before["server_cpu_us"] / ref["server_cpu_us"]
                row["qps_vs_before"] = ours["qps"] / before["qps"]
                line += (f" | before {before['qps']:>7,.0f}/s {before['server_cpu_us']:6.1f} µs"
                         f" (×{row['before_cpu_ratio']:.2f}): now/before "
                         f"{row['qps_vs_before']:.2f}× msg/s")
            rows.append(row)
            print(line, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=20000)
    parser.add_argument("--src", type=Path, default=None,
                        help="run the local server from this source tree (default: ours)")
    parser.add_argument("--db", default=None, help="e.g. :memory: (default: a temporary file)")
    parser.add_argument("--baseline-src", type=Path, default=None,
                        help="also a local server run from this tree (the code before a "
                             "change), in the same alternating blocks")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    for _ in range(args.rounds):
        run(args.sends, args.src, args.db, baseline=args.baseline_src)


if __name__ == "__main__":
    main()
