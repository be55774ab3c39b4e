"""A fault-injecting TCP proxy for the reliability tests (loopback only).

``FaultProxy(upstream).start()`` listens on a free 127.0.0.1 port and forwards every accepted
connection to ``upstream`` ("host:port", changeable at any time for new connections). It runs
its own asyncio loop in a daemon thread; every fault method is thread-safe and returns once
the fault is in place. Faults:

* :meth:`set_delay` - every chunk, both directions, is delivered ``seconds`` late (order kept,
  throughput not throttled: a slow link, not a slow peer);
* :meth:`drop` - close every current connection (FIN on both sides);
* :meth:`reset` - abort every current connection with a TCP RST (SO_LINGER 0);
* :meth:`cut_mid_frame` - on every current connection, the next server->client chunk is
  forwarded only in part (its first half), then both sides are reset;
* :meth:`corrupt` - the next server->client chunk of every current connection is garbled;
* :meth:`black_hole` - current connections stay open but forward nothing ever again, in either
  direction (what arrives is read and discarded): a half-open connection, as after a NAT or
  firewall dropped its state. New connections are not affected;
* :meth:`refuse` - while on, new connections are accepted and closed at once (upstream down).

``stats`` counts connections and each fault injected (per affected connection for the
one-shot faults).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_CHUNK = 65536


def _rst(writer: asyncio.StreamWriter) -> None:
    """Abort with a TCP RST instead of a FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class _Pipe:
    """One proxied connection: client <-> upstream, two directions, each with a FIFO queue
    (so a delay adds latency without reordering)."""

    def __init__(self, proxy: FaultProxy, client_r: asyncio.StreamReader,
                 client_w: asyncio.StreamWriter) -> None:
        self.proxy = proxy
        self.client_r, self.client_w = client_r, client_w
        self.up_r: asyncio.StreamReader | None = None
        self.up_w: asyncio.StreamWriter | None = None
        self.black_holed = False
        self.cut_next = False
        self.corrupt_next = False
        self.closed = False
        self.tasks: list[asyncio.Task[None]] = []

    async def run(self, upstream: str) -> None:
        host, _, port = upstream.rpartition(":")
        try:
            self.up_r, self.up_w = await asyncio.wait_for(
                asyncio.open_connection(host.strip("[]"), int(port)), 2.0)
        except (OSError, asyncio.TimeoutError):
            self.proxy.stats["upstream_unreachable"] += 1
            self.close()
            return
        if self.closed:  # a fault hit while we were connecting
            self.up_w.close()
            return
        loop = asyncio.get_running_loop()
        up: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        down: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        self.tasks = [
            loop.create_task(self._read(self.client_r, up)),
            loop.create_task(self._write(up, self.up_w, downstream=False)),
            loop.create_task(self._read(self.up_r, down)),
            loop.create_task(self._write(down, self.client_w, downstream=True)),
        ]
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.close()

    async def _read(self, reader: asyncio.StreamReader,
                    queue: asyncio.Queue[tuple[float, bytes]]) -> None:
        loop = asyncio.get_running_loop()
        last = 0.0
        try:
            while True:
                data = await reader.read(_CHUNK)
                if self.black_holed:
                    if not data:  # the peer gave up on the silent connection
                        break
                    continue  # swallowed: never forwarded
                # order is kept even when the delay shrinks meanwhile
                last = max(loop.time() + self.proxy.delay, last)
                queue.put_nowait((last, data))
                if not data:
                    return
        except (OSError, asyncio.IncompleteReadError):
            pass
        self.close()

    async def _write(self, queue: asyncio.Queue[tuple[float, bytes]],
                     writer: asyncio.StreamWriter, *, downstream: bool) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                at, data = await queue.get()
                wait = at - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if self.black_holed:
                    continue
                if not data:  # EOF: pass the half-close on
                    with contextlib.suppress(OSError):
                        writer.write_eof()
                    return
                if downstream and self.cut_next:
                    self.cut_next = False
                    writer.write(data[: max(1, len(data) // 2)] if len(data) > 1 else b"")
                    await writer.drain()
                    self.reset()
                    return
                if downstream and self.corrupt_next:
                    self.corrupt_next = False
                    data = bytes(b ^ 0x5A for b in data)
                writer.write(data)
                await writer.drain()
        except (OSError, RuntimeError):
            self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for w in (self.client_w, self.up_w):
            if w is not None:
                w.close()
        for task in self.tasks:
            task.cancel()
        self.proxy._pipes.discard(self)

    def reset(self) -> None:
        if self.closed:
            return
        for w in (self.client_w, self.up_w):
            if w is not None:
                _rst(w)
        self.close()


class FaultProxy:
    def __init__(self, upstream: str, host: str = "127.0.0.1") -> None:
        self.upstream = upstream
        self.host = host
        self.port = 0
        self.delay = 0.0
        self.refusing = False
        self.stats: Counter[str] = Counter()
        self._pipes: set[_Pipe] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> FaultProxy:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            self._server = loop.run_until_complete(
                asyncio.start_server(self._accept, self.host, 0))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._shutdown())
            loop.close()

        self._thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fault proxy did not start")
        return self

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        for pipe in list(self._pipes):
            pipe.close()
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._loop = self._thread = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats["connections"] += 1
        if self.refusing:
            self.stats["refused"] += 1
            writer.close()
            return
        pipe = _Pipe(self, reader, writer)
        self._pipes.add(pipe)
        try:
            await pipe.run(self.upstream)
        except asyncio.CancelledError:  # proxy shutting down
            pipe.close()

    @property
    def connections(self) -> int:
        """Connections currently proxied (black-holed ones included)."""
        return len(self._pipes)

    # ------------------------------------------------------------------ faults

    def set_delay(self, seconds: float) -> None:
        self.delay = seconds
        if seconds:
            self.stats["delay"] += 1

    def _each(self, name: str, action: str) -> int:
        async def apply() -> int:
            pipes = [p for p in self._pipes if not p.closed and not p.black_holed]
            for pipe in pipes:
                if action == "drop":
                    pipe.close()
                elif action == "reset":
                    pipe.reset()
                elif action == "cut":
                    pipe.cut_next = True
                elif action == "corrupt":
                    pipe.corrupt_next = True
                elif action == "black_hole":
                    pipe.black_holed = True
            self.stats[name] += len(pipes)
            return len(pipes)

        return self._run(apply())

    def drop(self) -> int:
        return self._each("drop", "drop")

    def reset(self) -> int:
        return self._each("reset", "reset")

    def cut_mid_frame(self) -> int:
        return self._each("cut_mid_frame", "cut")

    def corrupt(self) -> int:
        return self._each("corrupt", "corrupt")

    def black_hole(self) -> int:
        return self._each("black_hole", "black_hole")

    def refuse(self, on: bool = True) -> None:
        self.refusing = on
        if on:
            self.stats["refuse"] += 1

    def wait_connections(self, n: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while self.connections < n:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.connections} proxied connections, wanted {n}")
            time.sleep(0.01)
