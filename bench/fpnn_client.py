"""FPNN client benchmark: QPS, latency and client CPU per quest, ours vs the reference loop.

The answer server runs in another process (bench/answer_server.py), so only the client's own
work is charged: CPU per quest = this process's CPU time / quests. Prints a table and returns
rows for bench/run_all.py.

    python bench/fpnn_client.py [--quests N] [--inflight 1,10,100,1000] [--modes plain,...]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reference_loop import connect as ref_connect

from rtm.fpnn import FPNNClient
from rtm.fpnn.crypto import generate_private_key

HERE = Path(__file__).resolve().parent

# An RTM sendmsg-sized quest (spec vector quest_twoway_sendmsg).
PAYLOAD: dict[str, Any] = {
    "pid": 11000001, "sign": "0123456789ABCDEF0123456789ABCDEF", "salt": 1234567890123456789,
    "mtype": 30, "from": 100, "to": 200, "mid": 1700000000000123, "msg": "hello, world",
    "attrs": "",
}

MODES = {
    "plain": None,
    "stream128": (128, True),
    "stream256": (256, True),
    "package128": (128, False),
}


@contextlib.contextmanager
def answer_server(key_pem: bytes | None) -> Iterator[int]:
    """Start bench/answer_server.py in a subprocess; yield its port."""
    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp) / "port"
        cmd = [sys.executable, str(HERE / "answer_server.py"), str(port_file)]
        if key_pem is not None:
            key_file = Path(tmp) / "key.raw"
            key_file.write_bytes(key_pem)
            cmd += ["--key", str(key_file)]
        proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": str(HERE.parent / "src")})
        try:
            for _ in range(200):
                if port_file.exists() and port_file.read_text():
                    break
                time.sleep(0.02)
            yield int(port_file.read_text())
        finally:
            proc.terminate()
            proc.wait()


async def measure(
    quest: Callable[[], Awaitable[Any]], total: int, inflight: int
) -> dict[str, float]:
    """``inflight`` workers each send quests one after another until ``total`` are done."""
    latencies: list[float] = []
    remaining = total
    perf = time.perf_counter

    async def worker() -> None:
        nonlocal remaining
        append = latencies.append
        while remaining > 0:
            remaining -= 1
            t0 = perf()
            await quest()
            append(perf() - t0)

    for _ in range(min(200, total // 10)):  # warm-up
        await quest()
    cpu0, wall0 = time.process_time(), perf()
    await asyncio.gather(*(worker() for _ in range(inflight)))
    cpu, wall = time.process_time() - cpu0, perf() - wall0
    latencies.sort()
    return {
        "qps": total / wall,
        "p50_us": statistics.median(latencies) * 1e6,
        "p99_us": latencies[int(len(latencies) * 0.99) - 1] * 1e6,
        "cpu_us": cpu / total * 1e6,
    }


@contextlib.asynccontextmanager
async def our_client(port: int, key_pem: bytes | None, mode: tuple[int, bool] | None
                     ) -> AsyncIterator[Callable[[], Awaitable[Any]]]:
    client = FPNNClient(f"127.0.0.1:{port}", quest_timeout=30.0)
    if mode is not None and key_pem is not None:
        client.enable_encryption(pem_key_data=key_pem, bits=mode[0], stream=mode[1])
    await client.connect()
    quest = client.quest
    try:
        yield lambda: quest("sendmsg", PAYLOAD)
    finally:
        await client.close()


@contextlib.asynccontextmanager
async def ref_client(port: int, key_pem: bytes | None, mode: tuple[int, bool] | None
                     ) -> AsyncIterator[Callable[[], Awaitable[Any]]]:
    from rtm.fpnn.crypto import load_public_key

    server_key = load_public_key(pem_key_data=key_pem) if key_pem and mode else None
    proto = await ref_connect("127.0.0.1", port, server_key, mode[0] if mode else 128)
    quest = proto.quest
    try:
        yield lambda: quest(b"sendmsg", PAYLOAD)
    finally:
        proto.transport.close()


async def run_mode(mode_name: str, inflights: list[int], total: int) -> list[dict[str, Any]]:
    mode = MODES[mode_name]
    key = generate_private_key("secp256k1") if mode else None
    rows: list[dict[str, Any]] = []
    with answer_server(key.raw() if key else None) as port:
        pem = key.public_pem() if key else None
        for inflight in inflights:
            n = total if inflight > 1 else max(total // 4, 2000)
            result: dict[str, dict[str, float]] = {}
            # The reference loop has no package mode; it is compared in stream mode.
            ref_mode = mode if mode is None or mode[1] else (mode[0], True)
            async with ref_client(port, pem, ref_mode) as quest:
                result["ref"] = await measure(quest, n, inflight)
            async with our_client(port, pem, mode) as quest:
                result["ours"] = await measure(quest, n, inflight)
            rows.append({"layer": "fpnn", "mode": mode_name, "inflight": inflight,
                         "ours": result["ours"], "ref": result["ref"]})
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'mode':<11}{'in flight':>9} | {'QPS':>9}{'p50 µs':>9}{'p99 µs':>9}{'CPU µs':>8}"
          f" | {'ref QPS':>9}{'ref p50':>9}{'ref CPU':>8} | {'QPS ×':>6}{'p50 ×':>6}")
    for r in rows:
        o, f = r["ours"], r["ref"]
        print(f"{r['mode']:<11}{r['inflight']:>9} | {o['qps']:>9.0f}{o['p50_us']:>9.1f}"
              f"{o['p99_us']:>9.1f}{o['cpu_us']:>8.2f} | {f['qps']:>9.0f}{f['p50_us']:>9.1f}"
              f"{f['cpu_us']:>8.2f} | {o['qps'] / f['qps']:>6.2f}{o['p50_us'] / f['p50_us']:>6.2f}")


def main() -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quests", type=int, default=20000)
    parser.add_argument("--inflight", default="1,10,100,1000")
    parser.add_argument("--modes", default="plain,stream128,stream256,package128")
    args = parser.parse_args()
    inflights = [int(x) for x in args.inflight.split(",")]
    rows: list[dict[str, Any]] = []
    for mode_name in args.modes.split(","):
        rows += asyncio.run(run_mode(mode_name, inflights, args.quests))
    print_table(rows)
    return rows


if __name__ == "__main__":
    main()
