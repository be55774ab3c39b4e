"""Error codes, result types and helpers shared by the store's areas."""

from __future__ import annotations

import asyncio
import enum
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")

# --------------------------------------------------------------------------------------------
# Error codes (spec §5.1) raised by the store: see rtm.api.codes.


HISTORY_MAX_NUM: Final = 20

#: File-gate commands accepted by :meth:`Store.issue_file_token` (spec §3.1).
FILE_CMDS: Final = frozenset(
    {"sendfile", "sendfiles", "sendgroupfile", "sendroomfile", "broadcastfile", "uploadfile"}
)

_I64_MIN: Final = -(2**63)
_I64_MAX: Final = 2**63 - 1

# Ban scopes in the ``bans`` table (group/room match Kind values; 0 = project black list).
_SCOPE_BLACK: Final = 0
# Project ban (mute, current spec §4.10), xid 0. A group/room ban row with xid 0 is the
# wildcard ban "in every group/room" (§4.7).
_SCOPE_PROJECT_BAN: Final = 1
_WILDCARD: Final = 0


class StoreError(Exception):
    """A business error with its RTM error code (spec §5), e.g. 200041 not a group member."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class Kind(enum.IntEnum):
    """Conversation kind; values are the wire ``type`` of ``delmsg`` (spec §2.4)."""

    P2P = 1
    GROUP = 2
    ROOM = 3
    BROADCAST = 4


Payload = str | bytes


@dataclass(frozen=True, slots=True)
class SendResult:
    """Outcome of a send.

    ``mtime`` is the value to answer (ms): the stored mtime, the original one for a duplicate;
    for a multi-send the largest mtime among the recipients' rows. The tuples have one entry per
    target (per recipient, in the order given, for :meth:`Store.send_multi`): cursor id, stored
    mtime, and ``fresh`` = True when the row was stored now (push it) / False for a duplicate.
    ``duplicate`` is True when nothing new was stored at all.
    """

    mtime: int
    duplicate: bool
    ids: tuple[int, ...]
    mtimes: tuple[int, ...]
    fresh: tuple[bool, ...]


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One history entry; field order is the wire's 8-element array (spec §2.3).

    ``from_uid`` is always the real sender, also for P2P (the gate turns it into 1/2).
    ``msg``/``attrs`` come back with the type they were stored with (str or bytes).
    """

    id: int
    from_uid: int
    mtype: int
    mid: int
    deleted: bool
    msg: Payload
    attrs: Payload
    mtime: int


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """History answer: ``num`` = len(rows); ``lastid``/``begin``/``end`` for the next page."""

    num: int
    lastid: int
    begin: int
    end: int
    rows: list[HistoryRow]


@dataclass(frozen=True, slots=True)
class StoredFile:
    file_id: str
    pid: int
    content: bytes
    filename: str
    ext: str
    size: int
    created_ms: int


@dataclass(frozen=True, slots=True)
class Device:
    uid: int
    apptype: str
    devicetoken: str



def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


def _payload(value: Payload | bytearray | memoryview) -> Payload:
    if isinstance(value, str | bytes):
        return value
    return bytes(value)


def _p2p_pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a <= b else (b, a)


def _unique(values: Iterable[int] | None) -> list[int]:
    """The distinct values in first-seen order (None is treated as an empty list)."""
    return list(dict.fromkeys(values or ()))


def _chunks(values: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _expiry(now: int, seconds: int) -> int | None:
    """Ban/token expiry: ``seconds <= 0`` means permanent (None)."""
    return None if seconds <= 0 else now + seconds * 1000


def _file_target_key(cmd: str, target: int | Iterable[int] | None) -> str:
    """Canonical text of a file token's target binding (order-insensitive for ``tos``)."""
    if cmd not in FILE_CMDS:
        raise ValueError(f"unknown file cmd {cmd!r}")
    if cmd in ("broadcastfile", "uploadfile"):
        return ""
    if cmd == "sendfiles":
        if target is None or isinstance(target, int):
            raise ValueError("sendfiles needs a list of recipient uids")
        return ",".join(str(uid) for uid in sorted(set(target)))
    if not isinstance(target, int):
        raise ValueError(f"{cmd} needs a single int target")
    return str(target)


class _Op:
    """One queued operation. ``then`` (optional) is called with the result once the
    operation is committed, before its future is resolved, even if the caller has given up
    meanwhile: what must follow a stored write (its pushes) never depends on the caller.
    ``atomic``: the operation makes at most one write statement, its last, so a failure
    leaves nothing of it behind and it needs no savepoint of its own.
    ``answer`` / ``error`` (optional) turn the result / the failure into what the future
    gets (a quest's answer straight from the store)."""

    __slots__ = ("answer", "atomic", "error", "fn", "fut", "then", "write")

    def __init__(
        self,
        fn: Callable[[sqlite3.Connection], Any],
        fut: asyncio.Future[Any],
        write: bool,
        then: Callable[[Any], None] | None = None,
        atomic: bool = False,
        answer: Callable[[Any], Any] | None = None,
        error: Callable[[Exception], BaseException] | None = None,
    ) -> None:
        self.fn = fn
        self.fut = fut
        self.write = write
        self.then = then
        self.atomic = atomic
        self.answer = answer
        self.error = error


_Outcome = tuple["asyncio.Future[Any]", Any, BaseException | None]


def _resolve(outcomes: list[_Outcome]) -> None:
    """Settle the futures of one batch (on the store's loop)."""
    for fut, result, exc in outcomes:
        if fut.done():  # cancelled by its caller meanwhile
            continue
        if exc is not None:
            fut.set_exception(exc)
        else:
            fut.set_result(result)


@dataclass(frozen=True, slots=True)
class Ban:
    """An active ban (group, room or project black list): ``expires_ms`` None = permanent."""

    uid: int
    expires_ms: int | None
