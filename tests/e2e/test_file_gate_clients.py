"""The SDK's connections to file gates are bounded and closed when idle, for both clients.

Each file gate endpoint here is a TCP forwarder in front of the local server's file gate
that counts the connections open through it; the server API is told to answer a different
endpoint in each ``filetoken`` (as a cluster does).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import pytest

from helpers import async_wait_until, wait_until
from rtm import AsyncRTMServerClient, RTMServerClient
from rtm.server import RTMServer, ServerConfig, ServerThread

PID, SECRET = 11000093, "file-gate-clients-secret"


class Forwarder:
    """``endpoint`` forwards to ``target``; ``open`` counts the connections through it."""

    def __init__(self, target: str) -> None:
        self.host, port = target.rsplit(":", 1)
        self.port = int(port)
        self.open = 0
        self.total = 0
        self.endpoint = ""
        self._server: asyncio.Server | None = None

    async def start(self) -> Forwarder:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.endpoint = f"127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open += 1
        self.total += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.port)

            async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
                try:
                    while data := await src.read(65536):
                        dst.write(data)
                        await dst.drain()
                finally:
                    dst.close()

            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer),
                                 return_exceptions=True)
        finally:
            self.open -= 1
            writer.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)


class SmallAsync(AsyncRTMServerClient):
    file_gate_limit = 2
    file_gate_idle = 0.5


class SmallSync(RTMServerClient):
    file_gate_limit = 2
    file_gate_idle = 0.5


async def test_async_client_bounds_and_closes_file_gate_connections() -> None:
    config = ServerConfig(port=0, client_port=0, file_port=0, projects={PID: SECRET})
    async with RTMServer(config) as server:
        forwarders = [await Forwarder(server.file_endpoint).start() for _ in range(3)]
        client = SmallAsync(PID, SECRET, server.endpoint)
        try:
            for mid, fw in enumerate(forwarders, start=1):
                server.core.file_endpoint = fw.endpoint
                await client.send_file(1, 2, b"bytes %d" % mid, "f.txt", mid=mid)
                assert fw.total == 1
                assert sum(f.open for f in forwarders) <= 2  # never more than the limit
            # the least recently used went first
            await async_wait_until(lambda: forwarders[0].open == 0, timeout=10,
                                   what="the first file gate's connection to be closed")
            # and all of them once idle for file_gate_idle seconds
            await async_wait_until(lambda: sum(f.open for f in forwarders) == 0, timeout=10,
                                   what="idle file gate connections to be closed")
            # a later send reconnects as needed
            server.core.file_endpoint = forwarders[0].endpoint
            await client.send_file(1, 2, b"again", "f.txt", mid=9)
            assert forwarders[0].total == 2
        finally:
            await client.close()
            await async_wait_until(lambda: sum(f.open for f in forwarders) == 0, timeout=10,
                                   what="close() to close the file gate connections")
            for fw in forwarders:
                await fw.close()


@pytest.fixture
def thread() -> Iterator[ServerThread]:
    with ServerThread() as server:
        yield server


def test_sync_client_bounds_and_closes_file_gate_connections(thread: ServerThread) -> None:
    async def start() -> list[Forwarder]:
        return [await Forwarder(thread.file_endpoint).start() for _ in range(3)]

    forwarders = thread.run(start())
    client = SmallSync(thread.pid, thread.secret, thread.endpoint)
    core = thread.server.core
    try:
        for mid, fw in enumerate(forwarders, start=1):
            core.file_endpoint = fw.endpoint
            client.send_file(1, 2, b"bytes %d" % mid, "f.txt", mid=mid)
            assert fw.total == 1
            assert sum(f.open for f in forwarders) <= 2
        wait_until(lambda: forwarders[0].open == 0, timeout=10,
                   what="the first file gate's connection to be closed")
        wait_until(lambda: sum(f.open for f in forwarders) == 0, timeout=10,
                   what="idle file gate connections to be closed")
    finally:
        client.close()

        async def stop() -> None:
            for fw in forwarders:
                await fw.close()

        thread.run(stop())


def test_bookkeeping_never_closes_a_connection_in_use() -> None:
    from rtm.file_gate_clients import FileGateClients

    now = [0.0]
    pool: FileGateClients[str] = FileGateClients(limit=1, idle=10, clock=lambda: now[0])
    a, stale = pool.acquire("a:1", lambda: "A")
    assert (a, stale) == ("A", [])
    b, stale = pool.acquire("b:1", lambda: "B")
    assert (b, stale) == ("B", [])  # "A" is in use: over the limit for now
    assert pool.release("a:1", "A") == ["A"]  # freed, and the limit applies
    now[0] = 10.0
    assert pool.expired() == []  # "B" still in use
    assert pool.release("b:1", "B") == []
    assert pool.next_expiry() == 10.0
    now[0] = 20.0
    assert pool.expired() == ["B"] and len(pool) == 0
    with pytest.raises(ValueError, match="limit must be >= 1"):
        FileGateClients(limit=0)
