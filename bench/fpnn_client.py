"""FPNN client benchmark: QPS, latency and client CPU per quest, ours vs the reference loop.

The answer server runs in another process (bench/answer_server.py), so only the client's own
work is charged: CPU per quest = this process's CPU time / quests. For each mode and number
of quests in flight on one connection, the reference loop and our client (both connected to
the same server) take turns in blocks of ``--block`` quests until each sent ``--quests``, so
both see the same machine conditions; ratios are ours / reference over the pooled blocks.
With one quest in flight the blocking ``SyncFPNNClient`` (one calling thread) takes turns too,
with and without ``busy_poll``.

    python bench/fpnn_client.py [--quests N] [--block B] [--inflight 1,10,100,1000]
                                [--modes plain,stream128,stream256,package128]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    PAYLOAD,
    Stats,
    answer_server,
    async_runner,
    blocking_runner,
    measure_interleaved,
)
from reference_loop import connect as ref_connect

from rtm.fpnn import FPNNClient
from rtm.fpnn.crypto import generate_private_key, load_public_key
from rtm.fpnn.sync_client import SyncFPNNClient

Mode = tuple[int, bool] | None
MODES: dict[str, Mode] = {
    "plain": None,
    "stream128": (128, True),
    "stream256": (256, True),
    "package128": (128, False),
}
AsyncQuest = Callable[[], Awaitable[Any]]
BUSY_POLL = 0.0002  # the blocking client's busy_poll in its second 1-in-flight row


@contextlib.asynccontextmanager
async def our_client(port: int, pem: bytes | None, mode: Mode) -> AsyncIterator[AsyncQuest]:
    client = FPNNClient(f"127.0.0.1:{port}", quest_timeout=30.0)
    if mode is not None:
        client.enable_encryption(pem_key_data=pem, bits=mode[0], stream=mode[1])
    await client.connect()
    quest = client.quest
    try:
        yield lambda: quest("sendmsg", PAYLOAD)
    finally:
        await client.close()


@contextlib.asynccontextmanager
async def ref_client(port: int, pem: bytes | None, mode: Mode) -> AsyncIterator[AsyncQuest]:
    server_key = load_public_key(pem_key_data=pem) if mode is not None else None
    bits, stream = mode if mode is not None else (128, True)
    proto = await ref_connect("127.0.0.1", port, server_key, bits, stream)
    quest = proto.quest
    try:
        yield lambda: quest(b"sendmsg", PAYLOAD)
    finally:
        proto.transport.close()
        await asyncio.sleep(0)


@contextlib.contextmanager
def sync_client(port: int, pem: bytes | None, mode: Mode, busy_poll: float = 0.0
                ) -> Iterator[Callable[[], Any]]:
    client = SyncFPNNClient(f"127.0.0.1:{port}", quest_timeout=30.0, busy_poll=busy_poll)
    if mode is not None:
        client.enable_encryption(pem_key_data=pem, bits=mode[0], stream=mode[1])
    client.connect()
    quest = client.quest
    try:
        yield lambda: quest("sendmsg", PAYLOAD)
    finally:
        client.close()


def run_mode(mode_name: str, inflights: list[int], total: int, block: int
             ) -> list[dict[str, Any]]:
    mode = MODES[mode_name]
    key = generate_private_key("secp256k1") if mode else None
    pem = key.public_pem() if key else None
    rows: list[dict[str, Any]] = []
    with answer_server(key.raw() if key else None) as port:
        for inflight in inflights:
            n = total if inflight > 1 else max(total // 2, 2000)
            size = block if inflight > 1 else max(block // 8, 100)
            size = max(size, 4 * inflight)

            async def run(inflight: int = inflight, n: int = n, size: int = size
                          ) -> dict[str, Stats]:
                async with contextlib.AsyncExitStack() as stack:
                    runners = {
                        "ref": async_runner(
                            await stack.enter_async_context(ref_client(port, pem, mode)),
                            inflight),
                        "ours": async_runner(
                            await stack.enter_async_context(our_client(port, pem, mode)),
                            inflight),
                    }
                    if inflight == 1:
                        runners["sync"] = blocking_runner(
                            stack.enter_context(sync_client(port, pem, mode)))
                        runners["sync_poll"] = blocking_runner(stack.enter_context(
                            sync_client(port, pem, mode, BUSY_POLL)))
                    return await measure_interleaved(runners, n, size)

            stats = asyncio.run(run())
            ours, ref = stats["ours"], stats["ref"]
            row: dict[str, Any] = {
                "mode": mode_name, "inflight": inflight, "quests": n, "block": size,
                "ours": ours, "ref": ref,
                "qps_ratio": ours["qps"] / ref["qps"],
                "p50_ratio": ours["p50_us"] / ref["p50_us"],
                "cpu_ratio": ours["cpu_us"] / ref["cpu_us"],
            }
            for name in ("sync", "sync_poll"):
                if name in stats:
                    row[name] = stats[name]
                    row[f"{name}_p50_ratio"] = stats[name]["p50_us"] / ref["p50_us"]
            rows.append(row)
            print(format_row(row), flush=True)
    return rows


HEADER = (f"{'mode':<11}{'in flight':>9} | {'QPS':>8}{'p50 µs':>8}{'p99 µs':>9}{'CPU µs':>7}"
          f" | {'ref QPS':>8}{'ref p50':>8}{'ref CPU':>8} | {'QPS×':>5}{'p50×':>5}")


def format_row(r: dict[str, Any]) -> str:
    o, f = r["ours"], r["ref"]
    line = (f"{r['mode']:<11}{r['inflight']:>9} | {o['qps']:>8.0f}{o['p50_us']:>8.1f}"
            f"{o['p99_us']:>9.1f}{o['cpu_us']:>7.2f} | {f['qps']:>8.0f}{f['p50_us']:>8.1f}"
            f"{f['cpu_us']:>8.2f} | {r['qps_ratio']:>5.2f}{r['p50_ratio']:>5.2f}")
    if "sync" in r:
        s = r["sync"]
        line += (f"   sync client: p50 {s['p50_us']:.1f} µs ({r['sync_p50_ratio']:.2f}× ref),"
                 f" CPU {s['cpu_us']:.1f} µs")
    if "sync_poll" in r:
        s = r["sync_poll"]
        line += (f"; busy_poll: p50 {s['p50_us']:.1f} µs ({r['sync_poll_p50_ratio']:.2f}× ref),"
                 f" CPU {s['cpu_us']:.1f} µs")
    return line


def run(quests: int = 20000, block: int = 2000, inflights: str = "1,10,100,1000",
        modes: str = "plain,stream128,stream256,package128") -> list[dict[str, Any]]:
    print(HEADER, flush=True)
    rows: list[dict[str, Any]] = []
    for mode_name in modes.split(","):
        rows += run_mode(mode_name, [int(x) for x in inflights.split(",")], quests, block)
    return rows


def main() -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quests", type=int, default=20000)
    parser.add_argument("--block", type=int, default=2000,
                        help="quests per client between switches (1 in flight: 1/8 of it)")
    parser.add_argument("--inflight", default="1,10,100,1000")
    parser.add_argument("--modes", default="plain,stream128,stream256,package128")
    args = parser.parse_args()
    return run(args.quests, args.block, args.inflight, args.modes)


if __name__ == "__main__":
    main()
