"""Quest signatures (spec §1.2 / §1.3), salts and message ids (spec §1.4).

``sign_v1`` is the 0.1.0 formula, ``sign_v2`` the current one with ``cmd`` and ``ts``.
:class:`Signer` is the fast per-client form used on the hot path: it keeps the constant part of
the MD5 input pre-hashed, so signing a quest costs one ``md5.copy()`` and a short update.

Message ids: :class:`MidGenerator` is the 0.1.0 layout (``ms * 1000 + seq``),
:class:`SnowflakeMidGenerator` the current one (``ms << 22 | rand4 << 18 | mac4 << 14 | ip8 << 6
| seq6``), which also supplies the salts of the current profile (spec §1.4).
"""

from __future__ import annotations

import hashlib
import random
import socket
import threading
import time
import uuid
from typing import Any, Protocol

__all__ = [
    "MidGenerator",
    "SaltGenerator",
    "SaltSource",
    "Signer",
    "SnowflakeMidGenerator",
    "sign_v1",
    "sign_v2",
]


class SaltSource(Protocol):
    """Anything with ``next() -> int`` (a salt or mid generator)."""

    def next(self) -> int: ...


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


def _crc32(data: bytes, poly: int) -> int:
    """CRC-32 with the reflected polynomial ``poly`` (Go's ``crc32.MakeTable`` convention)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (poly if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def _host_ipv4_last_octet() -> int | None:
    """Last octet of this host's first non-loopback IPv4 address (no traffic is sent)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return None
    for info in infos:
        address = str(info[4][0])
        if not address.startswith("127."):
            return int(address.rsplit(".", 1)[1])
    return None


class SnowflakeMidGenerator:
    """Message ids (and salts) in the layout of the current Go SDK (spec §1.4):
    ``ms << 22 | rand4 << 18 | mac4 << 14 | ip8 << 6 | seq6``.

    ``rand4`` is random in 1..15 per generator, ``mac4`` = CRC-32 (polynomial 0xD5828281) of
    the host's MAC address % 15 + 1, ``ip8`` the last octet of its first non-loopback IPv4
    address (random 1..255 without one), ``seq6`` a counter incremented before use. When the
    counter wraps to 0 the next millisecond is used, and the clock never goes back, so ids
    are strictly increasing per generator (Go waits for the clock instead). Thread-safe.
    """

    __slots__ = ("_last_ms", "_lock", "_node", "_seq")

    def __init__(self) -> None:
        rand4 = random.randint(1, 15)
        mac = uuid.getnode().to_bytes(6, "big")
        mac4 = _crc32(mac, 0xD5828281) % 15 + 1
        ip8 = _host_ipv4_last_octet() or random.randint(1, 255)
        self._node = rand4 << 18 | mac4 << 14 | ip8 << 6
        self._last_ms = 0
        self._seq = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        now_ms = time.time_ns() // 1_000_000
        with self._lock:
            seq = (self._seq + 1) & 0x3F
            last = self._last_ms
            if now_ms < last:
                now_ms = last
            if seq == 0 and now_ms == last:
                now_ms = last + 1
            self._seq = seq
            self._last_ms = now_ms
        return now_ms << 22 | self._node | seq


class Signer:
    """Builds the authentication params of a signed quest for one (pid, secret key).

    ``version=1``: ``{"pid", "sign", "salt"}`` (the 0.1.0 formula, spec §1.2 of the 0.1.0
    spec). ``version=2``: ``{"pid", "sign", "salt", "ts"}`` with the ``:cmd:ts`` formula of the
    current generation. ``salts`` supplies the salts (default: nanosecond clock, as Go 0.1.0).
    The secret key never appears in ``repr``/``str`` of this object.
    """

    __slots__ = ("_pid", "_prefix", "_salts", "_version")

    def __init__(self, pid: int, secret_key: str, version: int = 1,
                 salts: SaltSource | None = None) -> None:
        if version not in (1, 2):
            raise ValueError(f"sign_version must be 1 or 2, got {version!r}")
        self._pid = pid
        self._version = version
        self._salts: SaltSource = SaltGenerator() if salts is None else salts
        self._prefix = hashlib.md5(f"{pid}:{secret_key}:".encode(), usedforsecurity=False)

    @property
    def version(self) -> int:
        return self._version

    def __repr__(self) -> str:
        return f"Signer(pid={self._pid}, version={self._version})"

    def auth_params(self, method: str, ts_offset: int = 0) -> dict[str, Any]:
        """A fresh salt and its sign; ``ts`` is now + ``ts_offset`` seconds (version 2)."""
        salt = self._salts.next()
        h = self._prefix.copy()
        if self._version == 1:
            h.update(str(salt).encode())
            return {"pid": self._pid, "sign": h.hexdigest().upper(), "salt": salt}
        ts = int(time.time()) + ts_offset
        h.update(f"{salt}:{method}:{ts}".encode())
        return {"pid": self._pid, "sign": h.hexdigest().upper(), "salt": salt, "ts": ts}
