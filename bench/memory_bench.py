"""Memory per pending quest: 10,000 quests in flight on one connection, never answered.

The peer (bench/answer_server.py --mute, another process) reads everything and answers
nothing. Python allocations are counted with tracemalloc between "connected, idle" and
"10,000 quests sent and pending"; the figure is bytes per pending quest for:

* ``future``: ``FPNNConnection.send_quest`` futures kept in a list (the transport's own state:
  future, pending entry, sequence number);
* ``task``: one task per ``await client.quest(...)`` (what an application holding 10k calls
  in flight pays: the above plus the task and its coroutine frames);
* ``send_message task``: one task per ``await AsyncRTMServerClient.send_message(...)``;

and the same for the reference loop (future, task).

    python bench/memory_bench.py [--quests N]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEV_PID, DEV_SECRET, PAYLOAD, answer_server
from reference_loop import connect as ref_connect

from rtm import AsyncRTMServerClient
from rtm.fpnn import FPNNClient


async def _pending_bytes(start: Callable[[], Any], n: int) -> float:
    """Bytes per pending quest: tracemalloc growth while ``n`` calls of ``start()`` pend."""
    gc.collect()
    await asyncio.sleep(0.05)
    before = tracemalloc.get_traced_memory()[0]
    held = [start() for _ in range(n)]
    await asyncio.sleep(0.3)  # tasks started, every frame written and read by the peer
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    for item in held:
        if isinstance(item, asyncio.Future):
            item.cancel()
    await asyncio.gather(*[h for h in held if isinstance(h, asyncio.Future)],
                         return_exceptions=True)
    return (after - before) / n


async def _measure(port: int, n: int) -> dict[str, float]:
    endpoint = f"127.0.0.1:{port}"
    out: dict[str, float] = {}
    loop = asyncio.get_running_loop()

    def task(make: Callable[[], Awaitable[Any]]) -> Callable[[], asyncio.Task[Any]]:
        async def call() -> Any:
            return await make()
        return lambda: loop.create_task(call())

    client = FPNNClient(endpoint, quest_timeout=120.0)
    conn = await client.connect()
    out["ours: future"] = await _pending_bytes(
        lambda: conn.send_quest("sendmsg", PAYLOAD, 120.0), n)
    quest = client.quest
    out["ours: task"] = await _pending_bytes(
        lambda: loop.create_task(quest("sendmsg", PAYLOAD)), n)
    await client.close()

    ref = await ref_connect("127.0.0.1", port)
    out["ref: future"] = await _pending_bytes(lambda: ref.quest(b"sendmsg", PAYLOAD), n)
    out["ref: task"] = await _pending_bytes(task(lambda: ref.quest(b"sendmsg", PAYLOAD)), n)
    ref.transport.close()

    rtm = AsyncRTMServerClient(DEV_PID, DEV_SECRET, endpoint, quest_timeout=120.0)
    await rtm.connect()
    send = rtm.send_message
    out["ours: send_message task"] = await _pending_bytes(
        lambda: loop.create_task(send(100, 200, 30, "hello, world")), n)
    await rtm.close()
    return out


def run(quests: int = 10000, rounds: int = 3) -> dict[str, float]:
    runs = []
    tracemalloc.start()
    try:
        with answer_server(None, "--mute") as port:
            for _ in range(rounds):
                runs.append(asyncio.run(_measure(port, quests)))
    finally:
        tracemalloc.stop()
    result = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"memory per pending quest, {quests:,} in flight on one connection:", flush=True)
    for name, value in result.items():
        print(f"    {name:<26} {value:7.0f} bytes", flush=True)
    return result


def main() -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quests", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    return run(args.quests, args.rounds)


if __name__ == "__main__":
    main()
