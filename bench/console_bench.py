"""Cost of the web console: persisted ``sendmsg``/s with the console off vs on with one live
page connected, and whether the live page keeps up.

Each round starts ``python -m rtm.server`` twice on a fresh database: ``--no-console``, then
the console on a free port with one live-page client (an aiohttp WebSocket, as the browser's
live.js, in its own process like a browser) reading batches while one SDK connection sends
with 100 calls in flight. Rounds
alternate so both modes see the same machine conditions. Reported: msg/s (median of rounds),
the slowdown, the server's CPU per message, and for the live page: batches/s, the longest
gap between two batches, events shown vs not shown (sampled) per second.

    python bench/console_bench.py [--sends N] [--rounds N]
    python bench/console_bench.py --live-page CONSOLE_URL   # the live-page process
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEV_PID, DEV_SECRET, LocalServer, async_runner, summarize

from rtm import AsyncRTMServerClient
from rtm.server.console.app import LIVE_CAP, LIVE_INTERVAL
from rtm.server.console.live import LiveRecorder, Subscription, batch_message


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class LivePage:
    """One live page: reads the batches the console sends, like static/live.js."""

    def __init__(self, console_url: str) -> None:
        self.url = console_url.rstrip("/")
        self.batches = 0
        self.shown = 0
        self.dropped = 0
        self.gaps: list[float] = []
        self._last = 0.0
        self._task: asyncio.Task[None] | None = None
        self._session: Any = None

    async def __aenter__(self) -> LivePage:
        import aiohttp

        self._session = aiohttp.ClientSession()
        ws = await self._session.ws_connect(f"{self.url}/p/{DEV_PID}/live/ws",
                                            headers={"Origin": self.url})
        hello = await ws.receive_json(timeout=10)
        assert hello["type"] == "hello"
        self._task = asyncio.get_running_loop().create_task(self._read(ws))
        return self

    async def _read(self, ws: Any) -> None:
        async for msg in ws:
            batch = msg.json()
            if batch.get("type") != "batch":
                continue
            now = time.perf_counter()
            if self._last:
                self.gaps.append(now - self._last)
            self._last = now
            self.batches += 1
            self.shown += len(batch["events"])
            self.dropped += batch["dropped"]

    def reset(self) -> None:
        self.batches = self.shown = self.dropped = 0
        self.gaps = []
        self._last = 0.0

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
        await self._session.close()


async def _live_page_process(console_url: str) -> None:
    """``--live-page``: read batches until stdin closes, then print the figures as JSON."""
    loop = asyncio.get_running_loop()
    async with LivePage(console_url) as page:
        print("ready", flush=True)
        await loop.run_in_executor(None, sys.stdin.readline)  # "go": count from now
        page.reset()
        started = time.perf_counter()
        await loop.run_in_executor(None, sys.stdin.readline)  # EOF or "stop"
        seconds = time.perf_counter() - started
    print(json.dumps({
        "live_batches_per_s": page.batches / seconds,
        "live_max_gap_ms": max(page.gaps, default=0.0) * 1000,
        "live_mean_gap_ms": statistics.fmean(page.gaps) * 1000 if page.gaps else 0.0,
        "live_shown_per_s": page.shown / seconds,
        "live_not_shown_per_s": page.dropped / seconds,
        "live_seen": page.shown + page.dropped,
    }), flush=True)


async def _send(server: LocalServer, total: int, inflight: int,
                console: bool) -> dict[str, Any]:
    page: subprocess.Popen[str] | None = None
    if console:
        page = subprocess.Popen([sys.executable, __file__, "--live-page", server.console_url],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert page.stdout is not None and page.stdin is not None
        if page.stdout.readline().strip() != "ready":
            raise RuntimeError("the live-page process did not connect")
    try:
        async with AsyncRTMServerClient(DEV_PID, DEV_SECRET, server.endpoint) as rtm:
            for i in range(200):  # warm-up
                await rtm.send_message(1, 2 + i, 30, "warm-up")
            if page is not None:
                assert page.stdin is not None
                page.stdin.write("go\n")
                page.stdin.flush()
            cpu0 = _cpu_seconds(server.pid)
            run = async_runner(lambda: rtm.send_message(1000, 1001, 30, "hello, console"),
                               inflight)
            latencies, wall, cpu = await run(total)
            server_cpu = _cpu_seconds(server.pid) - cpu0
        stats = summarize(latencies, wall, cpu)
        row: dict[str, Any] = {"qps": stats["qps"], "p50_us": stats["p50_us"],
                               "p99_us": stats["p99_us"],
                               "server_cpu_us": server_cpu / total * 1e6}
        if page is not None:
            await asyncio.sleep(0.3)  # the last batch
            out, _ = page.communicate("stop\n", timeout=30)
            row.update(json.loads(out.strip().splitlines()[-1]))
            page = None
        return row
    finally:
        if page is not None:
            page.kill()
            page.wait()


async def _synthetic(rate: int, seconds: float) -> dict[str, Any]:
    """The live stream alone at ``rate`` quests/s: a recorder fed sendmsg-sized events in
    10 ms steps, one live page's batches taken and encoded every LIVE_INTERVAL."""
    rec = LiveRecorder({DEV_PID: "bench"})
    sub = Subscription(rec, DEV_PID, cap=LIVE_CAP, backlog=0)
    payload = {"pid": DEV_PID, "sign": "0123456789ABCDEF0123456789ABCDEF", "salt": 12345,
               "ts": 1700000000, "mtype": 30, "from": 100, "to": 200,
               "mid": 1700000000000123, "msg": "hello, world", "attrs": ""}
    answer = {"mtime": 1700000000123}
    record_cpu = tick_cpu = 0.0
    shown = dropped = batches = 0
    step = 0.01
    t0 = time.perf_counter()
    next_tick = t0 + LIVE_INTERVAL
    while time.perf_counter() - t0 < seconds:
        due = int(rate * (time.perf_counter() - t0)) - rec.last_seq(DEV_PID)
        c0 = time.process_time()
        for _ in range(max(0, due)):
            rec.record("in", "server", "sendmsg", DEV_PID, payload, answer, 0, "", 0.0001,
                       "127.0.0.1:1", None)
        record_cpu += time.process_time() - c0
        if time.perf_counter() >= next_tick:
            next_tick += LIVE_INTERVAL
            c0 = time.process_time()
            batch = sub.next_batch()
            if batch is not None:
                json.dumps(batch_message(batch), ensure_ascii=False)
                batches += 1
                shown += len(batch.events)
                dropped += batch.dropped
            tick_cpu += time.process_time() - c0
        await asyncio.sleep(step)
    batch = sub.next_batch()
    if batch is not None:
        batches, shown, dropped = batches + 1, shown + len(batch.events), dropped + batch.dropped
    recorded = rec.last_seq(DEV_PID)
    wall = time.perf_counter() - t0
    return {"rate": recorded / wall, "recorded": recorded, "batches_per_s": batches / wall,
            "shown": shown, "not_shown": dropped, "accounted": shown + dropped == recorded,
            "record_us": record_cpu / recorded * 1e6,
            "tick_ms": tick_cpu / max(1, batches) * 1000,
            "cpu_share": (record_cpu + tick_cpu) / wall}


def run(sends: int = 20000, rounds: int = 3, inflight: int = 100) -> dict[str, Any]:
    modes = {"off": ("--no-console",), "on": ("--console-port", "0")}
    runs: dict[str, list[dict[str, Any]]] = {"off": [], "on": []}
    for i in range(rounds):
        for mode in (("off", "on") if i % 2 == 0 else ("on", "off")):
            with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp, \
                    LocalServer(Path(tmp) / "console.db", *modes[mode]) as server:
                if mode == "on" and not server.console_url:
                    raise RuntimeError("the server printed no console URL (aiohttp missing?)")
                row = asyncio.run(_send(server, sends, inflight, mode == "on"))
            runs[mode].append(row)
            print(f"  round {i + 1}, console {mode:>3}: {row['qps']:>8,.0f} msg/s, "
                  f"server CPU {row['server_cpu_us']:.1f} µs/msg", flush=True)
    result: dict[str, Any] = {"messages": sends, "inflight": inflight, "rounds": rounds}
    for mode, rows in runs.items():
        result[mode] = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    off, on = result["off"]["qps"], result["on"]["qps"]
    result["slowdown"] = 1 - on / off
    result["synthetic"] = asyncio.run(_synthetic(10_000, 3.0))
    return result


def describe(result: dict[str, Any]) -> list[str]:
    off, on = result["off"], result["on"]
    return [
        f"persisted sendmsg, 1 SDK connection x {result['inflight']} in flight: console off "
        f"{off['qps']:,.0f} msg/s, on with a live page {on['qps']:,.0f} msg/s "
        f"(slowdown {result['slowdown'] * 100:.1f} %); server CPU {off['server_cpu_us']:.1f} "
        f"vs {on['server_cpu_us']:.1f} µs/msg",
        f"live page at {on['qps']:,.0f} quests/s: {on['live_batches_per_s']:.1f} batches/s "
        f"(mean gap {on['live_mean_gap_ms']:.0f} ms, max {on['live_max_gap_ms']:.0f} ms), "
        f"{on['live_shown_per_s']:,.0f} events/s shown, {on['live_not_shown_per_s']:,.0f}/s "
        f"counted as not shown (sampling)",
        f"live stream alone at {result['synthetic']['rate']:,.0f} quests/s: record "
        f"{result['synthetic']['record_us']:.1f} µs/quest, one batch "
        f"{result['synthetic']['tick_ms']:.2f} ms every {LIVE_INTERVAL * 1000:.0f} ms "
        f"({result['synthetic']['batches_per_s']:.1f}/s), "
        f"{result['synthetic']['shown']:,} shown + {result['synthetic']['not_shown']:,} not "
        f"shown = {result['synthetic']['recorded']:,} recorded: "
        f"{'all accounted for' if result['synthetic']['accounted'] else 'MISMATCH'}; "
        f"{result['synthetic']['cpu_share'] * 100:.1f} % of one core",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--live-page", metavar="CONSOLE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.live_page:
        asyncio.run(_live_page_process(args.live_page))
        return 0
    result = run(args.sends, args.rounds)
    print("\n".join(describe(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
