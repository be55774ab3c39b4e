"""Many end users on one local server, over TCP and over WebSocket: logins/s, RSS per 1,000
users, the CPU of the gate's keep-alive pings, group fan-out pushes/s and push latency.

For each transport a fresh server (``python -m rtm.server``, a database file) runs in its own
process. The end users are minimal FPNN clients in this process (an ``asyncio.Protocol``
each: the ``auth`` quest, then an empty answer to every quest of the server, pushes and pings,
counted), so that thousands of them cost this process little and the figures are the
server's. A WebSocket user does the HTTP upgrade to ``ws://HOST:PORT/service/websocket`` on the
client gate's port, then sends its FPNN frames in masked binary messages and reads the
server's unmasked ones (a bench-sized client side of RFC 6455: one frame per message, no
extensions; the server side is the gate's wsproto).

* logins/s: ``users`` connections opened and authenticated (``auth`` with a token from
  ``gettoken``), 200 at a time;
* RSS per 1,000 end users: the server's resident memory with 20 users, then with all of them;
* pings: the gate pings every logged-in user every ``ping_interval`` s (20 s, the default of
  ``rtm server``); over one whole interval, the server's CPU time (/proc) divided by the
  pings answered is the CPU per ping, and CPU per ping x 10,000 / 20 s is what pinging 10,000
  users at the default interval costs, in % of one core (``--ping-interval 2`` measures
  faster, scaled the same way);
* fan-out: ``members`` of the users are in one group, every one online; a server
  connection sends ``sendgroupmsg`` (``in_flight`` at a time) and each message must reach
  every member (none lost, none twice). Pushes/s = pushes received / (last push received -
  first send); the server's CPU per push from /proc; push latency = from the send call to the
  push's arrival at a member (p50/p99 over every push), also one message at a time.

Loopback only, bounded counts and a deadline on every wait.

    python bench/enduser_bench.py [--users N] [--members N] [--messages N]
                                  [--transports tcp,ws] [--ping-interval S]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import os
import resource
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEV_PID, DEV_SECRET, LocalServer, percentile, rss_kib
from server_path_bench import process_cpu

from rtm import AsyncRTMServerClient
from rtm.fpnn import codec

GID = 77
MTYPE = 51  # a custom type: chat (30) would reach the members as a translation map
SENDER = 1  # a member that is never online: every online member receives every message
TRANSPORTS = ("tcp", "ws")
WS_PATH = "/service/websocket"
_WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 §1.3


class _Counts:
    """What the end users received: pushes per uid, latencies (seconds), pings."""

    def __init__(self) -> None:
        self.pushes = 0
        self.pings = 0
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
    """One end-user connection over TCP: ``auth``, then answers every quest with ``{}``."""

    def __init__(self, uid: int, token: str, counts: _Counts) -> None:
        self.uid = uid
        self.token = token
        self.counts = counts
        self.decoder = codec.FrameDecoder()
        self.transport: asyncio.Transport | None = None
        self.logged_in: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.start()

    def start(self) -> None:
        self.send(codec.encode_quest("auth", {
            "pid": DEV_PID, "uid": self.uid, "token": self.token, "version": "bench"}, 1))

    def send(self, frames: bytes) -> None:
        assert self.transport is not None
        self.transport.write(frames)

    def data_received(self, data: bytes) -> None:
        self.fpnn_received(data)

    def fpnn_received(self, data: bytes) -> None:
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
            method = m.method
            if method == "pushgroupmsg":
                now = time.perf_counter()
                counts.latencies.append(now - float(m.payload["msg"]))
                counts.per_uid[self.uid] = counts.per_uid.get(self.uid, 0) + 1
                counts.pushes += 1
                if counts.pushes >= counts.expected:
                    counts.last = now
                    counts.done.set()
            elif method == "ping":
                counts.pings += 1
        if out:
            self.send(b"".join(out))

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if not self.logged_in.done():
            self.logged_in.set_result(False)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class WebSocketEndUser(EndUser):
    """The same end user inside WebSocket binary messages (see the module doc)."""

    def __init__(self, uid: int, token: str, counts: _Counts, host: str) -> None:
        super().__init__(uid, token, counts)
        self.host = host
        self.key = base64.b64encode(os.urandom(16))
        self.buffer = b""
        self.upgraded = False

    def start(self) -> None:
        assert self.transport is not None
        self.transport.write(
            b"GET " + WS_PATH.encode() + b" HTTP/1.1\r\nHost: " + self.host.encode()
            + b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + self.key + b"\r\nSec-WebSocket-Version: 13\r\n\r\n")

    def send(self, frames: bytes) -> None:
        # One masked binary message (FIN, opcode 2); the gate reassembles FPNN frames.
        assert self.transport is not None
        n = len(frames)
        if n < 126:
            head = bytes((0x82, 0x80 | n))
        elif n < 65536:
            head = bytes((0x82, 0xFE)) + n.to_bytes(2, "big")
        else:
            head = bytes((0x82, 0xFF)) + n.to_bytes(8, "big")
        mask = os.urandom(4)
        masked = (int.from_bytes(frames, "big")
                  ^ int.from_bytes((mask * (n // 4 + 1))[:n], "big")).to_bytes(n, "big")
        self.transport.write(head + mask + masked)

    def data_received(self, data: bytes) -> None:
        buf = self.buffer + data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buf
                return
            head, buf = buf[:end], buf[end + 4:]
            accept = base64.b64encode(hashlib.sha1(self.key + _WS_GUID).digest())
            if not head.startswith(b"HTTP/1.1 101") or accept not in head:
                raise RuntimeError(f"WebSocket upgrade refused: {head[:200]!r}")
            self.upgraded = True
            self.start_fpnn()
        payloads: list[bytes] = []
        pos, size = 0, len(buf)
        while size - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            if b1 & 0x80:
                raise RuntimeError("masked frame from the server")
            n, at = b1 & 0x7F, pos + 2
            if n == 126:
                if size - at < 2:
                    break
                n, at = int.from_bytes(buf[at:at + 2], "big"), at + 2
            elif n == 127:
                if size - at < 8:
                    break
                n, at = int.from_bytes(buf[at:at + 8], "big"), at + 8
            if size - at < n:
                break
            opcode = b0 & 0x0F
            if opcode in (0x0, 0x2):
                payloads.append(buf[at:at + n])
            elif opcode == 0x8:
                self.close()
            else:
                raise RuntimeError(f"unexpected WebSocket opcode {opcode}")
            pos = at + n
        self.buffer = buf[pos:]
        if payloads:
            self.fpnn_received(b"".join(payloads))

    def start_fpnn(self) -> None:
        EndUser.start(self)


async def _tokens(admin: AsyncRTMServerClient, uids: list[int]) -> list[str]:
    sem = asyncio.Semaphore(100)

    async def token(uid: int) -> str:
        async with sem:
            return await admin.get_token(uid)

    return list(await asyncio.gather(*(token(uid) for uid in uids)))


Connector = Callable[[str, int, int, str, _Counts], Awaitable[EndUser]]


async def _connect_tcp(host: str, port: int, uid: int, token: str, counts: _Counts) -> EndUser:
    user = EndUser(uid, token, counts)
    await asyncio.get_running_loop().create_connection(lambda: user, host, port)
    return user


async def _connect_ws(host: str, port: int, uid: int, token: str, counts: _Counts) -> EndUser:
    user = WebSocketEndUser(uid, token, counts, f"{host}:{port}")
    await asyncio.get_running_loop().create_connection(lambda: user, host, port)
    return user


#: How an end user reaches the client gate; everything after the connection is the same.
CONNECTORS: dict[str, Connector] = {"tcp": _connect_tcp, "ws": _connect_ws}


async def _login_all(host: str, port: int, uids: list[int], tokens: list[str],
                     counts: _Counts, transport: str, parallel: int = 200) -> list[EndUser]:
    sem = asyncio.Semaphore(parallel)
    connect = CONNECTORS[transport]

    async def one(uid: int, token: str) -> EndUser:
        async with sem:
            user = await connect(host, port, uid, token, counts)
            if not await asyncio.wait_for(user.logged_in, 60):
                raise RuntimeError(f"login of uid {uid} failed ({transport})")
            return user

    return list(await asyncio.gather(*(one(u, t) for u, t in zip(uids, tokens, strict=True))))


async def _fanout(admin: AsyncRTMServerClient, counts: _Counts, members: int, messages: int,
                  in_flight: int, server_pid: int) -> dict[str, float]:
    total = messages * members
    counts.reset(total)
    sem = asyncio.Semaphore(in_flight)

    async def send() -> None:
        async with sem:
            await admin.send_group_message(SENDER, GID, MTYPE, repr(time.perf_counter()))

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


async def _pings(counts: _Counts, users: list[EndUser], server_pid: int,
                 interval: float) -> dict[str, float]:
    """The server's CPU over one whole ping interval (every user pinged about once), per
    ping answered in it."""
    count0, cpu0, t0 = counts.pings, process_cpu(server_pid), time.perf_counter()
    await asyncio.sleep(interval)
    pings, cpu = counts.pings - count0, process_cpu(server_pid) - cpu0
    seconds = time.perf_counter() - t0
    per_ping = cpu / pings if pings else float("nan")
    lost = sum(1 for user in users if user.lost)
    if lost:
        raise RuntimeError(f"pings: {lost} end users were disconnected")
    return {"interval_s": interval, "pings": pings, "pings_per_s": pings / seconds,
            "server_core_pct": cpu / seconds * 100, "server_cpu_us_per_ping": per_ping * 1e6,
            "core_pct_10k_users_20s": per_ping * 10_000 / 20 * 100}


async def _run(server: LocalServer, transport: str, users: int, members: int, messages: int,
               ping_interval: float) -> dict[str, Any]:
    host, port_text = server.client_endpoint.rsplit(":", 1)
    port = int(port_text)
    counts = _Counts()
    result: dict[str, Any] = {}
    async with AsyncRTMServerClient(DEV_PID, DEV_SECRET, server.endpoint) as admin:
        uids = list(range(100_000, 100_000 + users + 20))
        tokens = await _tokens(admin, uids)
        warm = await _login_all(host, port, uids[:20], tokens[:20], counts, transport)
        await asyncio.sleep(0.5)
        before = rss_kib(server.pid)
        cpu0, start = process_cpu(server.pid), time.perf_counter()
        rest = await _login_all(host, port, uids[20:], tokens[20:], counts, transport)
        seconds = time.perf_counter() - start
        result["logins_per_s"] = users / seconds
        result["server_cpu_us_per_login"] = (process_cpu(server.pid) - cpu0) / users * 1e6
        await asyncio.sleep(1.0)
        after = rss_kib(server.pid)
        result["rss_before_kib"], result["rss_after_kib"] = before, after
        result["rss_mib_per_1000"] = (after - before) / users * 1000 / 1024
        print(f"{transport}: {users:,} logins in {seconds:.2f} s = "
              f"{result['logins_per_s']:,.0f} logins/s "
              f"({result['server_cpu_us_per_login']:.0f} µs server CPU each); server RSS "
              f"{before / 1024:.1f} -> {after / 1024:.1f} MiB = "
              f"{result['rss_mib_per_1000']:.2f} MiB per 1,000 end users", flush=True)

        everyone = warm + rest
        p = result["pings"] = await _pings(counts, everyone, server.pid, ping_interval)
        print(f"{transport}: pings every {ping_interval:g} s to {users + 20:,} users: "
              f"{p['pings']:,} answered in one interval, {p['server_cpu_us_per_ping']:.1f} µs "
              f"server CPU per ping ({p['server_core_pct']:.1f} % of a core); 10,000 users "
              f"every 20 s: {p['core_pct_10k_users_20s']:.2f} % of a core", flush=True)

        group = [SENDER, *uids[20:20 + members]]
        for i in range(0, len(group), 100):
            await admin.add_group_members(GID, group[i:i + 100])
        await _fanout(admin, counts, members, 2, 1, server.pid)  # warm-up
        one = await _fanout(admin, counts, members, max(5, messages // 10), 1, server.pid)
        many = await _fanout(admin, counts, members, messages, 10, server.pid)
        result["fanout_one_at_a_time"] = one
        result["fanout"] = many
        for name, r in (("1 message at a time", one), ("10 messages in flight", many)):
            print(f"{transport}: fan-out to {members:,} online members, {name}: "
                  f"{r['pushes_per_s']:,.0f} pushes/s, none lost; server CPU "
                  f"{r['server_cpu_us_per_push']:.1f} µs per push; push latency p50 "
                  f"{r['latency_p50_ms']:.1f} ms, p99 {r['latency_p99_ms']:.1f} ms", flush=True)
        for user in everyone:
            user.close()
    return result


def run(users: int = 10_000, members: int = 1000, messages: int = 60,
        transports: tuple[str, ...] = TRANSPORTS, ping_interval: float = 20.0,
        src: Path | None = None) -> dict[str, Any]:
    """Each transport against a fresh server; ``{"users", "members", "ping_interval_s",
    "transports": {name: figures}}``."""
    for name in transports:
        if name not in CONNECTORS:
            raise ValueError(f"transport must be one of {sorted(CONNECTORS)}, got {name!r}")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = users + 512  # per process: our sockets, and the server's (it inherits the limit)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, need), hard))
        if hard < need:
            users = max(100, hard - 512)
            print(f"file descriptor limit {hard}: {users} end users only", flush=True)
    members = min(members, users)
    out: dict[str, Any] = {"users": users, "members": members,
                           "ping_interval_s": ping_interval, "transports": {}}
    extra = ("--client-ping-interval", f"{ping_interval:g}",
             "--client-max-connections", str(users + 1000))
    for name in transports:
        with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp, \
                LocalServer(Path(tmp) / "endusers.db", *extra, src=src) as server:
            out["transports"][name] = asyncio.run(
                _run(server, name, users, members, messages, ping_interval))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=60)
    parser.add_argument("--transports", default=",".join(TRANSPORTS),
                        help="comma-separated: tcp, ws (default both)")
    parser.add_argument("--ping-interval", type=float, default=20.0,
                        help="the gate's ping interval; the ping figures are measured over "
                             "one interval and scaled to 10,000 users every 20 s")
    parser.add_argument("--src", type=Path, default=None,
                        help="run the local server from this source tree (default: ours)")
    args = parser.parse_args()
    run(args.users, args.members, args.messages, tuple(args.transports.split(",")),
        args.ping_interval, args.src)


if __name__ == "__main__":
    main()
