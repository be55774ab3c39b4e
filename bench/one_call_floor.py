"""One call at a time: how close the blocking client is to a client that does nothing else.

Three clients take turns in blocks against the answer server (another process): the
reference asyncio loop, a *raw* blocking socket (encode a quest, ``send``, blocking
``recv``, decode: no session, no locks, no threads) and ``SyncFPNNClient`` (with and
without ``busy_poll``). The raw client is the floor of any client that sleeps while it waits:
its ratio to the reference loop is what the sleep and the server leave to client code.

    python bench/one_call_floor.py [--quests N] [--block B] [--busy-poll SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PAYLOAD, answer_server, async_runner, blocking_runner, measure_interleaved
from reference_loop import connect as ref_connect

from rtm.fpnn import codec
from rtm.fpnn.sync_client import SyncFPNNClient


def raw_client(port: int) -> tuple[socket.socket, Callable[[], Any]]:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    seq = 0

    def quest() -> Any:
        nonlocal seq
        seq += 1
        sock.send(codec.encode_quest("sendmsg", PAYLOAD, seq))
        return codec.FrameDecoder().feed(sock.recv(65536))  # one small answer per recv

    return sock, quest


async def compare(port: int, quests: int, block: int, busy_poll: float) -> dict[str, Any]:
    sock, raw = raw_client(port)
    sync = SyncFPNNClient(f"127.0.0.1:{port}", quest_timeout=30.0)
    polling = SyncFPNNClient(f"127.0.0.1:{port}", quest_timeout=30.0, busy_poll=busy_poll)
    proto = await ref_connect("127.0.0.1", port, None, 128, True)
    ref_quest, sync_quest, poll_quest = proto.quest, sync.quest, polling.quest
    try:
        return await measure_interleaved({
            "reference loop": async_runner(lambda: ref_quest(b"sendmsg", PAYLOAD), 1),
            "raw socket": blocking_runner(raw),
            "SyncFPNNClient": blocking_runner(lambda: sync_quest("sendmsg", PAYLOAD)),
            f"busy_poll={busy_poll * 1e6:g} µs": blocking_runner(
                lambda: poll_quest("sendmsg", PAYLOAD)),
        }, quests, block)
    finally:
        proto.transport.close()
        sync.close()
        polling.close()
        sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quests", type=int, default=10000)
    parser.add_argument("--block", type=int, default=250)
    parser.add_argument("--busy-poll", type=float, default=0.0002)
    args = parser.parse_args()
    with answer_server() as port:
        stats = asyncio.run(compare(port, args.quests, args.block, args.busy_poll))
    ref = stats["reference loop"]
    print(f"{'client':<22} | {'p50 µs':>8} {'×ref':>5} | {'CPU µs':>7} {'×ref':>5}")
    for name, s in stats.items():
        print(f"{name:<22} | {s['p50_us']:>8.1f} {s['p50_us'] / ref['p50_us']:>5.2f} | "
              f"{s['cpu_us']:>7.1f} {s['cpu_us'] / ref['cpu_us']:>5.2f}")


if __name__ == "__main__":
    main()
