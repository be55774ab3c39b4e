"""Faults seen from the server (issue item 2): stuck and non-reading clients, hostile frames,
many end users. Each misbehaving connection is answered or closed alone, with the right
code, while everyone else keeps being served."""

from __future__ import annotations

import asyncio
import itertools
import socket
import struct
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from harness import PID, SECRET, CountingMonitor, RawConn, ServerProcess, signed, wait_until
from scenarios import users_under_load

from rtm import AsyncRTMServerClient, RTMServerClient
from rtm.enduser import AsyncEndUserClient
from rtm.fpnn import codec
from rtm.fpnn.client import FPNNClient
from rtm.fpnn.codec import Answer, encode_quest
from rtm.fpnn.connection import FPNNConnection
from rtm.fpnn.crypto import ClientKeyExchange, generate_private_key
from rtm.server import ServerThread
from rtm.testing import new_project, start_test_server

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="/proc, SO_RCVBUF")

MAX = codec.DEFAULT_MAX_FRAME_SIZE


# ----------------------------------------------------------------------------- stuck clients


async def _gate_connections(server: ServerThread, gate: str) -> dict[str, Any]:
    async def peers() -> dict[str, Any]:
        srv = getattr(server.server, f"_{gate}_gate")
        return {c.peer: c for c in srv.connections.values()}

    return await asyncio.wrap_future(
        asyncio.run_coroutine_threadsafe(peers(), server.loop))


async def test_stuck_and_non_reading_clients_do_not_stall_the_gate() -> None:
    server = start_test_server(push_timeout=0.5)
    project = new_project(server)
    # a small per-connection write limit, so the non-reading user hits it quickly
    server.server._client_gate.max_write_buffer = 256 * 1024  # type: ignore[union-attr]
    admin = AsyncRTMServerClient(project.pid, project.secret, project.endpoint)
    healthy: list[AsyncEndUserClient] = []
    listener = AsyncRTMServerClient(project.pid, project.secret, project.endpoint)
    monitor = CountingMonitor()
    listener.set_monitor(monitor)
    stuck_listener = FPNNClient(project.endpoint)
    hold = asyncio.Event()

    async def never(conn: FPNNConnection, quest: Any) -> dict[str, Any]:
        await hold.wait()
        return {}

    stuck_listener.register("pushmsg", never)
    stuck_user = AsyncEndUserClient(project.client_endpoint, project.pid, 50,
                                    await admin.get_token(50))
    stuck_user._fpnn.register("pushmsg", never)
    try:
        await listener.set_listen([], [], True, [])
        await stuck_listener.quest("addlisten", signed({"p2p": True}, project.pid,
                                                       project.secret))
        assert await stuck_user.login()
        for uid in range(10, 30):
            user = AsyncEndUserClient(project.client_endpoint, project.pid, uid,
                                      await admin.get_token(uid))
            assert await user.login()
            healthy.append(user)
        # the user that never reads its socket (tiny receive buffer, reads nothing after auth)
        reader = await asyncio.to_thread(RawConn, project.client_endpoint, rcvbuf=4096)
        token = await admin.get_token(60)
        reader.send(encode_quest("auth", {"pid": project.pid, "uid": 60, "token": token}, 1))
        (answer,) = await asyncio.to_thread(reader.answers, 1)
        assert isinstance(answer, Answer) and answer.payload == {"ok": True}
        non_reader_peer = f"127.0.0.1:{reader.sock.getsockname()[1]}"
        assert non_reader_peer in await _gate_connections(server, "client")

        latencies: list[float] = []

        async def send(to: int, mid: int, text: str) -> None:
            started = time.monotonic()
            await admin.send_message(1, to, 30, text, mid=mid)
            latencies.append(time.monotonic() - started)

        mids = iter(range(1, 10**6))
        expected: dict[int, set[int]] = {}
        for _ in range(3):
            for user in healthy:
                mid = next(mids)
                expected.setdefault(user.uid, set()).add(mid)
                await send(user.uid, mid, "hello")
            await send(50, next(mids), "to the stuck user")
        big = "x" * 20_000
        to_non_reader = [next(mids) for _ in range(300)]
        for i in range(0, len(to_non_reader), 50):
            await asyncio.gather(*(send(60, m, big) for m in to_non_reader[i:i + 50]))

        # answers never waited for a push (a push to a stuck peer costs 0.5 s of timer only)
        assert max(latencies) < 0.5, max(latencies)
        # every healthy user got every message, in spite of the stuck ones
        for user in healthy:
            got: set[int] = set()
            while len(got) < len(expected[user.uid]):
                got.add(int((await user.next_push(3)).params["mid"]))
            assert got == expected[user.uid]
        # the healthy listener too (the stuck listener's timeouts did not delay it)
        for _ in range(300):
            if all(monitor.seen("p2p", 1, 60, m) for m in to_non_reader):
                break
            await asyncio.sleep(0.02)
        assert all(monitor.seen("p2p", 1, 60, m) for m in to_non_reader)
        # the server gave up on the peer that does not read, instead of buffering for it
        for _ in range(300):
            if non_reader_peer not in await _gate_connections(server, "client"):
                break
            await asyncio.sleep(0.02)
        assert non_reader_peer not in await _gate_connections(server, "client")
        # pushes to the stuck peers timed out (after push_timeout) and were counted
        await asyncio.sleep(0.8)
        assert server.server.core.hub.pushes_failed >= 3 + 3 * 3 + 1
        # and the gate still serves
        await send(10, next(mids), "after")
        assert (await healthy[0].next_push(3)).params["msg"]["sourceText"] == "after"
        reader.close()
    finally:
        hold.set()
        for user in healthy:
            await user.close()
        await stuck_user.close()
        await stuck_listener.close()
        await listener.close()
        await admin.close()
        await asyncio.to_thread(server.stop)


def test_pipelining_client_is_throttled_not_buffered() -> None:
    """A client pipelining thousands of quests: at most max_pending_quests are handled at
    once (reading pauses), every one is answered in the end."""
    server = start_test_server()
    project = new_project(server)
    gate = server.server._server_gate
    assert gate is not None
    gate.max_pending_quests = 64
    conn = RawConn(project.endpoint)
    try:
        n = 12000
        one = [encode_quest("getfriends", signed({"uid": 1}, project.pid, project.secret), seq)
               for seq in range(1, n + 1)]
        frames = b"".join(one)
        peak = [0]

        async def watch() -> None:
            while True:
                for c in list(gate.connections.values()):
                    peak[0] = max(peak[0], len(c._tasks))
                await asyncio.sleep(0)

        task = asyncio.run_coroutine_threadsafe(watch(), server.loop)
        conn.send(frames)
        answers = conn.answers(n, timeout=30)
        task.cancel()
        assert len(answers) == n and all(a.payload == {"uids": []} for a in answers)
        # bounded: the limit plus what one read (asyncio reads up to 256 KiB) can carry
        assert peak[0] <= 64 + 256 * 1024 // len(one[0]), peak[0]
    finally:
        conn.close()
        server.stop()


# ----------------------------------------------------------------------------- hostile frames


def _header(mtype: int, ss: int, psize: int, *, magic: bytes = b"FPNN", flag: int = 0x80,
            seq: int | None = 1) -> bytes:
    head = magic + bytes([1, flag, mtype, ss]) + struct.pack("<I", psize)
    return head + (struct.pack("<I", seq) if seq is not None else b"")


def _raw_quest(method: str, payload: bytes, seq: int = 1) -> bytes:
    name = method.encode()
    return _header(1, len(name), len(payload), seq=seq) + name + payload


@pytest.fixture(scope="module")
def ecc_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, Any]]:
    tmp = tmp_path_factory.mktemp("hostile")
    key = generate_private_key("secp256k1")
    pem = tmp / "key.pem"
    pem.write_bytes(key.key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    proc = ServerProcess(tmp / "hostile.db", tmp / "hostile.log",
                         args=("--ecc-key", str(pem))).start()
    yield proc, key
    proc.stop()


def _key_quest(payload: dict[str, Any], *, oneway: bool = False) -> bytes:
    return encode_quest("*key", payload, 1, oneway=oneway)


CLOSE_CASES: dict[str, tuple[str, bytes]] = {
    "bad magic": ("server", b"XPNN" + _header(1, 4, 1)[4:] + b"ping\x80"),
    "bad magic after a good frame": ("server", _raw_quest("*ping", b"\x80") + b"GARBAGEGARBAGE"),
    "bad flag": ("server", _header(1, 4, 1, flag=0x20) + b"ping\x80"),
    "bad mtype": ("client", _header(7, 4, 1) + b"ping\x80"),
    "huge declared size (first frame)": ("server", _header(1, 4, 0xFFFFFFF0) + b"ping"),
    "huge declared size (later frame)": (
        "client", _raw_quest("*ping", b"\x80") + _header(1, 4, 0xFFFFFFF0, seq=2) + b"ping"),
    "payload size 0": ("file", _header(1, 4, 0) + b"ping"),
    # a first frame whose header alone is invalid is rejected before its body arrives
    "bad flag, body not sent": ("server", _header(1, 4, 1 << 20, flag=0x84)),
    "empty method name, body not sent": ("client", _header(1, 0, 1 << 20)),
    "payload size 0, body not sent": ("file", _header(1, 200, 0)),
    "truncated msgpack payload": ("server", _raw_quest("getfriends", b"\x85\xa3uid")),
    "invalid msgpack byte": ("client", _raw_quest("auth", b"\xc1\xc1\xc1")),
    "payload root is an array": ("server", _raw_quest("getfriends", b"\x92\x01\x02")),
    "malformed JSON": ("server", _header(1, 4, 5, flag=0x40) + b"ping{nope"),
    "method name not UTF-8": ("client", _header(1, 2, 1) + b"\xff\xfe\x80"),
    "*key garbage public key": ("server", _key_quest({"publicKey": b"\x01" * 5, "bits": 256})),
    "*key point not on the curve": ("client", _key_quest({"publicKey": b"\x07" * 64,
                                                          "bits": 128})),
    "*key bad bits": ("server", _key_quest({"publicKey": b"\x01" * 64, "bits": 7})),
    "*key oneway": ("file", _key_quest({"publicKey": b"\x01" * 64, "bits": 128},
                                       oneway=True)),
    "*key not first": ("server", _raw_quest("*ping", b"\x80")
                       + _key_quest({"publicKey": b"\x01" * 64, "bits": 128})),
}


def _endpoint(proc: ServerProcess, gate: str) -> str:
    return {"server": proc.endpoint, "client": proc.client_endpoint,
            "file": proc.file_endpoint}[gate]


_witness_mids = itertools.count(700_000)


class _Witness:
    """Someone else on the server: an SDK client listening to P2P messages and an end user
    receiving pushes. ``check()`` proves both are still served, on the same connections."""

    def __init__(self, proc: ServerProcess) -> None:
        self.client = RTMServerClient(PID, SECRET, proc.endpoint, quest_timeout=5)
        self.monitor = CountingMonitor()
        self.client.set_monitor(self.monitor)
        self.client.set_listen([], [], True, [])
        self.conn_id = self.client._fpnn.connection_id

    def check(self) -> None:
        mid = next(_witness_mids)  # unique: a repeated mid is not stored (nor pushed) again
        self.client.send_message(1, 2, 30, "witness", mid=mid)
        wait_until(lambda: self.monitor.seen("p2p", 1, 2, mid), 3, "witness push")
        assert self.client._fpnn.connection_id == self.conn_id

    def close(self) -> None:
        self.client.close()


def test_hostile_frames_close_only_their_connection(ecc_server: tuple[ServerProcess, Any]
                                                    ) -> None:
    proc, _key = ecc_server
    witness = _Witness(proc)
    try:
        for name, (gate, data) in CLOSE_CASES.items():
            conn = RawConn(_endpoint(proc, gate))
            try:
                conn.send(data)
                got = conn.closed_by_server(3)
                assert got, f"{name}: the server kept the connection open"
            finally:
                conn.close()
            witness.check()
        assert proc.running
    finally:
        witness.close()


def test_truncated_frame_then_eof_closes(ecc_server: tuple[ServerProcess, Any]) -> None:
    proc, _key = ecc_server
    conn = RawConn(proc.endpoint)
    try:
        conn.send(_header(1, 4, 100) + b"ping" + b"\x80" * 50)  # 50 of 100 payload bytes
        conn.sock.shutdown(socket.SHUT_WR)
        assert conn.closed_by_server(3)
    finally:
        conn.close()


def test_bad_params_and_unknown_methods_are_answered_and_the_connection_stays(
        ecc_server: tuple[ServerProcess, Any]) -> None:
    proc, _key = ecc_server
    server_conn = RawConn(proc.endpoint)
    client_conn = RawConn(proc.client_endpoint)
    file_conn = RawConn(proc.file_endpoint)
    try:
        cases = [
            (server_conn, "sendmsg", signed({"from": 1, "to": "two", "mid": 1, "mtype": 30,
                                             "msg": "m", "attrs": ""}), 10010),
            (server_conn, "sendmsg", signed({"from": 1, "mid": 1, "mtype": 30, "msg": "m"}),
             10009),
            (server_conn, "getfriends", signed({"uid": [1]}), 10010),
            (server_conn, "addfriends", signed({"uid": 1, "friends": ["x"]}), 10010),
            (server_conn, "setlisten", signed({"p2p": "yes"}), 10010),
            (server_conn, "nosuchmethod", signed({}), 20004),
            (server_conn, "getfriends", {"pid": "x", "sign": 1, "salt": 1, "uid": 1}, 10010),
            (client_conn, "auth", {"pid": PID, "uid": "u", "token": "t"}, 10010),
            (client_conn, "nosuchmethod", {}, 20004),
            (client_conn, "sendmsg", {"to": 2}, 200022),  # not logged in
            (file_conn, "sendfile", {"pid": PID, "token": 5}, 10010),
            (file_conn, "sendmsg", {}, 20004),
        ]
        for seq, (conn, method, payload, code) in enumerate(cases, 1):
            conn.send(encode_quest(method, payload, seq))
            (answer,) = conn.answers(1)
            assert isinstance(answer, Answer) and answer.seq == seq
            assert answer.is_error and answer.error_code == code, (method, payload,
                                                                   answer.payload)
        # each connection is still usable
        for i, conn in enumerate((server_conn, client_conn, file_conn)):
            conn.send(encode_quest("*ping", None, 1000 + i))
            (answer,) = conn.answers(1)
            assert not answer.is_error
    finally:
        for conn in (server_conn, client_conn, file_conn):
            conn.close()


def test_garbage_after_a_valid_key_exchange_closes(ecc_server: tuple[ServerProcess, Any]
                                                   ) -> None:
    proc, key = ecc_server
    for stream in (True, False):
        kx = ClientKeyExchange(key.public_key(), bits=256, stream=stream)
        conn = RawConn(proc.endpoint)
        try:
            conn.send(encode_quest("*key", kx.key_quest_payload(), 1))
            # package mode: a length prefix over the limit; stream mode: noise
            conn.send(struct.pack("<I", 0xFFFFFF00) if not stream else b"\x00" * 64)
            assert conn.closed_by_server(3)
        finally:
            conn.close()


def test_declared_sizes_are_not_allocated(ecc_server: tuple[ServerProcess, Any]) -> None:
    """40 connections each declare a frame just under the 8 MiB limit and send 1 KiB of it:
    the server holds what arrived, not what was announced."""
    proc, _key = ecc_server
    witness = _Witness(proc)
    conns: list[RawConn] = []
    try:
        witness.check()
        before = proc.rss_kb()
        psize = MAX - 100
        for i in range(40):
            conn = RawConn(proc.endpoint if i % 2 else proc.client_endpoint)
            first = b"" if i % 4 < 2 else _raw_quest("*ping", b"\x80", 9)  # first / later
            conn.send(first + _header(1, 4, psize) + b"ping" + b"\x80" * 1024)
            conns.append(conn)
        time.sleep(0.5)
        witness.check()
        growth_kb = proc.rss_kb() - before
        assert growth_kb < 40 * 1024, f"RSS grew {growth_kb} KiB for 40 x {psize} declared"
        assert proc.running
    finally:
        for conn in conns:
            conn.close()
        witness.close()


# ----------------------------------------------------------------------------- many users


def test_end_users_and_sdk_load(tmp_path: Path) -> None:
    """The bounded version of the soak's 1,000 users x 60 s: 100 users x 3 s."""
    fig = users_under_load(tmp_path, users=100, duration=3.0, sample_every=1.0,
                           sync_threads=1, async_tasks=2)
    assert fig["users_online"] == 100, fig
    assert fig["user_errors"] == 0 and fig["errors"] == {}, fig
    assert fig["hung"] == 0 and fig["late"] == 0, fig
    assert fig["callbacks_missing"] == 0 and fig["callbacks_twice"] == 0, fig
    assert fig["messages_acked"] > 100, fig
    assert fig["messages_pushed_to_users"] == fig["messages_acked"], fig
