"""Helpers shared by the test suites (imported as ``helpers``: ``tests/`` is on sys.path).

Tests never sleep for a fixed time to let something happen: they wait for the condition
itself, with a deadline, and fail naming what did not happen.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rtm.server import ServerThread

POLL = 0.005  # seconds between two looks at the condition


def wait_until(predicate: Callable[[], object], timeout: float = 5.0, what: str = "") -> None:
    """Block until ``predicate()`` is true; AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for "
                                 f"{what or getattr(predicate, '__name__', predicate)}")
        time.sleep(POLL)


async def async_wait_until(predicate: Callable[[], object], timeout: float = 5.0,
                           what: str = "") -> None:
    """``wait_until`` for a coroutine: the event loop runs while it waits."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for "
                                 f"{what or getattr(predicate, '__name__', predicate)}")
        await asyncio.sleep(POLL)


def drop_server_connections(server: ServerThread) -> None:
    """Close every connection of the server gate, from the server's side (the clients see a
    FIN, as when a server restarts)."""
    async def drop() -> None:
        gate = server.server._gate(server.server._server_gate)
        for conn in list(gate.connections.values()):
            conn.close()

    server.run(drop())


async def async_wait_for(check: Callable[[], Awaitable[object]], timeout: float = 5.0,
                         what: str = "") -> None:
    """``async_wait_until`` for a condition that must itself be awaited (a store read, a
    server-API call)."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for "
                                 f"{what or getattr(check, '__name__', check)}")
        await asyncio.sleep(POLL)


def gate_target(endpoint: str, transport: str) -> str:
    """What an FPNN client opens to reach the gate at ``endpoint`` (``host:port``) over
    ``transport``: the endpoint itself for ``tcp``, the web SDK's URL for ``ws``."""
    if transport == "tcp":
        return endpoint
    if transport == "ws":
        return f"ws://{endpoint}/service/websocket"
    raise ValueError(f"transport must be 'tcp' or 'ws', got {transport!r}")
