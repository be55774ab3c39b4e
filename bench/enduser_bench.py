"""Many end users on one local server: logins/s, RSS per 1,000 users, group fan-out.

The server (``python -m rtm.server``) runs in its own process. The end users are minimal
FPNN clients in this process (an ``asyncio.Protocol`` each: the ``auth`` quest, then an empty
answer to every push, counted), so that thousands of them cost this process little and the
figures are the server's:

* logins/s: ``users`` connections opened and authenticated (``auth`` with a token from
  ``gettoken``), 200 at a time;
* RSS per 1,000 end users: the server's resident memory with 20 users, then with all of them;
* fan-out: ``members`` of the users are in one group, every one online; a server
  connection sends ``sendgroupmsg`` (``in_flight`` at a time) and each message must reach
  every member (none lost, none twice). Pushes/s = pushes received / (last push received -
  first send); the server's CPU per push from /proc; push latency = from the send call to the
  push's arrival at a member (p50/p99 over every push), also one message at a time.

Loopback only, bounded counts and a deadline on every wait.

    python bench/enduser_bench.py [--users N] [--members N] [--messages N]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEV_PID, DEV_SECRET, LocalServer, percentile, rss_kib
from server_path_bench import process_cpu

from rtm import AsyncRTMServerClient
from rtm.fpnn import codec

GID = 77
SENDER = 1  # a member that is never online: every online member receives every message


class _Counts:
    """What the end users received: pushes per uid and latencies (seconds)."""

    def __init__(self) -> None:
        self.pushes = 0
        self.per_uid: dict[int, int] = {}
        self.latencies: list[float] = []
        self.last = 0.0
        self.expected = 0
        self.done = asyncio.Event()

    def reset(self, expected: int) -> None:
        self.pushes = 0
        self.per_uid.clear()
        self.latencies = []
        self.expected = expected
        self.done.clear()


class EndUser(asyncio.Protocol):
    """One end-user connection: ``auth``, then answers every push with ``{}``."""

    def __init__(self, uid: int, token: str, counts: _Counts) -> None:
        self.uid = uid
        self.token = token
        self.counts = counts
        self.decoder = codec.FrameDecoder()
        self.transport: asyncio.Transport | None = None
        self.logged_in: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(codec.encode_quest("auth", {
            "pid": DEV_PID, "uid": self.uid, "token": self.token, "version": "bench"}, 1))

    def data_received(self, data: bytes) -> None:
        counts = self.counts
        out: list[bytes] = []
        for m in self.decoder.feed(data):
            if type(m) is codec.Answer:
                if not self.logged_in.done():
                    self.logged_in.set_result(m.payload.get("ok") is True)
                continue
            assert isinstance(m, codec.Quest)
            if not m.oneway:
                out.append(codec.encode_answer(m.seq, {}))
            if m.method == "pushgroupmsg":
                now = time.perf_counter()
                counts.latencies.append(now - float(m.payload["msg"]))
                counts.per_uid[self.uid] = counts.per_uid.get(self.uid, 0) + 1
                counts.pushes += 1
                if counts.pushes >= counts.expected:
                    counts.last = now
                    counts.done.set()
        if out and self.transport is not None:
            self.transport.write(b"".join(out))

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.logged_in.done():
            self.logged_in.set_result(False)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def _tokens(admin: AsyncRTMServerClient, uids: list[int]) -> list[str]:
    sem = asyncio.Semaphore(100)

    async def token(uid: int) -> str:
        async with sem:
            return await admin.get_token(uid)

    return list(await asyncio.gather(*(token(uid) for uid in uids)))


async def _connect_tcp(host: str, port: int, user: EndUser) -> None:
    await asyncio.get_running_loop().create_connection(lambda: user, host, port)


#: How an end user reaches the client gate. A WebSocket connector (frames carried in binary
#: WebSocket messages) goes here once the client gate speaks it; the rest is the same.
CONNECTORS = {"tcp": _connect_tcp}


async def _login_all(host: str, port: int, uids: list[int], tokens: list[str],
                     counts: _Counts, parallel: int = 200,
                     transport: str = "tcp") -> list[EndUser]:
    sem = asyncio.Semaphore(parallel)
    connect = CONNECTORS[transport]

    async def one(uid: int, token: str) -> EndUser:
        async with sem:
            user = EndUser(uid, token, counts)
            await connect(host, port, user)
            if not await asyncio.wait_for(user.logged_in, 60):
                raise RuntimeError(f"login of uid {uid} failed")
            return user

    return list(await asyncio.gather(*(one(u, t) for u, t in zip(uids, tokens, strict=True))))


async def _fanout(admin: AsyncRTMServerClient, counts: _Counts, members: int, messages: int,
                  in_flight: int, server_pid: int) -> dict[str, float]:
    total = messages * members
    counts.reset(total)
    sem = asyncio.Semaphore(in_flight)

    async def send() -> None:
        async with sem:
            await admin.send_group_message(SENDER, GID, 30, repr(time.perf_counter()))

    cpu0, start = process_cpu(server_pid), time.perf_counter()
    await asyncio.gather(*(send() for _ in range(messages)))
    await asyncio.wait_for(counts.done.wait(), 120)
    cpu = process_cpu(server_pid) - cpu0
    lost = total - counts.pushes
    uneven = sum(1 for n in counts.per_uid.values() if n != messages)
    if lost or uneven or len(counts.per_uid) != members:
        raise RuntimeError(f"fan-out: {lost} pushes lost, {uneven} members with a wrong count")
    lat = sorted(counts.latencies)
    return {"pushes": total, "pushes_per_s": total / (counts.last - start),
            "server_cpu_us_per_push": cpu / total * 1e6,
            "latency_p50_ms": percentile(lat, 0.5) * 1e3,
            "latency_p99_ms": percentile(lat, 0.99) * 1e3}


async def _run(server: LocalServer, users: int, members: int, messages: int
               ) -> dict[str, Any]:
    host, port_text = server.client_endpoint.rsplit(":", 1)
    port = int(port_text)
    counts = _Counts()
    result: dict[str, Any] = {"users": users, "members": members}
    async with AsyncRTMServerClient(DEV_PID, DEV_SECRET, server.endpoint) as admin:
        uids = list(range(100_000, 100_000 + users + 20))
        tokens = await _tokens(admin, uids)
        warm = await _login_all(host, port, uids[:20], tokens[:20], counts)
        await asyncio.sleep(0.5)
        before = rss_kib(server.pid)
        cpu0, start = process_cpu(server.pid), time.perf_counter()
        rest = await _login_all(host, port, uids[20:], tokens[20:], counts)
        seconds = time.perf_counter() - start
        result["logins_per_s"] = users / seconds
        result["server_cpu_us_per_login"] = (process_cpu(server.pid) - cpu0) / users * 1e6
        await asyncio.sleep(1.0)
        after = rss_kib(server.pid)
        result["rss_before_kib"], result["rss_after_kib"] = before, after
        result["rss_mib_per_1000"] = (after - before) / users * 1000 / 1024
        print(f"end users: {users:,} logins in {seconds:.2f} s = "
              f"{result['logins_per_s']:,.0f} logins/s "
              f"({result['server_cpu_us_per_login']:.0f} µs server CPU each); server RSS "
              f"{before / 1024:.1f} -> {after / 1024:.1f} MiB = "
              f"{result['rss_mib_per_1000']:.2f} MiB per 1,000 end users", flush=True)

        group = [SENDER, *uids[20:20 + members]]
        for i in range(0, len(group), 100):
            await admin.add_group_members(GID, group[i:i + 100])
        await _fanout(admin, counts, members, 2, 1, server.pid)  # warm-up
        one = await _fanout(admin, counts, members, max(5, messages // 10), 1, server.pid)
        many = await _fanout(admin, counts, members, messages, 10, server.pid)
        result["fanout_one_at_a_time"] = one
        result["fanout"] = many
        for name, r in (("1 message at a time", one), ("10 messages in flight", many)):
            print(f"fan-out to {members:,} online members, {name}: "
                  f"{r['pushes_per_s']:,.0f} pushes/s, none lost; server CPU "
                  f"{r['server_cpu_us_per_push']:.1f} µs per push; push latency p50 "
                  f"{r['latency_p50_ms']:.1f} ms, p99 {r['latency_p99_ms']:.1f} ms", flush=True)
        for user in warm + rest:
            user.close()
    return result


def run(users: int = 10_000, members: int = 1000, messages: int = 60,
        src: Path | None = None) -> dict[str, Any]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = users + 512  # per process: our sockets, and the server's (it inherits the limit)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, need), hard))
        if hard < need:
            users = max(100, hard - 512)
            print(f"file descriptor limit {hard}: {users} end users only", flush=True)
    members = min(members, users)
    with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp, \
            LocalServer(Path(tmp) / "endusers.db", src=src) as server:
        return asyncio.run(_run(server, users, members, messages))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=60)
    parser.add_argument("--src", type=Path, default=None,
                        help="run the local server from this source tree (default: ours)")
    args = parser.parse_args()
    run(args.users, args.members, args.messages, args.src)


if __name__ == "__main__":
    main()
