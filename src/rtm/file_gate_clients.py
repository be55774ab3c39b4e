"""The connections a client keeps to file gates.

A file send goes to the file gate its ``filetoken`` answer names. One connection per
endpoint is reused by the sends to it, but a client may meet many endpoints over its life:
each connection holds a socket (and, in the blocking client, a reader thread), so at most
``limit`` are kept, the least recently used one going first, and one unused for ``idle``
seconds is closed. A connection in use by a send is never closed under it.

This bookkeeping is transport-agnostic and thread-safe; the clients close what it hands back
(:class:`AsyncFileGatePool` does that for the asyncio clients).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final, Generic, Protocol, TypeVar

C = TypeVar("C")

#: File-gate connections a client keeps at most (least recently used closed first).
FILE_GATE_LIMIT: Final = 4
#: Seconds an unused file-gate connection stays open.
FILE_GATE_IDLE: Final = 60.0


@dataclass(slots=True)
class _Entry(Generic[C]):
    client: C
    users: int
    last_used: float


class FileGateClients(Generic[C]):
    """Clients by file-gate endpoint: :meth:`acquire` one for a send, :meth:`release` it
    after; both return the clients to close now (idle too long, or beyond ``limit``)."""

    def __init__(self, limit: int = FILE_GATE_LIMIT, idle: float = FILE_GATE_IDLE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1:
            raise ValueError(f"limit must be >= 1, got {limit!r}")
        if idle <= 0:
            raise ValueError(f"idle must be > 0 seconds, got {idle!r}")
        self.limit = limit
        self.idle = idle
        self._clock = clock
        self._entries: OrderedDict[str, _Entry[C]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def endpoints(self) -> list[str]:
        """The endpoints with an open client, least recently used first."""
        with self._lock:
            return list(self._entries)

    def acquire(self, endpoint: str, make: Callable[[], C]) -> tuple[C, list[C]]:
        """The client of ``endpoint`` (``make()`` one if there is none), marked in use."""
        with self._lock:
            entry = self._entries.get(endpoint)
            if entry is None:
                entry = self._entries[endpoint] = _Entry(make(), 0, self._clock())
            entry.users += 1
            self._entries.move_to_end(endpoint)
            return entry.client, self._evict()

    def release(self, endpoint: str, client: C) -> list[C]:
        """The send on ``client`` is over."""
        with self._lock:
            entry = self._entries.get(endpoint)
            if entry is not None and entry.client is client:
                entry.users -= 1
                entry.last_used = self._clock()
            return self._evict()

    def expired(self) -> list[C]:
        """Remove and return the clients unused for ``idle`` seconds."""
        with self._lock:
            return self._evict()

    def next_expiry(self) -> float | None:
        """Seconds until the next unused client expires (None: no unused client)."""
        with self._lock:
            idle = [e.last_used for e in self._entries.values() if e.users == 0]
            if not idle:
                return None
            return max(0.0, min(idle) + self.idle - self._clock())

    def take_all(self) -> list[C]:
        """Remove and return every client (the owner is closing)."""
        with self._lock:
            clients = [e.client for e in self._entries.values()]
            self._entries.clear()
            return clients

    def _evict(self) -> list[C]:
        now = self._clock()
        gone: list[C] = []
        free = [(endpoint, e) for endpoint, e in self._entries.items() if e.users == 0]
        over = len(self._entries) - self.limit
        for endpoint, entry in free:  # least recently used first
            if over > 0 or now - entry.last_used >= self.idle:
                del self._entries[endpoint]
                gone.append(entry.client)
                over -= 1
        return gone


class AsyncClosable(Protocol):
    async def close(self) -> None: ...


A = TypeVar("A", bound=AsyncClosable)
T = TypeVar("T")


class AsyncFileGatePool(Generic[A]):
    """The asyncio clients' file-gate connections on top of :class:`FileGateClients`: one
    is acquired per send and closed once evicted or idle (a timer on the running loop);
    :meth:`close` closes them all. ``make(endpoint)`` opens a client."""

    def __init__(self, make: Callable[[str], A], limit: int = FILE_GATE_LIMIT,
                 idle: float = FILE_GATE_IDLE) -> None:
        self.clients: FileGateClients[A] = FileGateClients(limit, idle)
        self._make = make
        self._timer: asyncio.TimerHandle | None = None
        self._closing: set[asyncio.Task[None]] = set()
        self._closed = False

    async def run(self, endpoint: str, send: Callable[[A], Awaitable[T]]) -> T:
        """``send(client)`` on the client of ``endpoint``."""
        client, stale = self.clients.acquire(endpoint, lambda: self._make(endpoint))
        self._close(stale)
        try:
            return await send(client)
        finally:
            self._close(self.clients.release(endpoint, client))
            self._watch_idle()

    def _close(self, clients: list[A]) -> None:
        loop = asyncio.get_running_loop()
        for client in clients:
            task = loop.create_task(client.close())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    def _watch_idle(self) -> None:
        if self._timer is not None or self._closed:
            return
        delay = self.clients.next_expiry()
        if delay is not None:
            self._timer = asyncio.get_running_loop().call_later(delay, self._close_idle)

    def _close_idle(self) -> None:
        self._timer = None
        self._close(self.clients.expired())
        self._watch_idle()

    async def close(self) -> None:
        """Close every client (and wait for those being closed already)."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for client in self.clients.take_all():
            await client.close()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
