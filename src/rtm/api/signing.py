"""Quest signatures (spec §1.2 / §1.3), salts and message ids (spec §1.4).

``sign_v1`` is the 0.1.0 formula, ``sign_v2`` the post-2019 one with ``cmd`` and ``ts``.
:class:`Signer` is the fast per-client form used on the hot path: it keeps the constant part of
the MD5 input pre-hashed, so signing a quest costs one ``md5.copy()`` and a short update.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

__all__ = [
    "MidGenerator",
    "SaltGenerator",
    "Signer",
    "sign_v1",
    "sign_v2",
]


def _md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


def sign_v1(pid: int, secret_key: str, salt: int) -> str:
    """``UPPER_HEX(MD5("<pid>:<secret_key>:<salt>"))`` — the Go 0.1.0 signature (spec §1.2)."""
    return _md5_upper(f"{pid}:{secret_key}:{salt}")


def sign_v2(pid: int, secret_key: str, salt: int, cmd: str, ts: int) -> str:
    """``UPPER_HEX(MD5("<pid>:<secret_key>:<salt>:<cmd>:<ts>"))`` — post-0.2.1 signature (§1.3)."""
    return _md5_upper(f"{pid}:{secret_key}:{salt}:{cmd}:{ts}")


class SaltGenerator:
    """Nanosecond-clock salts, strictly increasing per instance even if the clock stalls or
    steps back (GO010 uses ``time.Now().UnixNano()``). Thread-safe."""

    __slots__ = ("_last", "_lock")

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        now = time.time_ns()
        with self._lock:
            if now <= self._last:
                now = self._last + 1
            self._last = now
        return now


class MidGenerator:
    """Message ids in the 0.1.0 format ``ms * 1000 + seq`` (spec §1.4), unique per instance.

    ``seq`` is a running counter incremented before use and wrapping 999 -> 0 (so the first
    mid of a client ends in ``001``), exactly like GO010. Unlike GO010, ids never repeat: when
    more than 1000 ids are drawn within one millisecond (or the clock steps back), the
    generator borrows the next millisecond, so every id is strictly greater than the previous
    one. Thread-safe.
    """

    __slots__ = ("_last", "_lock", "_seq")

    def __init__(self) -> None:
        self._seq = 0
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        now_ms = time.time_ns() // 1_000_000
        with self._lock:
            seq = self._seq + 1
            if seq > 999:
                seq = 0
            self._seq = seq
            mid = now_ms * 1000 + seq
            last = self._last
            if mid <= last:
                # Same (or an earlier) millisecond and the counter wrapped: keep the last
                # id's millisecond if that still increases, else borrow the next one.
                mid = last - last % 1000 + seq
                if mid <= last:
                    mid += 1000
            self._last = mid
        return mid


class Signer:
    """Builds the authentication params of a signed quest for one (pid, secret key).

    ``version=1``: ``{"pid", "sign", "salt"}`` (spec §1.2, the default, what 0.1.0 sends).
    ``version=2``: ``{"pid", "sign", "salt", "ts"}`` with the ``:cmd:ts`` formula (spec §1.3).
    The secret key never appears in ``repr``/``str`` of this object.
    """

    __slots__ = ("_pid", "_prefix", "_salts", "_version")

    def __init__(self, pid: int, secret_key: str, version: int = 1) -> None:
        if version not in (1, 2):
            raise ValueError(f"sign_version must be 1 or 2, got {version!r}")
        self._pid = pid
        self._version = version
        self._salts = SaltGenerator()
        self._prefix = hashlib.md5(f"{pid}:{secret_key}:".encode(), usedforsecurity=False)

    @property
    def version(self) -> int:
        return self._version

    def __repr__(self) -> str:
        return f"Signer(pid={self._pid}, version={self._version})"

    def auth_params(self, method: str) -> dict[str, Any]:
        salt = self._salts.next()
        h = self._prefix.copy()
        if self._version == 1:
            h.update(str(salt).encode())
            return {"pid": self._pid, "sign": h.hexdigest().upper(), "salt": salt}
        ts = int(time.time())
        h.update(f"{salt}:{method}:{ts}".encode())
        return {"pid": self._pid, "sign": h.hexdigest().upper(), "salt": salt, "ts": ts}
