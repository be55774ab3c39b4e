"""End users on the local server's client gate, over TCP and over WebSocket: logins per second,
the server's RSS per 1,000 logged-in users, and what the gate's keep-alive pings cost it.

For each transport a fresh ``rtm server --db :memory:`` (another process, loopback only) gets
``--users`` tokens from its server API; then that many end users connect and log in, at most
``--concurrency`` logins at a time (logins/s = users / wall time). RSS per 1,000 = (server RSS
after the logins - before) / users * 1000. Then, with the gate pinging every
``--ping-interval`` s, the server's CPU time over ``--window`` s divided by the pings answered
in that window is the CPU per ping; ``10k users`` is what pinging 10,000 users every 20 s (the
default) costs, in % of one core.

    python bench/endusers.py [--users 2000] [--concurrency 100] [--ping-interval 1] [--window 10]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEV_PID, DEV_SECRET, LocalServer, rss_kib

from rtm.fpnn import FPNNClient
from rtm.fpnn.codec import Quest
from rtm.fpnn.connection import FPNNConnection

_salts = itertools.count(time.time_ns())


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def signed(payload: dict[str, Any]) -> dict[str, Any]:
    salt = next(_salts)
    sign = hashlib.md5(f"{DEV_PID}:{DEV_SECRET}:{salt}".encode()).hexdigest().upper()
    return {"pid": DEV_PID, "salt": salt, "sign": sign, **payload}


class Pings:
    def __init__(self) -> None:
        self.count = 0

    def answer(self, conn: FPNNConnection, quest: Quest) -> dict[str, Any]:
        self.count += 1
        return {}


async def run(transport: str, args: argparse.Namespace) -> dict[str, float]:
    extra = ("--client-ping-interval", str(args.ping_interval),
             "--client-max-connections", str(args.users + 100))
    with LocalServer(":memory:", *extra) as server:
        api = FPNNClient(server.endpoint, quest_timeout=30)
        uids = range(1, args.users + 1)
        tokens: dict[int, str] = {}
        for chunk in range(0, args.users, 500):
            batch = uids[chunk:chunk + 500]
            answers = await asyncio.gather(*(api.quest("gettoken", signed({"uid": uid}))
                                             for uid in batch))
            tokens.update((uid, a["token"]) for uid, a in zip(batch, answers, strict=True))
        endpoint = (server.client_endpoint if transport == "tcp"
                    else f"ws://{server.client_endpoint}/service/websocket")
        pings = Pings()
        users = [FPNNClient(endpoint, connect_timeout=30, quest_timeout=30) for _ in uids]
        for user in users:
            user.register("ping", pings.answer)
        gate = asyncio.Semaphore(args.concurrency)

        async def login(uid: int, user: FPNNClient) -> None:
            async with gate:
                answer = await user.quest("auth", {"pid": DEV_PID, "uid": uid,
                                                   "token": tokens[uid]})
                assert answer == {"ok": True}, answer

        rss0 = rss_kib(server.pid)
        wall0 = time.perf_counter()
        await asyncio.gather(*(login(uid, user) for uid, user in zip(uids, users, strict=True)))
        wall = time.perf_counter() - wall0
        await asyncio.sleep(1)  # let the server settle before reading its memory
        rss1 = rss_kib(server.pid)
        # The pings: the server's CPU over a window, per ping answered in it.
        await asyncio.sleep(args.ping_interval)
        count0, cpu0, t0 = pings.count, cpu_seconds(server.pid), time.perf_counter()
        await asyncio.sleep(args.window)
        count1, cpu1, t1 = pings.count, cpu_seconds(server.pid), time.perf_counter()
        answered = count1 - count0
        per_ping = (cpu1 - cpu0) / answered if answered else float("nan")
        alive = sum(1 for user in users if user.connected)
        for user in users:
            await user.close()
        await api.close()
    return {
        "logins_per_s": args.users / wall,
        "rss_kib_per_1000": (rss1 - rss0) / args.users * 1000,
        "pings_per_s": answered / (t1 - t0),
        "cpu_us_per_ping": per_ping * 1e6,
        "core_pct_10k_users_20s": per_ping * 10_000 / 20 * 100,
        "still_connected": alive,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--ping-interval", type=float, default=1.0)
    parser.add_argument("--window", type=float, default=10.0)
    parser.add_argument("--transports", default="tcp,ws")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 2 * args.users + 1000)
    if soft < want:  # both this process and the server (it inherits the limit)
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    print(f"{args.users} users, ping every {args.ping_interval:g} s, window {args.window:g} s")
    for transport in args.transports.split(","):
        result = asyncio.run(run(transport, args))
        print(f"{transport:>3}: " + ", ".join(
            f"{k} {v:,.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in result.items()),
            flush=True)


if __name__ == "__main__":
    main()
