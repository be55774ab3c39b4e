"""FPNN asyncio transport end to end: FPNNServer and FPNNClient over real sockets on 127.0.0.1.

Everything runs in the test's own event loop; timings are kept short so the whole file stays
well under half a minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import time
from collections.abc import AsyncIterator, Callable
from types import MappingProxyType
from typing import Any

import pytest

from rtm.fpnn import codec
from rtm.fpnn import errors as ec
from rtm.fpnn.client import FPNNClient
from rtm.fpnn.codec import Answer, FrameDecoder, Quest, encode_quest
from rtm.fpnn.connection import FPNNConnection
from rtm.fpnn.crypto import ClientKeyExchange, generate_private_key
from rtm.fpnn.errors import (
    FPNNAnswerError,
    FPNNConnectionError,
    FPNNError,
    FPNNTimeoutError,
)
from rtm.fpnn.server import FPNNServer, ServerConnection

LOCALHOST = "127.0.0.1"


def echo(conn: FPNNConnection, quest: Quest) -> dict[str, Any]:
    return quest.payload


async def slow(conn: FPNNConnection, quest: Quest) -> dict[str, Any]:
    await asyncio.sleep(30)
    return {}


@pytest.fixture
async def server() -> AsyncIterator[FPNNServer]:
    srv = FPNNServer(LOCALHOST, 0)
    srv.register("echo", echo)
    srv.register("slow", slow)
    await srv.start()
    yield srv
    await srv.close()


@pytest.fixture
async def client(server: FPNNServer) -> AsyncIterator[FPNNClient]:
    cli = FPNNClient(server.endpoint, quest_timeout=5.0, connect_timeout=2.0)
    yield cli
    await cli.close()


async def only_connection(server: FPNNServer) -> ServerConnection:
    """The server side of the one client connection, once accepted."""
    for _ in range(200):
        if len(server.connections) == 1:
            return next(iter(server.connections.values()))
        await asyncio.sleep(0.005)
    raise AssertionError(f"expected one server connection, got {len(server.connections)}")


async def wait_for(predicate: Callable[[], bool], timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.005)


async def read_until_closed(reader: asyncio.StreamReader, timeout: float = 2.0) -> bytes:
    """Everything the peer sends until it closes (a reset counts as closed)."""
    data = bytearray()

    async def drain() -> None:
        with contextlib.suppress(ConnectionResetError):
            while chunk := await reader.read(65536):
                data.extend(chunk)

    await asyncio.wait_for(drain(), timeout)  # asyncio.timeout() needs Python 3.11
    return bytes(data)


async def read_messages(
    reader: asyncio.StreamReader, count: int, decrypt: Callable[[bytes], bytes] | None = None
) -> list[codec.Message]:
    """Read and decode (after ``decrypt``) until ``count`` messages have arrived."""
    decoder = FrameDecoder()
    messages: list[codec.Message] = []

    async def collect() -> None:
        while len(messages) < count:
            chunk = await reader.read(65536)
            assert chunk, f"closed after {len(messages)} of {count} messages"
            messages.extend(decoder.feed(decrypt(chunk) if decrypt else chunk))

    await asyncio.wait_for(collect(), 2)
    return messages


async def close_writer(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()


async def raw_connect(srv: FPNNServer) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(srv.host, srv.port)


# ---------------------------------------------------------------------------- quests


async def test_quest_round_trip(client: FPNNClient) -> None:
    payload = {"s": "h\u00e9llo", "b": b"\x00\xff", "i": -(2**63), "u": 2**64 - 1, "f": 1.5,
               "l": [1, [2, {"k": None}]], "m": {"n": True}}
    assert await client.quest("echo", payload) == payload
    assert await client.quest("echo") == {}
    assert client.connected and client.connection is not None


async def test_unknown_method_is_20004(client: FPNNClient) -> None:
    with pytest.raises(FPNNAnswerError) as info:
        await client.quest("nosuchmethod", {})
    assert info.value.code == ec.CORE_UNKNOWN_METHOD
    assert "nosuchmethod" in info.value.message


async def test_server_handler_errors(server: FPNNServer, client: FPNNClient) -> None:
    def business(conn: FPNNConnection, quest: Quest) -> None:
        raise FPNNError("no such user", 200010)

    async def broken(conn: FPNNConnection, quest: Quest) -> None:
        raise RuntimeError("boom")

    server.register("business", business)
    server.register("broken", broken)
    with pytest.raises(FPNNAnswerError) as info:
        await client.quest("business")
    assert (info.value.code, info.value.message) == (200010, "no such user")
    with pytest.raises(FPNNAnswerError) as info:
        await client.quest("broken")
    assert info.value.code == ec.CORE_UNKNOWN_ERROR and "boom" in info.value.message
    assert await client.quest("echo", {"still": "ok"}) == {"still": "ok"}


async def test_non_map_results_and_payloads_do_not_kill_the_connection(
    server: FPNNServer, client: FPNNClient
) -> None:
    def not_a_map(conn: FPNNConnection, quest: Quest) -> Any:
        return ["not", "a", "map"]

    server.register("list", not_a_map)
    server.register("proxy", lambda conn, quest: MappingProxyType({"ro": 1}))
    conn = await client.connect()
    with pytest.raises(FPNNAnswerError) as info:
        await client.quest("list")
    assert info.value.code == ec.CORE_ENCODING and "map" in info.value.message
    assert await client.quest("proxy") == {"ro": 1}  # any Mapping is a map
    with pytest.raises(FPNNError, match="map") as raised:
        await client.quest("echo", ["x"])  # type: ignore[arg-type]
    assert raised.value.code == ec.CORE_ENCODING
    with pytest.raises(FPNNError, match="map"):
        await client.send_oneway("echo", "x")  # type: ignore[arg-type]
    assert await client.quest("echo", MappingProxyType({"m": 2})) == {"m": 2}
    assert client.connection is conn and conn.pending_count == 0


async def test_star_ping_answers_with_ts(client: FPNNClient) -> None:
    before = int(time.time() * 1000)
    answer = await client.quest("*ping")
    after = int(time.time() * 1000)
    assert set(answer) == {"ts"}
    assert before - 1000 <= answer["ts"] <= after + 1000


async def test_oneway_client_to_server(server: FPNNServer, client: FPNNClient) -> None:
    got: asyncio.Queue[Quest] = asyncio.Queue()
    server.register("notify", lambda conn, quest: got.put_nowait(quest))
    await client.send_oneway("notify", {"uid": 7})
    quest = await asyncio.wait_for(got.get(), 2)
    assert quest.oneway and quest.payload == {"uid": 7}
    await client.send_oneway("unknown-oneway", {"x": 1})  # dropped, no answer, no close
    assert await client.quest("echo", {"after": 1}) == {"after": 1}


# ---------------------------------------------------------------------------- encryption


@pytest.mark.parametrize("curve", ["secp256r1", "secp256k1"])
@pytest.mark.parametrize("bits", [128, 256])
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "package"])
async def test_encrypted_round_trip(curve: str, bits: int, stream: bool) -> None:
    key = generate_private_key(curve)
    srv = FPNNServer(LOCALHOST, 0, private_key=key)
    srv.register("echo", echo)
    async with srv:
        cli = FPNNClient(srv.endpoint, quest_timeout=5.0)
        cli.enable_encryption(pem_key_data=key.public_pem(), bits=bits, stream=stream)
        cli.register("push", lambda conn, quest: {"back": quest.payload["n"]})
        async with cli:
            big = bytes(range(256)) * 1000
            assert await cli.quest("echo", {"a": 1}) == {"a": 1}
            answers = await asyncio.gather(*(cli.quest("echo", {"i": i, "big": big})
                                             for i in range(20)))
            assert [a["i"] for a in answers] == list(range(20))
            assert all(a["big"] == big for a in answers)
            assert set(await cli.quest("*ping")) == {"ts"}
            sconn = await only_connection(srv)
            assert sconn.encrypted and cli.connection is not None and cli.connection.encrypted
            assert await sconn.quest("push", {"n": 5}, timeout=2) == {"back": 5}


async def test_encrypted_client_against_plain_server_fails_cleanly(server: FPNNServer) -> None:
    key = generate_private_key("secp256r1")
    events: list[tuple[str, int]] = []
    cli = FPNNClient(server.endpoint, connect_timeout=2.0,
                     on_connected=lambda cid: events.append(("up", cid)),
                     on_closed=lambda cid: events.append(("down", cid)))
    cli.enable_encryption(pem_key_data=key.public_pem())
    async with cli:
        start = time.monotonic()
        with pytest.raises(FPNNConnectionError, match="handshake"):
            await cli.quest("echo")
        assert time.monotonic() - start < 1.0  # the server closes; no waiting for a timeout
        assert not cli.connected
    await wait_for(lambda: not server.connections)
    assert events == []  # never connected, so never reported closed either


async def test_encrypted_client_with_the_wrong_key_fails() -> None:
    key = generate_private_key("secp256k1")
    srv = FPNNServer(LOCALHOST, 0, private_key=key)
    srv.register("echo", echo)
    other = generate_private_key("secp256k1")
    async with srv:
        cli = FPNNClient(srv.endpoint, connect_timeout=1.0, quest_timeout=1.0)
        cli.enable_encryption(pem_key_data=other.public_pem(), bits=128, stream=True)
        async with cli:
            # Both sides derive different keys: the garbled answer is a framing error.
            with pytest.raises(FPNNConnectionError):
                await cli.quest("echo")


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "package"])
async def test_quests_pipelined_right_after_key(stream: bool) -> None:
    # The Go SDK sends encrypted quests right behind *key, often in the same TCP segment.
    key = generate_private_key("secp256k1")
    async with FPNNServer(LOCALHOST, 0, private_key=key) as srv:
        srv.register("echo", echo)
        kx = ClientKeyExchange(key.public_key(), bits=128, stream=stream)
        encryptor, decryptor = kx.make_ciphers()
        reader, writer = await raw_connect(srv)
        quests = [encode_quest("echo", {"i": i}, i + 2) for i in range(3)]
        writer.write(encode_quest("*key", kx.key_quest_payload(), 1)
                     + encryptor.encrypt_frames(quests[:2]))
        writer.write(encryptor.encrypt_frames(quests[2:]))
        answers = await read_messages(reader, 4, decryptor.feed)
        assert answers == [Answer(1, {}), *(Answer(i + 2, {"i": i}) for i in range(3))]
        await close_writer(writer)


# ---------------------------------------------------------------------------- pushes


async def test_server_push_answered_by_client_handler(
    server: FPNNServer, client: FPNNClient
) -> None:
    async def async_handler(conn: FPNNConnection, quest: Quest) -> dict[str, Any]:
        await asyncio.sleep(0)
        return {"async": quest.payload["x"]}

    client.register("pushmsg", lambda conn, quest: {"got": quest.payload["x"]})
    client.register("pushasync", async_handler)
    client.register("pushnone", lambda conn, quest: None)
    await client.quest("echo")
    sconn = await only_connection(server)
    assert await sconn.quest("pushmsg", {"x": 1}, timeout=2) == {"got": 1}
    assert await sconn.quest("pushasync", {"x": 2}, timeout=2) == {"async": 2}
    assert await sconn.quest("pushnone", {}, timeout=2) == {}  # known push: always answered
    assert await sconn.quest("ping", {}, timeout=2) == {}  # RTM business ping, built in
    results = await asyncio.gather(*(sconn.quest("pushmsg", {"x": i}, 2) for i in range(50)))
    assert [r["got"] for r in results] == list(range(50))


async def test_unknown_push_is_answered_20004(server: FPNNServer, client: FPNNClient) -> None:
    await client.quest("echo")
    sconn = await only_connection(server)
    with pytest.raises(FPNNAnswerError) as info:
        await sconn.quest("pushnothing", {}, timeout=2)
    assert info.value.code == ec.CORE_UNKNOWN_METHOD
    assert info.value.message == "Unknow method:pushnothing"


async def test_client_handler_errors_become_error_answers(
    server: FPNNServer, client: FPNNClient
) -> None:
    def refuse(conn: FPNNConnection, quest: Quest) -> None:
        raise FPNNError("refused", 300123)

    def crash(conn: FPNNConnection, quest: Quest) -> None:
        raise ValueError("bad value")

    async def crash_later(conn: FPNNConnection, quest: Quest) -> None:
        await asyncio.sleep(0)
        raise KeyError("k")

    client.register("refuse", refuse)
    client.register("crash", crash)
    client.register("crashlater", crash_later)
    await client.quest("echo")
    sconn = await only_connection(server)
    with pytest.raises(FPNNAnswerError) as info:
        await sconn.quest("refuse", {}, timeout=2)
    assert (info.value.code, info.value.message) == (300123, "refused")
    for method in ("crash", "crashlater"):
        with pytest.raises(FPNNAnswerError) as info:
            await sconn.quest(method, {}, timeout=2)
        assert info.value.code == ec.CORE_UNKNOWN_ERROR
    assert client.connected  # a failing handler never closes the connection


async def test_oneway_server_to_client(server: FPNNServer, client: FPNNClient) -> None:
    got: asyncio.Queue[Quest] = asyncio.Queue()
    answered: list[object] = []

    def handler(conn: FPNNConnection, quest: Quest) -> dict[str, Any]:
        got.put_nowait(quest)
        answered.append(quest)
        return {"ignored": True}  # an answer to a oneway quest must not be sent

    client.register("pushevent", handler)
    await client.quest("echo")
    sconn = await only_connection(server)
    sconn.send_oneway("pushevent", {"e": 1})
    sconn.send_oneway("unknown-push", {"e": 2})  # dropped silently
    quest = await asyncio.wait_for(got.get(), 2)
    assert quest.oneway and quest.payload == {"e": 1}
    # Nothing unexpected reached the server: it still answers, and has no stray pending seq.
    assert await client.quest("echo", {"ok": 1}) == {"ok": 1}
    assert sconn.pending_count == 0 and len(answered) == 1


# ---------------------------------------------------------------------------- failures


async def test_quest_timeout(client: FPNNClient) -> None:
    for timeout in (0.2, 0.4):
        start = time.monotonic()
        with pytest.raises(FPNNTimeoutError) as info:
            await client.quest("slow", timeout=timeout)
        elapsed = time.monotonic() - start
        assert isinstance(info.value, TimeoutError)
        assert info.value.code == ec.CORE_TIMEOUT
        assert timeout - 0.01 <= elapsed < timeout + 0.5
    assert await client.quest("echo", {"alive": 1}) == {"alive": 1}


async def test_late_answer_after_a_timeout_is_dropped(
    server: FPNNServer, client: FPNNClient
) -> None:
    answered = asyncio.Event()

    async def late(conn: FPNNConnection, quest: Quest) -> dict[str, Any]:
        await asyncio.sleep(0.3)
        answered.set()
        return {"late": True}

    server.register("late", late)
    with pytest.raises(FPNNTimeoutError):
        await client.quest("late", timeout=0.1)
    await asyncio.wait_for(answered.wait(), 2)
    assert await client.quest("echo", {"next": 1}) == {"next": 1}  # the late answer is ignored
    conn = client.connection
    assert conn is not None and conn.pending_count == 0 and not conn.closed


async def test_push_timeout(server: FPNNServer, client: FPNNClient) -> None:
    async def never(conn: FPNNConnection, quest: Quest) -> None:
        await asyncio.sleep(30)

    client.register("never", never)
    await client.quest("echo")
    sconn = await only_connection(server)
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        await sconn.quest("never", {}, timeout=0.2)
    assert time.monotonic() - start < 0.7


async def test_server_close_fails_pending_quests_fast(
    server: FPNNServer, client: FPNNClient
) -> None:
    started = asyncio.Event()

    async def hang(conn: FPNNConnection, quest: Quest) -> None:
        started.set()
        await asyncio.sleep(30)

    server.register("hang", hang)
    client.register("hangpush", hang)
    tasks = [asyncio.ensure_future(client.quest("hang", timeout=20)) for _ in range(3)]
    await asyncio.wait_for(started.wait(), 2)
    sconn = await only_connection(server)
    tasks.append(asyncio.ensure_future(sconn.quest("hangpush", {}, timeout=20)))
    await wait_for(lambda: sconn.pending_count == 1)
    start = time.monotonic()
    await server.close()
    for task in tasks:
        with pytest.raises(FPNNConnectionError) as info:
            await task
        assert info.value.code == ec.CORE_CONNECTION_CLOSED
        assert isinstance(info.value, ConnectionError)
    assert time.monotonic() - start < 0.5


async def test_client_close_fails_its_pending_quests(client: FPNNClient) -> None:
    task = asyncio.ensure_future(client.quest("slow", timeout=20))
    await wait_for(lambda: client.connection is not None and client.connection.pending_count == 1)
    await client.close()
    with pytest.raises(FPNNConnectionError) as info:
        await task
    assert info.value.code == ec.CORE_CONNECTION_CLOSED


async def test_reconnect_after_server_restart() -> None:
    srv = FPNNServer(LOCALHOST, 0)
    srv.register("echo", echo)
    await srv.start()
    port = srv.port
    connected: list[int] = []
    closed: list[int] = []
    cli = FPNNClient(srv.endpoint, connect_timeout=2.0, on_connected=connected.append,
                     on_closed=closed.append)
    try:
        assert await cli.quest("echo", {"n": 1}) == {"n": 1}
        first = cli.connection
        assert first is not None
        await srv.close()
        await asyncio.wait_for(first.closed_future, 2)
        assert not cli.connected
        with pytest.raises(FPNNConnectionError):  # nobody listens now
            await cli.quest("echo", {"n": 2})
        srv = FPNNServer(LOCALHOST, port)
        srv.register("echo", echo)
        await srv.start()
        assert await cli.quest("echo", {"n": 3}) == {"n": 3}
        second = cli.connection
        assert second is not None and second is not first and second.id != first.id
        assert connected == [first.id, second.id]
        assert closed == [first.id]
    finally:
        await cli.close()
        await srv.close()


async def test_connection_callbacks(server: FPNNServer) -> None:
    events: list[tuple[str, int]] = []
    cli = FPNNClient(server.endpoint, on_connected=lambda cid: events.append(("up", cid)),
                     on_closed=lambda cid: events.append(("down", cid)))
    await cli.quest("echo")
    conn = cli.connection
    assert conn is not None and events == [("up", conn.id)]
    await cli.close()
    assert events == [("up", conn.id), ("down", conn.id)]
    await cli.quest("echo")  # lazy reconnect gets a new id
    conn2 = cli.connection
    assert conn2 is not None and conn2.id != conn.id
    sconn = await only_connection(server)
    sconn.close()  # closed by the peer this time
    await wait_for(lambda: len(events) == 4)
    assert events[2:] == [("up", conn2.id), ("down", conn2.id)]
    await cli.close()
    assert len(events) == 4


async def test_failing_callbacks_do_not_break_the_client(server: FPNNServer) -> None:
    def bad(cid: int) -> None:
        raise RuntimeError("callback bug")

    cli = FPNNClient(server.endpoint, on_connected=bad, on_closed=bad)
    assert await cli.quest("echo", {"x": 1}) == {"x": 1}
    await cli.close()


async def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind((LOCALHOST, 0))
        port = sock.getsockname()[1]  # bound but not listening: connecting is refused
        cli = FPNNClient(f"{LOCALHOST}:{port}", connect_timeout=2.0)
        start = time.monotonic()
        with pytest.raises(FPNNConnectionError, match=f"{LOCALHOST}:{port}") as info:
            await cli.quest("echo")
        assert time.monotonic() - start < 1.0
        assert isinstance(info.value, ConnectionError)
        with pytest.raises(FPNNConnectionError):
            await cli.send_oneway("x")
        results = await asyncio.gather(*(cli.quest("echo") for _ in range(5)),
                                       return_exceptions=True)
        assert all(isinstance(r, FPNNConnectionError) for r in results), results
        await cli.close()


async def test_connect_timeout() -> None:
    # A listener with a full accept queue drops further SYNs, so connecting hangs.
    listener = socket.socket()
    listener.bind((LOCALHOST, 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    try:
        for _ in range(8):
            filler = socket.socket()
            filler.settimeout(0.2)
            fillers.append(filler)
            try:
                filler.connect((LOCALHOST, port))
            except (TimeoutError, OSError):
                break
        else:
            pytest.skip("this kernel accepts connections beyond the listen backlog")
        cli = FPNNClient(f"{LOCALHOST}:{port}", connect_timeout=0.3)
        start = time.monotonic()
        with pytest.raises(FPNNTimeoutError, match="timed out") as info:
            await cli.quest("echo")
        assert 0.25 <= time.monotonic() - start < 0.8
        assert isinstance(info.value, TimeoutError)
        await cli.close()
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


async def test_close_is_idempotent(client: FPNNClient) -> None:
    await client.close()  # never connected
    await client.quest("echo")
    await client.close()
    await client.close()
    assert not client.connected
    assert await client.quest("echo", {"again": 1}) == {"again": 1}


async def test_async_with_client(server: FPNNServer) -> None:
    async with FPNNClient(server.endpoint) as cli:
        assert await cli.quest("echo", {"w": 1}) == {"w": 1}
        conn = cli.connection
        assert conn is not None
    assert conn.closed and not cli.connected
    await wait_for(lambda: not server.connections)


async def test_async_with_server_and_endpoint() -> None:
    async with FPNNServer(LOCALHOST, 0) as srv:
        assert srv.port > 0 and srv.endpoint == f"{LOCALHOST}:{srv.port}"
        async with FPNNClient(srv.endpoint) as cli:
            assert set(await cli.quest("*ping")) == {"ts"}


# ---------------------------------------------------------------------------- load


async def test_ten_thousand_concurrent_quests(server: FPNNServer) -> None:
    async with FPNNClient(server.endpoint, quest_timeout=20.0) as cli:
        answers = await asyncio.gather(*(cli.quest("echo", {"v": i}) for i in range(10_000)))
        assert [a["v"] for a in answers] == list(range(10_000))
        assert len(server.connections) == 1
        conn = cli.connection
        assert conn is not None and conn.pending_count == 0


async def test_sequence_numbers_wrap_without_zero(server: FPNNServer) -> None:
    seqs: list[int] = []

    def record(conn: FPNNConnection, quest: Quest) -> dict[str, Any]:
        seqs.append(quest.seq)
        return quest.payload

    server.register("record", record)
    async with FPNNClient(server.endpoint) as cli:
        conn = await cli.connect()
        conn._seq = 2**32 - 3
        answers = await asyncio.gather(*(cli.quest("record", {"v": i}) for i in range(5)))
        assert [a["v"] for a in answers] == list(range(5))
        assert seqs == [2**32 - 2, 2**32 - 1, 1, 2, 3]


async def test_writes_are_coalesced(server: FPNNServer) -> None:
    reads: list[int] = []

    def count_reads(conn: ServerConnection) -> None:
        original = conn.data_received

        def counting(data: bytes) -> None:
            reads.append(len(data))
            original(data)

        conn.data_received = counting  # type: ignore[method-assign]

    server.on_connect = count_reads
    async with FPNNClient(server.endpoint) as cli:
        await cli.quest("echo")
        conn = cli.connection
        assert conn is not None
        transport = conn._transport
        assert transport is not None
        writes: list[int] = []
        real_write = transport.write

        def spy(data: bytes | bytearray | memoryview) -> None:
            writes.append(len(data))
            real_write(data)

        transport.write = spy  # type: ignore[method-assign]
        # 100 quests issued in one loop tick: the first goes out at once, the rest in batches
        # growing from 4 frames (4, 8, 16...) to at most coalesce_limit frames.
        for limit in (getattr(conn, "coalesce_limit", 100), 1000):
            conn.coalesce_limit = limit
            writes.clear()
            reads.clear()
            answers = await asyncio.gather(*(cli.quest("echo", {"v": i}) for i in range(100)))
            assert [a["v"] for a in answers] == list(range(100))
            expected_writes, rest, batch = 1, 99, min(4, limit)
            while rest > 0:
                expected_writes += 1
                rest -= batch
                batch = min(batch * 2, limit)
            assert 1 <= len(writes) <= expected_writes, writes
            assert 1 <= len(reads) <= expected_writes + 3, reads
            assert sum(reads) == sum(writes)


# ---------------------------------------------------------------------------- keep-alive


async def test_keepalive_detects_a_black_holed_server() -> None:
    received = bytearray()

    writers: list[asyncio.StreamWriter] = []

    async def black_hole(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)  # accepts, reads, never answers
        with contextlib.suppress(ConnectionError):
            while chunk := await reader.read(65536):
                received.extend(chunk)

    hole = await asyncio.start_server(black_hole, LOCALHOST, 0)
    port = hole.sockets[0].getsockname()[1]
    closed: list[int] = []
    cli = FPNNClient(f"{LOCALHOST}:{port}", keepalive=True, keepalive_interval=0.2,
                     keepalive_retries=1, quest_timeout=0.3, on_closed=closed.append)
    try:
        conn = await cli.connect()
        start = time.monotonic()
        await asyncio.wait_for(conn.closed_future, 5)
        assert time.monotonic() - start < 2.0  # lost after interval + timeout * retries
        assert closed == [conn.id] and not cli.connected
        pings = FrameDecoder().feed(bytes(received))
        assert pings and all(isinstance(q, Quest) and q.method == "*ping" for q in pings)
    finally:
        await cli.close()
        hole.close()
        for writer in writers:
            await close_writer(writer)
        await hole.wait_closed()


async def test_keepalive_keeps_a_healthy_idle_connection(server: FPNNServer) -> None:
    pings: list[Quest] = []

    def star_ping(conn: FPNNConnection, quest: Quest) -> dict[str, Any]:
        pings.append(quest)
        return {"ts": 1}

    server.register("*ping", star_ping)
    async with FPNNClient(server.endpoint, keepalive=True, keepalive_interval=0.2,
                          keepalive_retries=1, quest_timeout=0.3) as cli:
        conn = await cli.connect()
        await asyncio.sleep(1.5)
        assert cli.connection is conn and not conn.closed
        assert pings  # idle, so it pinged, and the answers kept it alive


# ---------------------------------------------------------------------------- server robustness


async def test_malformed_frame_closes_only_that_connection(
    server: FPNNServer, client: FPNNClient
) -> None:
    assert await client.quest("echo", {"before": 1}) == {"before": 1}
    reader, writer = await raw_connect(server)
    await wait_for(lambda: len(server.connections) == 2)
    writer.write(b"NOTFPNN-AT-ALL!!")
    assert await read_until_closed(reader) == b""
    await close_writer(writer)
    await wait_for(lambda: len(server.connections) == 1)
    assert await client.quest("echo", {"after": 1}) == {"after": 1}


@pytest.mark.parametrize(
    "garbage",
    [
        struct.pack("<4sBBBBI", b"FPNN", 1, 0xC0, 1, 1, 1) + b"\x01\x00\x00\x00m\x80",  # flag
        struct.pack("<4sBBBBI", b"FPNN", 1, 0x80, 7, 1, 1) + b"\x01\x00\x00\x00m\x80",  # mtype
        struct.pack("<4sBBBBI", b"FPNN", 1, 0x80, 1, 1, 1 << 30),  # oversized
        encode_quest("echo", {}, 1)[:-1] + b"\x90",  # payload root is a list
    ],
    ids=["flag", "mtype", "oversized", "root"],
)
async def test_bad_frames_close_the_connection(server: FPNNServer, garbage: bytes) -> None:
    reader, writer = await raw_connect(server)
    writer.write(garbage)
    assert await read_until_closed(reader) == b""
    await close_writer(writer)


async def test_bad_frame_after_good_ones_closes(server: FPNNServer) -> None:
    reader, writer = await raw_connect(server)
    writer.write(encode_quest("echo", {"a": 1}, 1))
    decoder = FrameDecoder()
    (answer,) = decoder.feed(await asyncio.wait_for(reader.read(65536), 2))
    assert answer == Answer(1, {"a": 1})
    writer.write(b"FPNN" + bytes(8))  # bad flag
    assert await read_until_closed(reader) == b""
    await close_writer(writer)


async def test_raw_client_sees_plain_answers_and_version_echo(server: FPNNServer) -> None:
    reader, writer = await raw_connect(server)
    frame = bytearray(encode_quest("echo", {"v": 0}, 42))
    frame[4] = 0  # the official Python SDK sends version 0; the answer copies it
    writer.write(bytes(frame) + encode_quest("nope", {}, 43))
    answers = await read_messages(reader, 2)
    by_seq = {a.seq: a for a in answers if isinstance(a, Answer)}
    assert by_seq[42] == Answer(42, {"v": 0}, version=0)
    assert by_seq[43].is_error and by_seq[43].error_code == ec.CORE_UNKNOWN_METHOD
    await close_writer(writer)


def key_quest(public_key: object, seq: int = 1) -> bytes:
    return encode_quest("*key", {"publicKey": public_key, "streamMode": True, "bits": 128}, seq)


async def test_key_to_a_server_without_a_key_closes(server: FPNNServer) -> None:
    reader, writer = await raw_connect(server)
    pub = generate_private_key("secp256k1").public_key().raw
    writer.write(key_quest(pub))
    assert await read_until_closed(reader) == b""
    await close_writer(writer)


@pytest.mark.parametrize(
    "public_key",
    [b"\x01" * 64, b"\x00" * 64, b"short", b"", "not a key", 12345, None, [1, 2]],
    ids=["off-curve", "zeros", "short", "empty", "str", "int", "nil", "list"],
)
async def test_key_with_garbage_public_key_closes(public_key: object) -> None:
    async with FPNNServer(LOCALHOST, 0, private_key=generate_private_key("secp256k1")) as srv:
        reader, writer = await raw_connect(srv)
        writer.write(key_quest(public_key))
        assert await read_until_closed(reader) == b""
        await close_writer(writer)
        await wait_for(lambda: not srv.connections)


@pytest.mark.parametrize(("bits", "stream"), [(192, True), ("128", True), (128, "yes")])
async def test_key_with_bad_options_closes(bits: object, stream: object) -> None:
    key = generate_private_key("secp256r1")
    async with FPNNServer(LOCALHOST, 0, private_key=key) as srv:
        reader, writer = await raw_connect(srv)
        pub = generate_private_key("secp256r1").public_key().raw
        writer.write(encode_quest("*key", {"publicKey": pub, "streamMode": stream,
                                           "bits": bits}, 1))
        assert await read_until_closed(reader) == b""
        await close_writer(writer)


async def test_key_not_first_closes() -> None:
    key = generate_private_key("secp256k1")
    async with FPNNServer(LOCALHOST, 0, private_key=key) as srv:
        reader, writer = await raw_connect(srv)
        writer.write(encode_quest("*ping", None, 1))
        decoder = FrameDecoder()
        (answer,) = decoder.feed(await asyncio.wait_for(reader.read(65536), 2))
        assert isinstance(answer, Answer) and answer.seq == 1 and "ts" in answer.payload
        writer.write(key_quest(generate_private_key("secp256k1").public_key().raw, seq=2))
        assert await read_until_closed(reader) == b""
        await close_writer(writer)


async def test_key_in_the_same_chunk_after_another_frame_closes() -> None:
    key = generate_private_key("secp256k1")
    async with FPNNServer(LOCALHOST, 0, private_key=key) as srv:
        reader, writer = await raw_connect(srv)
        pub = generate_private_key("secp256k1").public_key().raw
        writer.write(encode_quest("hello", {}, oneway=True) + key_quest(pub, seq=2))
        assert await read_until_closed(reader) == b""
        await close_writer(writer)


async def test_idle_timeout_closes_idle_connections() -> None:
    srv = FPNNServer(LOCALHOST, 0, idle_timeout=0.3)
    srv.register("echo", echo)
    async with srv:
        closed: list[int] = []
        cli = FPNNClient(srv.endpoint, on_closed=closed.append)
        conn = await cli.connect()
        start = time.monotonic()
        await asyncio.wait_for(conn.closed_future, 2)
        assert 0.25 <= time.monotonic() - start < 1.0
        assert closed == [conn.id]
        await wait_for(lambda: not srv.connections)
        # traffic keeps a connection open past the idle timeout
        for _ in range(5):
            assert await cli.quest("echo", {"k": 1}) == {"k": 1}
            await asyncio.sleep(0.1)
        assert cli.connected
        await cli.close()


async def test_server_close_closes_every_connection(server: FPNNServer) -> None:
    clients = [FPNNClient(server.endpoint) for _ in range(3)]
    conns = [await c.connect() for c in clients]
    await wait_for(lambda: len(server.connections) == 3)
    await server.close()
    await asyncio.wait_for(asyncio.gather(*(c.closed_future for c in conns)), 2)
    assert not server.connections
    for cli in clients:
        await cli.close()
