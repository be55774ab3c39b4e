"""Helpers shared by the test suites (imported as ``helpers``: ``tests/`` is on sys.path).

Tests never sleep for a fixed time to let something happen: they wait for the condition
itself, with a deadline, and fail naming what did not happen.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

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
