"""SyncFPNNClient benchmark: latency of one quest at a time and QPS with 1 and N threads.

The peer is an ``FPNNServer`` echo running in a separate process, so this process is charged
only the client's own work. For comparison, the same load goes through the asyncio
``FPNNClient`` used as a blocking facade (each call handed to an event-loop thread with
``run_coroutine_threadsafe``: two thread hops per call instead of one).

    python bench/sync_client_bench.py [--quests N] [--threads 32] [--rounds 3]
                                      [--modes plain,stream256,package128]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from rtm.fpnn import FPNNClient, FPNNServer
from rtm.fpnn.crypto import generate_private_key, load_private_key
from rtm.fpnn.sync_client import SyncFPNNClient

# An RTM sendmsg-sized quest (spec vector quest_twoway_sendmsg), echoed back.
PAYLOAD: dict[str, Any] = {
    "pid": 11000001, "sign": "0123456789ABCDEF0123456789ABCDEF", "salt": 1234567890123456789,
    "mtype": 30, "from": 100, "to": 200, "mid": 1700000000000123, "msg": "hello, world",
    "attrs": "",
}

MODES: dict[str, tuple[int, bool] | None] = {
    "plain": None,
    "stream256": (256, True),
    "package128": (128, False),
}

Quest = Callable[[], Any]


# ---------------------------------------------------------------------------- server process


def _serve(pipe: Connection, key_raw: bytes | None) -> None:
    async def main() -> None:
        key = load_private_key(data=key_raw) if key_raw else None
        server = FPNNServer("127.0.0.1", 0, private_key=key)
        server.register("echo", lambda conn, quest: quest.payload)
        await server.start()
        pipe.send(server.port)
        await server.serve_forever()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


@contextlib.contextmanager
def echo_server(key_raw: bytes | None) -> Iterator[int]:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(child, key_raw), daemon=True)
    proc.start()
    try:
        if not parent.poll(10):
            raise RuntimeError("echo server did not start")
        yield int(parent.recv())
    finally:
        proc.terminate()
        proc.join(5)


# ---------------------------------------------------------------------------- measuring


def measure(quest: Quest, total: int, threads: int) -> dict[str, float]:
    """``threads`` threads each send ``total // threads`` quests back to back."""
    for _ in range(min(500, total // 10)):  # warm-up
        quest()
    per_thread = total // threads
    lists: list[list[float]] = [[] for _ in range(threads)]
    barrier = threading.Barrier(threads + 1)
    perf = time.perf_counter

    def worker(out: list[float]) -> None:
        append = out.append
        barrier.wait()
        for _ in range(per_thread):
            t0 = perf()
            quest()
            append(perf() - t0)

    pool = [threading.Thread(target=worker, args=(lists[i],)) for i in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    cpu0, wall0 = time.process_time(), perf()
    for t in pool:
        t.join()
    cpu, wall = time.process_time() - cpu0, perf() - wall0
    latencies = sorted(x for lst in lists for x in lst)
    n = len(latencies)
    return {
        "qps": n / wall,
        "p50_us": statistics.median(latencies) * 1e6,
        "p99_us": latencies[max(int(n * 0.99) - 1, 0)] * 1e6,
        "cpu_us": cpu / n * 1e6,
    }


@contextlib.contextmanager
def sync_client(port: int, pem: bytes | None, mode: tuple[int, bool] | None) -> Iterator[Quest]:
    client = SyncFPNNClient(f"127.0.0.1:{port}", quest_timeout=30.0)
    if mode is not None:
        client.enable_encryption(pem_key_data=pem, bits=mode[0], stream=mode[1])
    client.connect()
    quest = client.quest
    try:
        yield lambda: quest("echo", PAYLOAD)
    finally:
        client.close()


@contextlib.contextmanager
def facade_client(port: int, pem: bytes | None, mode: tuple[int, bool] | None
                  ) -> Iterator[Quest]:
    """The asyncio client behind a blocking facade: the design SyncFPNNClient replaces."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    client = FPNNClient(f"127.0.0.1:{port}", quest_timeout=30.0)
    if mode is not None:
        client.enable_encryption(pem_key_data=pem, bits=mode[0], stream=mode[1])
    asyncio.run_coroutine_threadsafe(client.connect(), loop).result(10)
    submit = asyncio.run_coroutine_threadsafe
    quest = client.quest
    try:
        yield lambda: submit(quest("echo", PAYLOAD), loop).result()
    finally:
        submit(client.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


CLIENTS = {"SyncFPNNClient": sync_client, "asyncio facade": facade_client}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quests", type=int, default=20000, help="quests per measurement")
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds, clients interleaved; each cell is the median over rounds")
    parser.add_argument("--modes", default="plain,stream256")
    args = parser.parse_args()

    header = (f"{'client':<16} {'mode':<10} {'threads':>7} {'QPS':>9} {'p50 µs':>8} "
              f"{'p99 µs':>8} {'CPU µs/q':>9}")
    print(f"median of {args.rounds} rounds; echo server = FPNNServer in another process")
    print(header)
    print("-" * len(header))
    for mode_name in args.modes.split(","):
        mode = MODES[mode_name]
        key = generate_private_key("secp256k1") if mode else None
        pem = key.public_pem() if key else None
        cells: dict[tuple[str, int], list[dict[str, float]]] = {}
        with echo_server(key.raw() if key else None) as port:
            for _ in range(args.rounds):
                for name, factory in CLIENTS.items():
                    with factory(port, pem, mode) as quest:
                        for threads in (1, args.threads):
                            total = args.quests if threads > 1 else max(args.quests // 2, 1000)
                            cells.setdefault((name, threads), []).append(
                                measure(quest, total, threads))
        for (name, threads), runs in cells.items():
            r = {k: statistics.median(run[k] for run in runs) for k in runs[0]}
            print(f"{name:<16} {mode_name:<10} {threads:>7} {r['qps']:>9,.0f} "
                  f"{r['p50_us']:>8.1f} {r['p99_us']:>8.1f} {r['cpu_us']:>9.1f}", flush=True)


if __name__ == "__main__":
    main()
