"""SQLite storage layer of the local RTM server (spec ``rtm-server-api.md`` sections 2, 3, 5).

Threading model
---------------
The server is asyncio based and SQLite calls block, so a :class:`Store` owns one dedicated
worker thread which owns the only ``sqlite3`` connection. Every public method is a coroutine
that queues an operation for the worker and awaits its future.

The worker takes the first queued operation, then drains everything else queued so far (up to
``max_batch``) and runs the whole batch in ONE transaction, each write wrapped in its own
``SAVEPOINT`` so a failing operation (business error or SQL error) is rolled back alone and
fails only its own caller. After ``COMMIT`` the futures of the batch are resolved with a single
``loop.call_soon_threadsafe`` per event loop: an acknowledged write is therefore committed.

Durability: the database runs in WAL mode with ``synchronous=NORMAL`` by default. In WAL mode a
commit appends the transaction to the ``-wal`` file with ``write()`` before ``COMMIT`` returns,
so the data is in the OS page cache and survives the *process* being killed (even SIGKILL); only
an OS crash or power loss can lose the last transactions before the next WAL sync. That matches
an emulator's needs; pass ``synchronous="FULL"`` to fsync on every batch commit instead (batching
keeps that affordable).

Business errors are raised as :class:`StoreError` carrying the RTM error code (spec §5).
Parameter shape checks (list sizes, mtype range, message sizes, ids <= 0) belong to the gates;
the store only enforces the limits that depend on stored state.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import hashlib
import os
import queue
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Concatenate, Final, ParamSpec, TypeVar

__all__ = [
    "ADMIN_ONLY",
    "BANNED_IN_GROUP",
    "BANNED_IN_ROOM",
    "DUPLICATED_MID",
    "FILE_CMDS",
    "INVALID_FILE_OR_SIGN_OR_TOKEN",
    "MAX_FRIEND_COUNT",
    "MAX_GROUP_MEMBER_COUNT",
    "MAX_ROOM_COUNT",
    "NOT_FRIEND",
    "NOT_GROUP_MEMBER",
    "NOT_IN_ROOM",
    "SCHEMA_VERSION",
    "Device",
    "HistoryPage",
    "HistoryRow",
    "Kind",
    "SendResult",
    "Store",
    "StoreError",
    "StoredFile",
]

T = TypeVar("T")
P = ParamSpec("P")

# --------------------------------------------------------------------------------------------
# Error codes (spec §5.1) raised by the store.

INVALID_FILE_OR_SIGN_OR_TOKEN: Final = 200003
ADMIN_ONLY: Final = 200026
NOT_IN_ROOM: Final = 200040
NOT_GROUP_MEMBER: Final = 200041
MAX_GROUP_MEMBER_COUNT: Final = 200042  # also "too many groups in the project" (spec §2.6)
NOT_FRIEND: Final = 200043
BANNED_IN_GROUP: Final = 200044
BANNED_IN_ROOM: Final = 200045
MAX_ROOM_COUNT: Final = 200047
MAX_FRIEND_COUNT: Final = 200048
DUPLICATED_MID: Final = 200053

HISTORY_MAX_NUM: Final = 20

#: File-gate commands accepted by :meth:`Store.issue_file_token` (spec §3.1).
FILE_CMDS: Final = frozenset(
    {"sendfile", "sendfiles", "sendgroupfile", "sendroomfile", "broadcastfile"}
)

_I64_MIN: Final = -(2**63)
_I64_MAX: Final = 2**63 - 1

# Ban scopes in the ``bans`` table (group/room match Kind values; 0 = project black list).
_SCOPE_BLACK: Final = 0


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


# --------------------------------------------------------------------------------------------
# Schema. Each migration is a list of statements run in one transaction; the database's
# ``PRAGMA user_version`` is the number of migrations applied.

_MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (
        # One table for every conversation. Conversation key = (pid, kind, xa, xb):
        # p2p (min uid, max uid), group (gid, 0), room (rid, 0), broadcast (0, 0).
        # id is the cursor: AUTOINCREMENT so an id is never reused, even after del_group.
        # msg/attrs are BLOB-affinity columns, which keep TEXT and BLOB values as given.
        """CREATE TABLE messages (
            id       INTEGER PRIMARY KEY AUTOINCREMENT,
            pid      INTEGER NOT NULL,
            kind     INTEGER NOT NULL,
            xa       INTEGER NOT NULL,
            xb       INTEGER NOT NULL,
            from_uid INTEGER NOT NULL,
            to_uid   INTEGER NOT NULL,
            mid      INTEGER NOT NULL,
            mtype    INTEGER NOT NULL,
            msg      BLOB NOT NULL,
            attrs    BLOB NOT NULL,
            mtime    INTEGER NOT NULL,
            deleted  INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX messages_conv_id ON messages (pid, kind, xa, xb, id)",
        "CREATE INDEX messages_conv_mtime ON messages (pid, kind, xa, xb, mtime)",
        "CREATE UNIQUE INDEX messages_dedup ON messages (pid, kind, xa, xb, from_uid, mid)",
        """CREATE TABLE friends (
            pid INTEGER NOT NULL, uid INTEGER NOT NULL, fuid INTEGER NOT NULL,
            PRIMARY KEY (pid, uid, fuid)
        ) WITHOUT ROWID""",
        """CREATE TABLE chat_groups (
            pid INTEGER NOT NULL, gid INTEGER NOT NULL, members INTEGER NOT NULL,
            PRIMARY KEY (pid, gid)
        ) WITHOUT ROWID""",
        """CREATE TABLE group_members (
            pid INTEGER NOT NULL, gid INTEGER NOT NULL, uid INTEGER NOT NULL,
            PRIMARY KEY (pid, gid, uid)
        ) WITHOUT ROWID""",
        "CREATE INDEX group_members_by_uid ON group_members (pid, uid, gid)",
        """CREATE TABLE room_members (
            pid INTEGER NOT NULL, rid INTEGER NOT NULL, uid INTEGER NOT NULL,
            PRIMARY KEY (pid, rid, uid)
        ) WITHOUT ROWID""",
        "CREATE INDEX room_members_by_uid ON room_members (pid, uid, rid)",
        # scope: 2 group ban, 3 room ban, 0 project black list (xid 0). NULL expiry = permanent.
        """CREATE TABLE bans (
            pid INTEGER NOT NULL, scope INTEGER NOT NULL, xid INTEGER NOT NULL,
            uid INTEGER NOT NULL, expires_ms INTEGER,
            PRIMARY KEY (pid, scope, xid, uid)
        ) WITHOUT ROWID""",
        """CREATE TABLE tokens (
            pid INTEGER NOT NULL, uid INTEGER NOT NULL, token TEXT NOT NULL,
            expires_ms INTEGER,
            PRIMARY KEY (pid, uid, token)
        ) WITHOUT ROWID""",
        """CREATE TABLE file_tokens (
            token TEXT NOT NULL PRIMARY KEY, pid INTEGER NOT NULL, from_uid INTEGER NOT NULL,
            cmd TEXT NOT NULL, target TEXT NOT NULL, expires_ms INTEGER NOT NULL
        ) WITHOUT ROWID""",
        "CREATE INDEX file_tokens_expiry ON file_tokens (expires_ms)",
        """CREATE TABLE files (
            file_id TEXT NOT NULL UNIQUE, pid INTEGER NOT NULL, filename TEXT NOT NULL,
            ext TEXT NOT NULL, size INTEGER NOT NULL, created_ms INTEGER NOT NULL,
            content BLOB NOT NULL
        )""",
        """CREATE TABLE devices (
            pid INTEGER NOT NULL, uid INTEGER NOT NULL, devicetoken TEXT NOT NULL,
            apptype TEXT NOT NULL, updated_ms INTEGER NOT NULL,
            PRIMARY KEY (pid, uid, devicetoken)
        ) WITHOUT ROWID""",
    ),
)

#: Schema version a freshly opened database has (``PRAGMA user_version``).
SCHEMA_VERSION: Final = len(_MIGRATIONS)


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
    if cmd == "broadcastfile":
        return ""
    if cmd == "sendfiles":
        if target is None or isinstance(target, int):
            raise ValueError("sendfiles needs a list of recipient uids")
        return ",".join(str(uid) for uid in sorted(set(target)))
    if not isinstance(target, int):
        raise ValueError(f"{cmd} needs a single int target")
    return str(target)


class _Op:
    __slots__ = ("fn", "fut", "loop", "write")

    def __init__(
        self,
        fn: Callable[[sqlite3.Connection], Any],
        fut: asyncio.Future[Any],
        loop: asyncio.AbstractEventLoop,
        write: bool,
    ) -> None:
        self.fn = fn
        self.fut = fut
        self.loop = loop
        self.write = write


_STOP: Final = object()

_Outcome = tuple["asyncio.Future[Any]", Any, BaseException | None]


def _resolve(outcomes: list[_Outcome]) -> None:
    """Runs in the event loop: settle the futures of one batch."""
    for fut, result, exc in outcomes:
        if fut.done():  # cancelled by its caller meanwhile
            continue
        if exc is not None:
            fut.set_exception(exc)
        else:
            fut.set_result(result)


class Store:
    """SQLite-backed RTM state: messages/history, friends, groups, rooms, bans, tokens, files,
    devices. All public methods are coroutines and take the project id ``pid`` first.

    ``path`` is a file path or ``":memory:"``. ``now_ms`` is the clock (ms since the epoch),
    injectable for tests. The limits default to spec §5.3. ``broadcast_admins``: uids allowed
    to broadcast, either one collection for every project or a mapping pid -> uids (a project
    absent from the mapping, or an empty collection, lets anybody broadcast).
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        *,
        now_ms: Callable[[], int] | None = None,
        symmetric_friends: bool = True,
        max_friends: int = 300,
        max_group_members: int = 10000,
        max_groups: int = 10000,
        max_rooms_per_user: int = 10,
        broadcast_admins: Collection[int] | Mapping[int, Collection[int]] = (),
        p2p_friends_only: bool = False,
        strict_mid: bool = False,
        synchronous: str = "NORMAL",
        max_batch: int = 4096,
    ) -> None:
        if synchronous.upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
            raise ValueError(f"bad synchronous mode {synchronous!r}")
        self.path = os.fspath(path)
        self._now = now_ms or _wall_clock_ms
        self.symmetric_friends = symmetric_friends
        self.max_friends = max_friends
        self.max_group_members = max_group_members
        self.max_groups = max_groups
        self.max_rooms_per_user = max_rooms_per_user
        self.p2p_friends_only = p2p_friends_only
        self.strict_mid = strict_mid
        self._synchronous = synchronous.upper()
        self._max_batch = max(1, max_batch)
        self._admins_all: frozenset[int] = frozenset()
        self._admins_by_pid: dict[int, frozenset[int]] = {}
        if isinstance(broadcast_admins, Mapping):
            self._admins_by_pid = {
                int(pid): frozenset(uids) for pid, uids in broadcast_admins.items()
            }
        else:
            self._admins_all = frozenset(broadcast_admins)
        self._queue: queue.SimpleQueue[_Op | object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._open = False
        self._closed_event: asyncio.Future[None] | None = None
        #: Worker statistics (written by the worker thread only): batches run, operations
        #: run, write transactions committed. ``ops / batches`` is the mean batch size.
        self.batches = 0
        self.ops = 0
        self.commits = 0

    # ---------------------------------------------------------------------------- lifecycle

    @property
    def is_open(self) -> bool:
        return self._open

    async def open(self) -> None:
        """Start the worker thread, open the database and apply pending migrations."""
        if self._open:
            raise RuntimeError("store already open")
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        done: asyncio.Future[None] = loop.create_future()
        self._queue = queue.SimpleQueue()
        self._thread = threading.Thread(
            target=self._run, args=(loop, ready, done), name="rtm-store", daemon=True
        )
        self._thread.start()
        await ready
        self._closed_event = done
        self._open = True

    async def close(self) -> None:
        """Run every operation queued so far, commit, close the database, stop the worker."""
        if not self._open:
            return
        self._open = False
        self._queue.put(_STOP)
        assert self._closed_event is not None
        await self._closed_event
        thread, self._thread = self._thread, None
        if thread is not None:
            await asyncio.get_running_loop().run_in_executor(None, thread.join)

    async def __aenter__(self) -> Store:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # ---------------------------------------------------------------------------- worker

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, isolation_level=None, uri=self.path.startswith("file:")
        )
        try:
            conn.execute("PRAGMA busy_timeout = 5000")
            if self.path not in {":memory:", ""} and "mode=memory" not in self.path:
                conn.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL: durable across process kills, see the module docstring.
            conn.execute(f"PRAGMA synchronous = {self._synchronous}")
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute("PRAGMA cache_size = -32768")  # 32 MiB
            self._migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > len(_MIGRATIONS):
            raise RuntimeError(
                f"database schema version {version} is newer than this code ({SCHEMA_VERSION})"
            )
        for index in range(version, len(_MIGRATIONS)):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _MIGRATIONS[index]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {index + 1}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _run(
        self,
        loop: asyncio.AbstractEventLoop,
        ready: asyncio.Future[None],
        done: asyncio.Future[None],
    ) -> None:
        def settle(fut: asyncio.Future[None], exc: BaseException | None) -> None:
            _resolve([(fut, None, exc)])

        try:
            conn = self._connect()
        except BaseException as exc:
            loop.call_soon_threadsafe(settle, ready, exc)
            return
        loop.call_soon_threadsafe(settle, ready, None)
        stopping = False
        try:
            while not stopping:
                item = self._queue.get()
                batch: list[_Op] = []
                while True:
                    if item is _STOP:
                        stopping = True
                        break
                    assert isinstance(item, _Op)
                    batch.append(item)
                    if len(batch) >= self._max_batch:
                        break
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                if batch:
                    try:
                        self._run_batch(conn, batch)
                    except Exception as exc:  # e.g. BEGIN failed: fail the whole batch
                        with contextlib.suppress(sqlite3.Error):
                            if conn.in_transaction:
                                conn.execute("ROLLBACK")
                        self._deliver([(op, None, exc) for op in batch])
            # Anything queued after close() was requested: refuse it.
            leftovers: list[_Op] = []
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if isinstance(item, _Op):
                    leftovers.append(item)
            self._deliver(
                [(op, None, RuntimeError("store is closed")) for op in leftovers]
            )
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA optimize")
        finally:
            conn.close()
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(settle, done, None)

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Op]) -> None:
        outcomes: list[tuple[_Op, Any, BaseException | None]] = []
        # Indexes (in outcomes) of the successful writes of the open transaction: should SQLite
        # abort the whole transaction (e.g. disk full), they are lost and must be failed.
        in_txn: list[int] = []
        txn = False
        for op in batch:
            if op.fut.cancelled():  # its caller gave up before it ran
                continue
            if op.write and not txn:
                conn.execute("BEGIN IMMEDIATE")
                txn = True
            if op.write:
                conn.execute("SAVEPOINT op")
            try:
                result = op.fn(conn)
            except Exception as exc:
                if txn and not conn.in_transaction:
                    lost = RuntimeError(f"transaction aborted by another operation: {exc!r}")
                    for i in in_txn:
                        outcomes[i] = (outcomes[i][0], None, lost)
                    in_txn.clear()
                    txn = False
                elif op.write:
                    conn.execute("ROLLBACK TO op")
                    conn.execute("RELEASE op")
                outcomes.append((op, None, exc))
                continue
            if op.write:
                conn.execute("RELEASE op")
                in_txn.append(len(outcomes))
            outcomes.append((op, result, None))
        if txn:
            try:
                conn.execute("COMMIT")
                self.commits += 1
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                for i in in_txn:
                    outcomes[i] = (outcomes[i][0], None, exc)
        self.batches += 1
        self.ops += len(batch)
        self._deliver(outcomes)

    @staticmethod
    def _deliver(outcomes: list[tuple[_Op, Any, BaseException | None]]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}
        for op, result, exc in outcomes:
            by_loop.setdefault(op.loop, []).append((op.fut, result, exc))
        for loop, items in by_loop.items():
            with contextlib.suppress(RuntimeError):  # loop closed: nobody is waiting
                loop.call_soon_threadsafe(_resolve, items)

    async def _call(
        self,
        write: bool,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        if not self._open:
            raise RuntimeError("store is not open")
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[T] = loop.create_future()
        self._queue.put(_Op(lambda conn: fn(conn, *args, **kwargs), fut, loop, write))
        return await fut

    # ---------------------------------------------------------------------------- helpers

    def _is_admin(self, pid: int, uid: int) -> bool:
        admins = self._admins_by_pid.get(pid, self._admins_all)
        return not admins or uid in admins

    @staticmethod
    def _exists(conn: sqlite3.Connection, sql: str, *params: int | str) -> bool:
        return conn.execute(sql, params).fetchone() is not None

    def _ban_active(self, conn: sqlite3.Connection, pid: int, scope: int, xid: int,
                    uid: int) -> bool:
        row = conn.execute(
            "SELECT expires_ms FROM bans WHERE pid=? AND scope=? AND xid=? AND uid=?",
            (pid, scope, xid, uid),
        ).fetchone()
        return row is not None and (row[0] is None or row[0] > self._now())

    def _check_group_sender(self, conn: sqlite3.Connection, pid: int, gid: int,
                            uid: int) -> None:
        if not self._exists(
            conn, "SELECT 1 FROM group_members WHERE pid=? AND gid=? AND uid=?", pid, gid, uid
        ):
            raise StoreError(NOT_GROUP_MEMBER, f"uid {uid} is not a member of group {gid}")
        if self._ban_active(conn, pid, Kind.GROUP, gid, uid):
            raise StoreError(BANNED_IN_GROUP, f"uid {uid} is banned in group {gid}")

    def _check_room_sender(self, conn: sqlite3.Connection, pid: int, rid: int,
                           uid: int) -> None:
        if not self._exists(
            conn, "SELECT 1 FROM room_members WHERE pid=? AND rid=? AND uid=?", pid, rid, uid
        ):
            raise StoreError(NOT_IN_ROOM, f"uid {uid} is not in room {rid}")
        if self._ban_active(conn, pid, Kind.ROOM, rid, uid):
            raise StoreError(BANNED_IN_ROOM, f"uid {uid} is banned in room {rid}")

    def _check_broadcaster(self, pid: int, uid: int) -> None:
        if not self._is_admin(pid, uid):
            raise StoreError(ADMIN_ONLY, f"uid {uid} is not an admin of project {pid}")

    def _check_p2p_senders(self, conn: sqlite3.Connection, pid: int, uid: int,
                           tos: Iterable[int]) -> None:
        if not self.p2p_friends_only:
            return
        for to in tos:
            if not self._exists(
                conn, "SELECT 1 FROM friends WHERE pid=? AND uid=? AND fuid=?", pid, uid, to
            ):
                raise StoreError(NOT_FRIEND, f"uid {to} is not a friend of {uid}")

    # ---------------------------------------------------------------------------- messages

    def _op_send(
        self,
        conn: sqlite3.Connection,
        pid: int,
        kind: Kind,
        from_uid: int,
        targets: Sequence[int],
        mid: int,
        mtype: int,
        msg: Payload,
        attrs: Payload,
        mtime: int | None,
    ) -> SendResult:
        if kind == Kind.GROUP:
            self._check_group_sender(conn, pid, targets[0], from_uid)
        elif kind == Kind.ROOM:
            self._check_room_sender(conn, pid, targets[0], from_uid)
        elif kind == Kind.BROADCAST:
            self._check_broadcaster(pid, from_uid)
        else:
            self._check_p2p_senders(conn, pid, from_uid, targets)
        base = self._now() if mtime is None else mtime
        ids: list[int] = []
        mtimes: list[int] = []
        fresh: list[bool] = []
        for target in targets:
            if kind == Kind.P2P:
                xa, xb = _p2p_pair(from_uid, target)
                to_uid = target
            else:
                xa, xb, to_uid = target, 0, 0
            conv = (pid, int(kind), xa, xb)
            last = conn.execute(
                "SELECT max(mtime) FROM messages WHERE pid=? AND kind=? AND xa=? AND xb=?", conv
            ).fetchone()[0]
            row_mtime = base if last is None or last <= base else int(last)
            cur = conn.execute(
                "INSERT INTO messages (pid, kind, xa, xb, from_uid, to_uid, mid, mtype, msg,"
                " attrs, mtime) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                (*conv, from_uid, to_uid, mid, mtype, msg, attrs, row_mtime),
            )
            if cur.rowcount == 1:
                assert cur.lastrowid is not None
                ids.append(cur.lastrowid)
                mtimes.append(row_mtime)
                fresh.append(True)
                continue
            if self.strict_mid:
                raise StoreError(DUPLICATED_MID, f"duplicated mid {mid} from uid {from_uid}")
            row = conn.execute(
                "SELECT id, mtime FROM messages"
                " WHERE pid=? AND kind=? AND xa=? AND xb=? AND from_uid=? AND mid=?",
                (*conv, from_uid, mid),
            ).fetchone()
            ids.append(int(row[0]))
            mtimes.append(int(row[1]))
            fresh.append(False)
        return SendResult(
            mtime=max(mtimes) if mtimes else base,
            duplicate=not any(fresh),
            ids=tuple(ids),
            mtimes=tuple(mtimes),
            fresh=tuple(fresh),
        )

    async def send_message(
        self,
        pid: int,
        kind: Kind | int,
        from_uid: int,
        target: int | None,
        mid: int,
        mtype: int,
        msg: Payload,
        attrs: Payload = "",
        *,
        mtime: int | None = None,
    ) -> SendResult:
        """Store one message. ``target``: the receiver uid (P2P), gid, rid, or None (broadcast).

        Checks: group sender must be a member (200041) and not banned (200044); room sender in
        the room (200040) and not banned (200045); broadcast sender an admin when an admin list
        is configured (200026); P2P to a friend when ``p2p_friends_only`` (200043).
        A (from, conversation, mid) already stored is not stored again: the result carries the
        ORIGINAL mtime and ``duplicate=True`` (200053 instead when ``strict_mid``).
        ``mtime`` defaults to now; it is raised to the conversation's latest mtime if needed so
        mtimes never decrease in cursor-id order.
        """
        k = Kind(kind)
        if k == Kind.BROADCAST:
            tgt = 0
        elif target is None:
            raise ValueError(f"{k.name} message needs a target")
        else:
            tgt = target
        return await self._call(
            True, self._op_send, pid, k, from_uid, (tgt,), mid, mtype,
            _payload(msg), _payload(attrs), mtime,
        )

    async def send_p2p(self, pid: int, from_uid: int, to_uid: int, mid: int, mtype: int,
                       msg: Payload, attrs: Payload = "", *,
                       mtime: int | None = None) -> SendResult:
        return await self.send_message(pid, Kind.P2P, from_uid, to_uid, mid, mtype, msg, attrs,
                                       mtime=mtime)

    async def send_group(self, pid: int, from_uid: int, gid: int, mid: int, mtype: int,
                         msg: Payload, attrs: Payload = "", *,
                         mtime: int | None = None) -> SendResult:
        return await self.send_message(pid, Kind.GROUP, from_uid, gid, mid, mtype, msg, attrs,
                                       mtime=mtime)

    async def send_room(self, pid: int, from_uid: int, rid: int, mid: int, mtype: int,
                        msg: Payload, attrs: Payload = "", *,
                        mtime: int | None = None) -> SendResult:
        return await self.send_message(pid, Kind.ROOM, from_uid, rid, mid, mtype, msg, attrs,
                                       mtime=mtime)

    async def send_broadcast(self, pid: int, from_uid: int, mid: int, mtype: int,
                             msg: Payload, attrs: Payload = "", *,
                             mtime: int | None = None) -> SendResult:
        return await self.send_message(pid, Kind.BROADCAST, from_uid, None, mid, mtype, msg,
                                       attrs, mtime=mtime)

    async def send_multi(
        self,
        pid: int,
        from_uid: int,
        tos: Iterable[int] | None,
        mid: int,
        mtype: int,
        msg: Payload,
        attrs: Payload = "",
        *,
        mtime: int | None = None,
    ) -> SendResult:
        """``sendmsgs``: one P2P row per recipient with the same mid, all in one operation.

        A recipient listed twice gets one row; its second entry is reported as not fresh.
        """
        return await self._call(
            True, self._op_send, pid, Kind.P2P, from_uid, tuple(tos or ()), mid, mtype,
            _payload(msg), _payload(attrs), mtime,
        )

    def _op_history(
        self,
        conn: sqlite3.Connection,
        pid: int,
        kind: Kind,
        xa: int,
        xb: int,
        desc: bool,
        num: int,
        begin: int,
        end: int,
        lastid: int,
        now_ms: int | None,
    ) -> HistoryPage:
        end_eff = end if end != 0 else (self._now() if now_ms is None else now_ms)
        empty = HistoryPage(0, lastid, begin, end_eff, [])
        if num <= 0:
            return empty
        num = min(num, HISTORY_MAX_NUM)
        conv = (pid, int(kind), xa, xb)
        lo, hi = _I64_MIN, _I64_MAX
        if lastid > 0:
            if desc:
                hi = lastid - 1
            else:
                lo = lastid + 1
        # mtimes are non-decreasing in id order inside a conversation, so the time bounds are
        # turned into an id range through the (conv, mtime) index: O(log n) whatever the range.
        begin_eff = begin if begin > 0 else _I64_MIN
        if begin > 0:
            row = conn.execute(
                "SELECT id FROM messages INDEXED BY messages_conv_mtime"
                " WHERE pid=? AND kind=? AND xa=? AND xb=? AND mtime>=?"
                " ORDER BY mtime ASC, id ASC LIMIT 1",
                (*conv, begin),
            ).fetchone()
            if row is None:
                return empty
            lo = max(lo, int(row[0]))
        row = conn.execute(
            "SELECT id FROM messages INDEXED BY messages_conv_mtime"
            " WHERE pid=? AND kind=? AND xa=? AND xb=? AND mtime<=?"
            " ORDER BY mtime DESC, id DESC LIMIT 1",
            (*conv, end_eff),
        ).fetchone()
        if row is None:
            return empty
        hi = min(hi, int(row[0]))
        if lo > hi:
            return empty
        order = "DESC" if desc else "ASC"
        rows = [
            HistoryRow(int(r[0]), int(r[1]), int(r[2]), int(r[3]), bool(r[4]), r[5], r[6],
                       int(r[7]))
            for r in conn.execute(
                "SELECT id, from_uid, mtype, mid, deleted, msg, attrs, mtime"
                " FROM messages INDEXED BY messages_conv_id"
                " WHERE pid=? AND kind=? AND xa=? AND xb=? AND id>=? AND id<=?"
                f" AND mtime>=? AND mtime<=? ORDER BY id {order} LIMIT ?",
                (*conv, lo, hi, begin_eff, end_eff, num),
            )
        ]
        if not rows:
            return empty
        last = rows[-1]
        if desc:
            return HistoryPage(len(rows), last.id, begin, last.mtime, rows)
        return HistoryPage(len(rows), last.id, last.mtime, end_eff, rows)

    async def history(
        self,
        pid: int,
        kind: Kind | int,
        target: int | None,
        *,
        uid_for_p2p: int | None = None,
        desc: bool = False,
        num: int = 10,
        begin: int = 0,
        end: int = 0,
        lastid: int = 0,
        now_ms: int | None = None,
    ) -> HistoryPage:
        """One history page (spec §2.3). ``target``: ouid (P2P, with ``uid_for_p2p`` = uid),
        gid, rid, or None (broadcast). ``now_ms`` overrides the clock for ``end == 0``.

        num <= 0 -> nothing; num clamped to 20; begin/end inclusive ms (begin 0 = unbounded,
        end 0 = now); lastid strict. Next page: ascending -> lastid/begin of the last row and
        the effective end; descending -> lastid/end of the last (oldest) row and the request
        begin. No rows -> the request lastid and begin and the effective end are echoed.
        """
        k = Kind(kind)
        xa, xb = self._conv_key(k, target, uid_for_p2p)
        return await self._call(
            False, self._op_history, pid, k, xa, xb, desc, num, begin, end, lastid, now_ms
        )

    @staticmethod
    def _conv_key(kind: Kind, target: int | None, other: int | None) -> tuple[int, int]:
        if kind == Kind.BROADCAST:
            return 0, 0
        if target is None:
            raise ValueError(f"{kind.name} conversation needs a target id")
        if kind == Kind.P2P:
            if other is None:
                raise ValueError("P2P conversation needs both uids")
            return _p2p_pair(target, other)
        return target, 0

    async def delete_message(self, pid: int, kind: Kind | int, from_uid: int, xid: int,
                             mid: int) -> bool:
        """``delmsg``: mark the message deleted; xid = receiver uid (P2P), gid, rid, ignored for
        broadcast. Returns whether it was found (unknown is not an error)."""
        k = Kind(kind)
        xa, xb = self._conv_key(k, xid, from_uid)
        return await self._call(True, self._op_delete_message, pid, k, xa, xb, from_uid, mid)

    @staticmethod
    def _op_delete_message(conn: sqlite3.Connection, pid: int, kind: Kind, xa: int, xb: int,
                           from_uid: int, mid: int) -> bool:
        cur = conn.execute(
            "UPDATE messages SET deleted=1"
            " WHERE pid=? AND kind=? AND xa=? AND xb=? AND from_uid=? AND mid=?",
            (pid, int(kind), xa, xb, from_uid, mid),
        )
        return cur.rowcount > 0

    async def get_message(self, pid: int, kind: Kind | int, from_uid: int, xid: int,
                          mid: int) -> HistoryRow | None:
        """The stored message identified like ``delmsg`` (None when unknown)."""
        k = Kind(kind)
        xa, xb = self._conv_key(k, xid, from_uid)
        return await self._call(False, self._op_get_message, pid, k, xa, xb, from_uid, mid)

    @staticmethod
    def _op_get_message(conn: sqlite3.Connection, pid: int, kind: Kind, xa: int, xb: int,
                        from_uid: int, mid: int) -> HistoryRow | None:
        r = conn.execute(
            "SELECT id, from_uid, mtype, mid, deleted, msg, attrs, mtime FROM messages"
            " WHERE pid=? AND kind=? AND xa=? AND xb=? AND from_uid=? AND mid=?",
            (pid, int(kind), xa, xb, from_uid, mid),
        ).fetchone()
        if r is None:
            return None
        return HistoryRow(int(r[0]), int(r[1]), int(r[2]), int(r[3]), bool(r[4]), r[5], r[6],
                          int(r[7]))

    # ---------------------------------------------------------------------------- friends

    def _friend_count(self, conn: sqlite3.Connection, pid: int, uid: int) -> int:
        return int(conn.execute(
            "SELECT count(*) FROM friends WHERE pid=? AND uid=?", (pid, uid)
        ).fetchone()[0])

    def _op_add_friends(self, conn: sqlite3.Connection, pid: int, uid: int,
                        friends: list[int]) -> None:
        friends = [f for f in friends if f != uid]
        have = set(self._select_in(
            conn, "SELECT fuid FROM friends WHERE pid=? AND uid=? AND fuid IN ({})",
            (pid, uid), friends,
        ))
        new = [f for f in friends if f not in have]
        if self._friend_count(conn, pid, uid) + len(new) > self.max_friends:
            raise StoreError(MAX_FRIEND_COUNT, f"uid {uid} would exceed {self.max_friends} friends")
        pairs = [(pid, uid, f) for f in new]
        if self.symmetric_friends:
            for f in friends:
                if self._exists(conn, "SELECT 1 FROM friends WHERE pid=? AND uid=? AND fuid=?",
                                pid, f, uid):
                    continue
                if self._friend_count(conn, pid, f) + 1 > self.max_friends:
                    raise StoreError(
                        MAX_FRIEND_COUNT, f"uid {f} would exceed {self.max_friends} friends"
                    )
                pairs.append((pid, f, uid))
        conn.executemany("INSERT OR IGNORE INTO friends (pid, uid, fuid) VALUES (?,?,?)", pairs)

    async def add_friends(self, pid: int, uid: int, friends: Iterable[int] | None) -> None:
        """Add friends (both directions when ``symmetric_friends``); ``uid`` itself is ignored.
        200048 when ``uid`` (or, symmetric, one of the friends) would exceed ``max_friends``."""
        await self._call(True, self._op_add_friends, pid, uid, _unique(friends))

    def _op_del_friends(self, conn: sqlite3.Connection, pid: int, uid: int,
                        friends: list[int]) -> None:
        rows = [(pid, uid, f) for f in friends]
        if self.symmetric_friends:
            rows += [(pid, f, uid) for f in friends]
        conn.executemany("DELETE FROM friends WHERE pid=? AND uid=? AND fuid=?", rows)

    async def del_friends(self, pid: int, uid: int, friends: Iterable[int] | None) -> None:
        """Remove friends (both directions when symmetric); unknown pairs are ignored."""
        await self._call(True, self._op_del_friends, pid, uid, _unique(friends))

    async def get_friends(self, pid: int, uid: int) -> list[int]:
        """Friends of ``uid``, ascending."""
        return await self._call(False, self._op_column,
                                "SELECT fuid FROM friends WHERE pid=? AND uid=? ORDER BY fuid",
                                (pid, uid))

    async def is_friend(self, pid: int, uid: int, fuid: int) -> bool:
        return await self._call(False, self._op_exists,
                                "SELECT 1 FROM friends WHERE pid=? AND uid=? AND fuid=?",
                                (pid, uid, fuid))

    async def is_friends(self, pid: int, uid: int, fuids: Iterable[int] | None) -> list[int]:
        """The subset of ``fuids`` that are friends of ``uid`` (input order, no repeats)."""
        return await self._call(False, self._op_subset,
                                "SELECT fuid FROM friends WHERE pid=? AND uid=? AND fuid IN ({})",
                                (pid, uid), _unique(fuids))

    # ---------------------------------------------------------------------------- generic ops

    @staticmethod
    def _select_in(conn: sqlite3.Connection, sql: str, params: tuple[int, ...],
                   values: Sequence[int]) -> list[int]:
        """Run ``sql`` (with one ``{}`` placeholder for an IN list) over ``values`` in chunks."""
        out: list[int] = []
        for chunk in _chunks(values):
            query = sql.format(",".join("?" * len(chunk)))
            out.extend(int(r[0]) for r in conn.execute(query, (*params, *chunk)))
        return out

    @classmethod
    def _op_subset(cls, conn: sqlite3.Connection, sql: str, params: tuple[int, ...],
                   values: list[int]) -> list[int]:
        found = set(cls._select_in(conn, sql, params, values))
        return [v for v in values if v in found]

    @staticmethod
    def _op_column(conn: sqlite3.Connection, sql: str, params: tuple[int, ...]) -> list[int]:
        return [int(r[0]) for r in conn.execute(sql, params)]

    @staticmethod
    def _op_exists(conn: sqlite3.Connection, sql: str, params: tuple[int, ...]) -> bool:
        return conn.execute(sql, params).fetchone() is not None

    # ---------------------------------------------------------------------------- groups

    def _op_add_group_members(self, conn: sqlite3.Connection, pid: int, gid: int,
                              uids: list[int]) -> None:
        row = conn.execute(
            "SELECT members FROM chat_groups WHERE pid=? AND gid=?", (pid, gid)
        ).fetchone()
        if row is None:
            if not uids:
                return
            groups = int(conn.execute(
                "SELECT count(*) FROM chat_groups WHERE pid=?", (pid,)
            ).fetchone()[0])
            if groups + 1 > self.max_groups:
                raise StoreError(
                    MAX_GROUP_MEMBER_COUNT, f"project {pid} would exceed {self.max_groups} groups"
                )
            members = 0
        else:
            members = int(row[0])
        have = set(self._select_in(
            conn, "SELECT uid FROM group_members WHERE pid=? AND gid=? AND uid IN ({})",
            (pid, gid), uids,
        ))
        new = [u for u in uids if u not in have]
        if members + len(new) > self.max_group_members:
            raise StoreError(
                MAX_GROUP_MEMBER_COUNT,
                f"group {gid} would exceed {self.max_group_members} members",
            )
        conn.executemany(
            "INSERT INTO group_members (pid, gid, uid) VALUES (?,?,?)",
            [(pid, gid, u) for u in new],
        )
        conn.execute(
            "INSERT INTO chat_groups (pid, gid, members) VALUES (?,?,?)"
            " ON CONFLICT (pid, gid) DO UPDATE SET members=excluded.members",
            (pid, gid, members + len(new)),
        )

    async def add_group_members(self, pid: int, gid: int, uids: Iterable[int] | None) -> None:
        """Add members, creating the group implicitly; existing members are a no-op.
        200042 when the group would exceed ``max_group_members`` or the project would exceed
        ``max_groups`` groups."""
        await self._call(True, self._op_add_group_members, pid, gid, _unique(uids))

    @staticmethod
    def _op_del_group_members(conn: sqlite3.Connection, pid: int, gid: int,
                              uids: list[int]) -> None:
        cur = conn.executemany(
            "DELETE FROM group_members WHERE pid=? AND gid=? AND uid=?",
            [(pid, gid, u) for u in uids],
        )
        if cur.rowcount > 0:
            conn.execute(
                "UPDATE chat_groups SET members=members-? WHERE pid=? AND gid=?",
                (cur.rowcount, pid, gid),
            )
            # A group lives while it has members (it stops counting toward max_groups).
            conn.execute(
                "DELETE FROM chat_groups WHERE pid=? AND gid=? AND members<=0", (pid, gid)
            )

    async def del_group_members(self, pid: int, gid: int,
                                uids: Iterable[int] | None) -> None:
        """Remove members; non-members are ignored. An emptied group ceases to exist (its bans
        and history stay)."""
        await self._call(True, self._op_del_group_members, pid, gid, _unique(uids))

    @staticmethod
    def _op_del_group(conn: sqlite3.Connection, pid: int, gid: int) -> None:
        conn.execute("DELETE FROM group_members WHERE pid=? AND gid=?", (pid, gid))
        conn.execute("DELETE FROM chat_groups WHERE pid=? AND gid=?", (pid, gid))
        conn.execute("DELETE FROM bans WHERE pid=? AND scope=? AND xid=?",
                     (pid, int(Kind.GROUP), gid))
        conn.execute("DELETE FROM messages WHERE pid=? AND kind=? AND xa=? AND xb=0",
                     (pid, int(Kind.GROUP), gid))

    async def del_group(self, pid: int, gid: int) -> None:
        """Drop the group: its members, its bans and its history."""
        await self._call(True, self._op_del_group, pid, gid)

    async def get_group_members(self, pid: int, gid: int) -> list[int]:
        """Members ascending; [] for an unknown group."""
        return await self._call(
            False, self._op_column,
            "SELECT uid FROM group_members WHERE pid=? AND gid=? ORDER BY uid", (pid, gid),
        )

    async def is_group_member(self, pid: int, gid: int, uid: int) -> bool:
        return await self._call(
            False, self._op_exists,
            "SELECT 1 FROM group_members WHERE pid=? AND gid=? AND uid=?", (pid, gid, uid),
        )

    async def user_groups(self, pid: int, uid: int) -> list[int]:
        """Groups of ``uid``, ascending."""
        return await self._call(
            False, self._op_column,
            "SELECT gid FROM group_members WHERE pid=? AND uid=? ORDER BY gid", (pid, uid),
        )

    # ---------------------------------------------------------------------------- rooms

    def _op_add_room_member(self, conn: sqlite3.Connection, pid: int, rid: int,
                            uid: int) -> None:
        if self._exists(conn, "SELECT 1 FROM room_members WHERE pid=? AND rid=? AND uid=?",
                        pid, rid, uid):
            return
        rooms = int(conn.execute(
            "SELECT count(*) FROM room_members WHERE pid=? AND uid=?", (pid, uid)
        ).fetchone()[0])
        if rooms + 1 > self.max_rooms_per_user:
            raise StoreError(
                MAX_ROOM_COUNT, f"uid {uid} would be in more than {self.max_rooms_per_user} rooms"
            )
        conn.execute("INSERT INTO room_members (pid, rid, uid) VALUES (?,?,?)", (pid, rid, uid))

    async def add_room_member(self, pid: int, rid: int, uid: int) -> None:
        """Enter a room (created implicitly); 200047 beyond ``max_rooms_per_user`` rooms."""
        await self._call(True, self._op_add_room_member, pid, rid, uid)

    @staticmethod
    def _op_del_room_member(conn: sqlite3.Connection, pid: int, rid: int, uid: int) -> bool:
        cur = conn.execute(
            "DELETE FROM room_members WHERE pid=? AND rid=? AND uid=?", (pid, rid, uid)
        )
        return cur.rowcount > 0

    async def del_room_member(self, pid: int, rid: int, uid: int) -> bool:
        """Leave a room; returns whether the user was in it (never an error)."""
        return await self._call(True, self._op_del_room_member, pid, rid, uid)

    async def is_in_room(self, pid: int, rid: int, uid: int) -> bool:
        return await self._call(
            False, self._op_exists,
            "SELECT 1 FROM room_members WHERE pid=? AND rid=? AND uid=?", (pid, rid, uid),
        )

    async def user_rooms(self, pid: int, uid: int) -> list[int]:
        """Rooms of ``uid``, ascending."""
        return await self._call(
            False, self._op_column,
            "SELECT rid FROM room_members WHERE pid=? AND uid=? ORDER BY rid", (pid, uid),
        )

    async def room_members(self, pid: int, rid: int) -> list[int]:
        """Members of room ``rid``, ascending."""
        return await self._call(
            False, self._op_column,
            "SELECT uid FROM room_members WHERE pid=? AND rid=? ORDER BY uid", (pid, rid),
        )

    # ---------------------------------------------------------------------------- bans

    def _op_add_ban(self, conn: sqlite3.Connection, pid: int, scope: int, xid: int, uid: int,
                    seconds: int) -> None:
        conn.execute(
            "INSERT INTO bans (pid, scope, xid, uid, expires_ms) VALUES (?,?,?,?,?)"
            " ON CONFLICT (pid, scope, xid, uid) DO UPDATE SET expires_ms=excluded.expires_ms",
            (pid, scope, xid, uid, _expiry(self._now(), seconds)),
        )

    @staticmethod
    def _op_remove_ban(conn: sqlite3.Connection, pid: int, scope: int, xid: int,
                       uid: int) -> None:
        conn.execute("DELETE FROM bans WHERE pid=? AND scope=? AND xid=? AND uid=?",
                     (pid, scope, xid, uid))

    def _op_is_banned(self, conn: sqlite3.Connection, pid: int, scope: int, xid: int,
                      uid: int) -> bool:
        return self._ban_active(conn, pid, scope, xid, uid)

    async def add_group_ban(self, pid: int, gid: int, uid: int, seconds: int) -> None:
        """Mute ``uid`` in ``gid`` for ``seconds`` from now (<= 0: permanent); replaces any
        previous ban of the same user there."""
        await self._call(True, self._op_add_ban, pid, int(Kind.GROUP), gid, uid, seconds)

    async def remove_group_ban(self, pid: int, gid: int, uid: int) -> None:
        await self._call(True, self._op_remove_ban, pid, int(Kind.GROUP), gid, uid)

    async def is_banned_in_group(self, pid: int, gid: int, uid: int) -> bool:
        """Whether a group ban is active now."""
        return await self._call(False, self._op_is_banned, pid, int(Kind.GROUP), gid, uid)

    async def add_room_ban(self, pid: int, rid: int, uid: int, seconds: int) -> None:
        """Mute ``uid`` in ``rid`` for ``seconds`` from now (<= 0: permanent)."""
        await self._call(True, self._op_add_ban, pid, int(Kind.ROOM), rid, uid, seconds)

    async def remove_room_ban(self, pid: int, rid: int, uid: int) -> None:
        await self._call(True, self._op_remove_ban, pid, int(Kind.ROOM), rid, uid)

    async def is_banned_in_room(self, pid: int, rid: int, uid: int) -> bool:
        """Whether a room ban is active now."""
        return await self._call(False, self._op_is_banned, pid, int(Kind.ROOM), rid, uid)

    async def add_project_black(self, pid: int, uid: int, seconds: int) -> None:
        """Black-list ``uid`` in the project for ``seconds`` (<= 0: permanent)."""
        await self._call(True, self._op_add_ban, pid, _SCOPE_BLACK, 0, uid, seconds)

    async def remove_project_black(self, pid: int, uid: int) -> None:
        await self._call(True, self._op_remove_ban, pid, _SCOPE_BLACK, 0, uid)

    async def is_project_black(self, pid: int, uid: int) -> bool:
        """Whether the project black-listing of ``uid`` is active now."""
        return await self._call(False, self._op_is_banned, pid, _SCOPE_BLACK, 0, uid)

    # ---------------------------------------------------------------------------- tokens

    def _op_issue_token(self, conn: sqlite3.Connection, pid: int, uid: int,
                        ttl_seconds: int) -> str:
        now = self._now()
        conn.execute("DELETE FROM tokens WHERE pid=? AND uid=? AND expires_ms<=?",
                     (pid, uid, now))
        token = secrets.token_hex(16).upper()
        conn.execute("INSERT INTO tokens (pid, uid, token, expires_ms) VALUES (?,?,?,?)",
                     (pid, uid, token, _expiry(now, ttl_seconds)))
        return token

    async def issue_token(self, pid: int, uid: int, ttl_seconds: int = 86400) -> str:
        """A new login token (32 upper-case hex chars); earlier ones stay valid until they
        expire. ``ttl_seconds <= 0``: never expires."""
        return await self._call(True, self._op_issue_token, pid, uid, ttl_seconds)

    def _op_check_token(self, conn: sqlite3.Connection, pid: int, uid: int, token: str) -> bool:
        row = conn.execute(
            "SELECT expires_ms FROM tokens WHERE pid=? AND uid=? AND token=?", (pid, uid, token)
        ).fetchone()
        return row is not None and (row[0] is None or row[0] > self._now())

    async def check_token(self, pid: int, uid: int, token: str) -> bool:
        """Whether ``token`` is a valid, unexpired login token of ``uid``."""
        return await self._call(False, self._op_check_token, pid, uid, token)

    @staticmethod
    def _op_remove_tokens(conn: sqlite3.Connection, pid: int, uid: int) -> None:
        conn.execute("DELETE FROM tokens WHERE pid=? AND uid=?", (pid, uid))

    async def remove_tokens(self, pid: int, uid: int) -> None:
        """Invalidate every login token of ``uid``."""
        await self._call(True, self._op_remove_tokens, pid, uid)

    # ---------------------------------------------------------------------------- file tokens

    def _op_issue_file_token(self, conn: sqlite3.Connection, pid: int, from_uid: int,
                             cmd: str, target: int | Sequence[int] | None, key: str,
                             ttl_seconds: int) -> str:
        if cmd == "sendgroupfile":
            assert isinstance(target, int)
            self._check_group_sender(conn, pid, target, from_uid)
        elif cmd == "sendroomfile":
            assert isinstance(target, int)
            self._check_room_sender(conn, pid, target, from_uid)
        elif cmd == "broadcastfile":
            self._check_broadcaster(pid, from_uid)
        elif cmd == "sendfile":
            assert isinstance(target, int)
            self._check_p2p_senders(conn, pid, from_uid, (target,))
        else:
            assert target is not None and not isinstance(target, int)
            self._check_p2p_senders(conn, pid, from_uid, target)
        now = self._now()
        conn.execute("DELETE FROM file_tokens WHERE expires_ms<=?", (now,))
        token = secrets.token_hex(16).upper()
        conn.execute(
            "INSERT INTO file_tokens (token, pid, from_uid, cmd, target, expires_ms)"
            " VALUES (?,?,?,?,?,?)",
            (token, pid, from_uid, cmd, key, now + max(ttl_seconds, 1) * 1000),
        )
        return token

    async def issue_file_token(
        self,
        pid: int,
        from_uid: int,
        cmd: str,
        target: int | Iterable[int] | None,
        ttl_seconds: int = 300,
    ) -> str:
        """``filetoken``: run the target checks of the matching send (200040/200041/200044/
        200045/200026/200043) and return a one-shot token bound to (pid, from, cmd, target).

        ``target``: to uid (sendfile), recipient uids (sendfiles; compared as a set), gid
        (sendgroupfile), rid (sendroomfile), None (broadcastfile). An unknown ``cmd`` or a
        target of the wrong shape is a ValueError (the gate validates those first).
        """
        tgt: int | tuple[int, ...] | None = (
            target if target is None or isinstance(target, int) else tuple(target)
        )
        key = _file_target_key(cmd, tgt)
        return await self._call(True, self._op_issue_file_token, pid, from_uid, cmd, tgt, key,
                                ttl_seconds)

    def _op_consume_file_token(self, conn: sqlite3.Connection, pid: int, token: str,
                               from_uid: int, cmd: str, key: str) -> str:
        row = conn.execute(
            "SELECT pid, from_uid, cmd, target, expires_ms FROM file_tokens WHERE token=?",
            (token,),
        ).fetchone()
        if row is None:
            raise StoreError(INVALID_FILE_OR_SIGN_OR_TOKEN, "unknown or already used file token")
        if int(row[4]) <= self._now():
            conn.execute("DELETE FROM file_tokens WHERE token=?", (token,))
            raise StoreError(INVALID_FILE_OR_SIGN_OR_TOKEN, "expired file token")
        if (int(row[0]), int(row[1]), row[2], row[3]) != (pid, from_uid, cmd, key):
            raise StoreError(
                INVALID_FILE_OR_SIGN_OR_TOKEN, "file token bound to another sender or target"
            )
        conn.execute("DELETE FROM file_tokens WHERE token=?", (token,))
        return token

    async def consume_file_token(
        self,
        pid: int,
        token: str,
        from_uid: int,
        cmd: str,
        target: int | Iterable[int] | None,
    ) -> str:
        """Use a file token once; returns the token text (input of the file ``sign``).
        Unknown / used / expired / bound to another (pid, from, cmd, target) -> 200003.
        A mismatching attempt does not use the token up."""
        try:
            key = _file_target_key(cmd, target)
        except ValueError as exc:
            raise StoreError(INVALID_FILE_OR_SIGN_OR_TOKEN, str(exc)) from None
        return await self._call(True, self._op_consume_file_token, pid, token, from_uid, cmd,
                                key)

    # ---------------------------------------------------------------------------- files

    def _op_store_file(self, conn: sqlite3.Connection, pid: int, file_id: str, content: bytes,
                       filename: str, ext: str) -> str:
        conn.execute(
            "INSERT INTO files (file_id, pid, filename, ext, size, created_ms, content)"
            " VALUES (?,?,?,?,?,?,?) ON CONFLICT (file_id) DO NOTHING",
            (file_id, pid, filename, ext, len(content), self._now(), content),
        )
        return file_id

    async def send_file(
        self,
        pid: int,
        token: str,
        from_uid: int,
        cmd: str,
        target: int | Iterable[int] | None,
        *,
        file_id: str,
        content: bytes,
        filename: str,
        ext: str,
        kind: Kind,
        mid: int,
        mtype: int,
        msg: Payload,
        attrs: Payload,
        mtime: int | None = None,
    ) -> SendResult:
        """A file-gate send as ONE operation: use the token, store the blob, store the
        message. All or nothing: if the send is refused (e.g. the sender left the group since
        ``filetoken``) the token stays usable and no orphan blob is left."""
        try:
            key = _file_target_key(cmd, target)
        except ValueError as exc:
            raise StoreError(INVALID_FILE_OR_SIGN_OR_TOKEN, str(exc)) from None
        if kind == Kind.BROADCAST:
            targets: tuple[int, ...] = (0,)
        elif isinstance(target, int):
            targets = (target,)
        else:
            targets = tuple(target or ())
        return await self._call(
            True, self._op_send_file, pid, token, from_uid, cmd, key, file_id, bytes(content),
            filename, ext, kind, targets, mid, mtype, _payload(msg), _payload(attrs), mtime,
        )

    def _op_send_file(self, conn: sqlite3.Connection, pid: int, token: str, from_uid: int,
                      cmd: str, key: str, file_id: str, content: bytes, filename: str,
                      ext: str, kind: Kind, targets: tuple[int, ...], mid: int, mtype: int,
                      msg: Payload, attrs: Payload, mtime: int | None) -> SendResult:
        self._op_consume_file_token(conn, pid, token, from_uid, cmd, key)
        self._op_store_file(conn, pid, file_id, content, filename, ext)
        return self._op_send(conn, pid, kind, from_uid, targets, mid, mtype, msg, attrs, mtime)

    async def store_file(
        self,
        pid: int,
        content: bytes,
        *,
        filename: str = "",
        ext: str = "",
        file_id: str | None = None,
    ) -> str:
        """Store a file blob and return its id (default: sha256 hex of ``pid`` and content, so
        an identical upload in the same project is stored once and keeps its first metadata)."""
        data = bytes(content)
        if file_id is None:
            file_id = hashlib.sha256(b"%d:" % pid + data).hexdigest()
        return await self._call(True, self._op_store_file, pid, file_id, data, filename, ext)

    @staticmethod
    def _op_get_file(conn: sqlite3.Connection, file_id: str) -> StoredFile | None:
        r = conn.execute(
            "SELECT file_id, pid, content, filename, ext, size, created_ms FROM files"
            " WHERE file_id=?",
            (file_id,),
        ).fetchone()
        if r is None:
            return None
        return StoredFile(r[0], int(r[1]), bytes(r[2]), r[3], r[4], int(r[5]), int(r[6]))

    async def get_file(self, file_id: str) -> StoredFile | None:
        return await self._call(False, self._op_get_file, file_id)

    # ---------------------------------------------------------------------------- devices

    def _op_add_device(self, conn: sqlite3.Connection, pid: int, uid: int, apptype: str,
                       devicetoken: str) -> None:
        conn.execute(
            "INSERT INTO devices (pid, uid, devicetoken, apptype, updated_ms) VALUES (?,?,?,?,?)"
            " ON CONFLICT (pid, uid, devicetoken) DO UPDATE SET apptype=excluded.apptype,"
            " updated_ms=excluded.updated_ms",
            (pid, uid, devicetoken, apptype, self._now()),
        )

    async def add_device(self, pid: int, uid: int, apptype: str, devicetoken: str) -> None:
        """Upsert (uid, devicetoken) -> apptype."""
        await self._call(True, self._op_add_device, pid, uid, apptype, devicetoken)

    @staticmethod
    def _op_remove_device(conn: sqlite3.Connection, pid: int, uid: int,
                          devicetoken: str) -> None:
        conn.execute("DELETE FROM devices WHERE pid=? AND uid=? AND devicetoken=?",
                     (pid, uid, devicetoken))

    async def remove_device(self, pid: int, uid: int, devicetoken: str) -> None:
        await self._call(True, self._op_remove_device, pid, uid, devicetoken)

    @staticmethod
    def _op_list_devices(conn: sqlite3.Connection, pid: int, uid: int) -> list[Device]:
        return [
            Device(int(r[0]), r[1], r[2])
            for r in conn.execute(
                "SELECT uid, apptype, devicetoken FROM devices WHERE pid=? AND uid=?"
                " ORDER BY devicetoken",
                (pid, uid),
            )
        ]

    async def list_devices(self, pid: int, uid: int) -> list[Device]:
        """Devices of ``uid`` ordered by device token."""
        return await self._call(False, self._op_list_devices, pid, uid)

    # ---------------------------------------------------------------------------- misc

    @staticmethod
    def _op_schema_version(conn: sqlite3.Connection) -> int:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])

    async def schema_version(self) -> int:
        """``PRAGMA user_version`` of the open database."""
        return await self._call(False, self._op_schema_version)

    @staticmethod
    def _op_journal_mode(conn: sqlite3.Connection) -> str:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])

    async def journal_mode(self) -> str:
        return await self._call(False, self._op_journal_mode)
