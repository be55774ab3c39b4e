"""FPNN asyncio transport end to end: FPNNServer and FPNNClient over real sockets on 127.0.0.1.

What is particular to asyncio or to the server side: the client behaviour shared by both
client transports is in test_client_transports.py. Everything runs in the test's own event
loop; timings are kept short so the whole file stays well under half a minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from helpers import async_wait_until
from rtm.fpnn import codec
from rtm.fpnn import errors as ec
from rtm.fpnn.client import FPNNClient
from rtm.fpnn.codec import Answer, FrameDecoder, Quest, encode_quest
from rtm.fpnn.connection import FPNNConnection
from rtm.fpnn.crypto import ClientKeyExchange, generate_private_key
from rtm.fpnn.errors import FPNNConnectionError, FPNNError
from rtm.fpnn.server import FPNNServer, ServerConnection
from rtm.fpnn.session import NO_KEY_MESSAGE

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
    await async_wait_until(lambda: len(server.connections) == 1, 1, "one server connection")
    return next(iter(server.connections.values()))


async def wait_for(predicate: Callable[[], object], timeout: float = 2.0) -> None:
    await async_wait_until(predicate, timeout)


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


# ---------------------------------------------------------------------------- encryption


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


# ---------------------------------------------------------------------------- failures


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


async def test_key_to_a_server_without_a_key_is_answered_why_then_closed(
        server: FPNNServer) -> None:
    """A plaintext error answer names the cause (the C++ server only closes)."""
    reader, writer = await raw_connect(server)
    pub = generate_private_key("secp256k1").public_key().raw
    writer.write(key_quest(pub, seq=7))
    (answer,) = FrameDecoder().feed(await read_until_closed(reader))
    assert isinstance(answer, Answer) and answer.seq == 7
    assert answer.error_code == ec.CORE_FORBIDDEN
    assert answer.error_message == NO_KEY_MESSAGE
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


# ---------------------------------------------------------------------------- future handlers


async def test_a_handler_may_answer_with_a_future(server: FPNNServer, client: FPNNClient
                                                  ) -> None:
    """A handler returning a future is answered when the future is done (no task): with its
    result, or with the error it failed with; a closed connection cancels it."""
    loop = asyncio.get_running_loop()
    held: list[asyncio.Future[dict[str, Any]]] = []

    def later(conn: FPNNConnection, quest: Quest) -> asyncio.Future[dict[str, Any]]:
        fut: asyncio.Future[dict[str, Any]] = loop.create_future()
        held.append(fut)
        return fut

    server.register("later", later)
    ok = asyncio.ensure_future(client.quest("later", {}))
    failing = asyncio.ensure_future(client.quest("later", {}))
    await wait_for(lambda: len(held) == 2)
    conn = await only_connection(server)
    assert len(conn._tasks) == 2  # pending quests are counted (max_pending_quests)
    held[0].set_result({"value": 7})
    held[1].set_exception(FPNNError("refused", 123456))
    assert await ok == {"value": 7}
    with pytest.raises(FPNNError) as info:
        await failing
    assert info.value.code == 123456
    assert not conn._tasks
    ready: asyncio.Future[dict[str, Any]] = loop.create_future()
    ready.set_result({"at once": True})
    server.register("ready", lambda conn, quest: ready)
    assert await client.quest("ready", {}) == {"at once": True}
    dropped = asyncio.ensure_future(client.quest("later", {}))
    await wait_for(lambda: len(held) == 3)
    await client.close()
    await wait_for(lambda: held[2].cancelled())
    with pytest.raises(FPNNError):
        await dropped
