"""The store engine (spec ``rtm-server-api.md`` sections 2, 3, 5): SQLite on the event loop.

Threading model
---------------
A :class:`Store` belongs to the event loop that opened it and runs its only ``sqlite3``
connection on that loop's thread. Every public method is a coroutine that queues an operation
and awaits its future; the first operation queued in a loop pass schedules one flush
(``call_soon``), which runs everything queued by then (up to ``max_batch`` per transaction)
at the end of the pass: group commit without any thread hand-off. The statements of the
message path take microseconds (SQLite's own work, the GIL is never handed to another
thread), so running them inline costs the loop less than the two thread wake-ups and the
``call_soon_threadsafe`` per batch a writer thread needed.

A batch runs in ONE transaction, each write wrapped in its own ``SAVEPOINT`` so a failing
operation (business error or SQL error) is rolled back alone and fails only its own caller.
The futures of the batch are resolved only after ``COMMIT``: an acknowledged write is
therefore committed.

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
import logging
import os
import sqlite3
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Concatenate, Final, TypeVar

from rtm.server.store.common import (
    _WILDCARD,
    Ban,
    P,
    T,
    _chunks,
    _expiry,
    _Op,
    _Outcome,
    _resolve,
    _wall_clock_ms,
)
from rtm.server.store.schema import _MIGRATIONS, SCHEMA_VERSION

_S = TypeVar("_S", bound="StoreBase")
_SCOPE_GROUP: Final = 2  # ban scopes = Kind values of groups and rooms
_SCOPE_ROOM: Final = 3
_log = logging.getLogger("rtm.server.store")



class StoreBase:
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
        dedup_mid: bool = True,
        edit_updates_mtime: bool = False,
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
        self.dedup_mid = dedup_mid
        self.edit_updates_mtime = edit_updates_mtime
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
        #: Operations queued since the last flush (run at the end of the loop pass).
        self._pending: list[_Op] = []
        self._flush_scheduled = False
        #: Run a lone operation at once (see ``_queue``); off: always at the end of the pass.
        self._eager = True
        self._loop: asyncio.AbstractEventLoop | None = None
        self._conn: sqlite3.Connection | None = None
        self._open = False
        #: Statistics: batches run, operations run, write transactions committed.
        #: ``ops / batches`` is the mean batch size.
        self.batches = 0
        self.ops = 0
        self.commits = 0

    @property
    def is_open(self) -> bool:
        return self._open

    async def open(self) -> None:
        """Open the database on the running loop and apply pending migrations."""
        if self._open:
            raise RuntimeError("store already open")
        self._conn = self._connect()
        self._loop = asyncio.get_running_loop()
        self._pending = []
        self._flush_scheduled = False
        self._open = True

    async def close(self) -> None:
        """Run every operation queued so far, commit, close the database."""
        if not self._open:
            return
        self._open = False
        self._flush()
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA optimize")
            conn.close()
        # One loop pass: the callers of the last batch take their results before we return.
        await asyncio.sleep(0)

    async def __aenter__(self: _S) -> _S:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

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

    def _flush(self) -> None:
        """Run the queued operations, ``max_batch`` per transaction (on the loop thread)."""
        self._flush_scheduled = False
        conn = self._conn
        while self._pending:
            batch = self._pending[:self._max_batch]
            del self._pending[:self._max_batch]
            if conn is None:  # closed meanwhile: refuse what is left
                _resolve([(op.fut, None, RuntimeError("store is closed")) for op in batch])
                continue
            try:
                self._run_batch(conn, batch)
            except Exception as exc:  # e.g. BEGIN failed: fail the whole batch
                with contextlib.suppress(sqlite3.Error):
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                _resolve([(op.fut, None, exc) for op in batch])

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Op]) -> None:
        outcomes: list[tuple[_Op, Any, BaseException | None]] = []
        # Indexes (in outcomes) of the successful writes of the open transaction: should SQLite
        # abort the whole transaction (e.g. disk full), they are lost and must be failed.
        in_txn: list[int] = []
        txn = False
        # A write alone in its batch needs no savepoint (the transaction is its own), nor
        # does an atomic one (a failure leaves nothing of it).
        alone = len(batch) == 1
        for op in batch:
            if op.fut.cancelled() and op.then is None:  # its caller gave up before it ran
                continue
            write = op.write
            if write and alone and op.atomic:
                # One write statement, alone: SQLite's own autocommit is its transaction (no
                # BEGIN/COMMIT round trips); committed when it returns, as with COMMIT.
                try:
                    result = op.fn(conn)
                except Exception as exc:
                    outcomes.append((op, None, exc))
                else:
                    self.commits += 1
                    outcomes.append((op, result, None))
                continue
            if write and not txn:
                conn.execute("BEGIN IMMEDIATE")
                txn = True
            savepoint = write and not alone and not op.atomic
            if savepoint:
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
                elif savepoint:
                    conn.execute("ROLLBACK TO op")
                    conn.execute("RELEASE op")
                elif write and alone:
                    conn.execute("ROLLBACK")
                    txn = False
                outcomes.append((op, None, exc))
                continue
            if write:
                if savepoint:
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
        settled: list[_Outcome] = []
        for op, value, error in outcomes:
            if error is None:
                if op.then is not None:
                    try:
                        op.then(value)
                    except Exception:
                        _log.exception("after a committed store operation")
                if op.answer is not None:
                    value = op.answer(value)
            elif op.error is not None and isinstance(error, Exception):
                error = op.error(error)
            settled.append((op.fut, value, error))
        _resolve(settled)

    async def _call(
        self,
        write: bool,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        result: T = await self._queue(write, lambda conn: fn(conn, *args, **kwargs), None)
        return result

    def _queue(self, write: bool, fn: Callable[[sqlite3.Connection], Any],
               then: Callable[[Any], None] | None, atomic: bool = False,
               answer: Callable[[Any], Any] | None = None,
               error: Callable[[Exception], BaseException] | None = None,
               ) -> asyncio.Future[Any]:
        """Queue ``fn(conn)`` for the next flush; the future has its result (see
        :class:`_Op` for ``then``, ``atomic``, ``answer`` and ``error``)."""
        if not self._open:
            raise RuntimeError("store is not open")
        loop = self._loop
        assert loop is not None
        fut: asyncio.Future[Any] = loop.create_future()
        self._pending.append(_Op(fn, fut, write, then, atomic, answer, error))
        if not self._flush_scheduled:
            if self._eager and not getattr(loop, "_ready", True):
                # Nothing else is ready to run in this loop pass, so nothing could join the
                # batch: run it now. The caller then awaits a done future and goes on in the
                # same pass (one call at a time: one loop pass per quest, not three).
                self._flush()
            else:
                self._flush_scheduled = True
                loop.call_soon(self._flush)
        return fut

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

    def _muted(self, conn: sqlite3.Connection, pid: int, scope: int, xid: int,
               uid: int) -> bool:
        """A group/room ban of ``uid`` in ``xid`` or in every group/room (wildcard row, xid 0)
        is active now."""
        return (self._ban_active(conn, pid, scope, xid, uid)
                or self._ban_active(conn, pid, scope, _WILDCARD, uid))

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

    def _op_add_ban(self, conn: sqlite3.Connection, pid: int, scope: int, xid: int, uid: int,
                    seconds: int) -> None:
        # Expired bans of any scope and project are purged by the next ban written.
        conn.execute("DELETE FROM bans WHERE expires_ms<=?", (self._now(),))
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

    @staticmethod
    def _op_remove_bans(conn: sqlite3.Connection, pid: int, scope: int, xid: int,
                        uid: int) -> None:
        """Remove the ban of ``uid`` in ``xid``; the wildcard ``xid`` (0) removes every ban of
        ``uid`` in that scope (spec current §4.7 ``removegroupban`` without ``gid``)."""
        if xid == _WILDCARD:
            conn.execute("DELETE FROM bans WHERE pid=? AND scope=? AND uid=?", (pid, scope, uid))
        else:
            conn.execute("DELETE FROM bans WHERE pid=? AND scope=? AND xid=? AND uid=?",
                         (pid, scope, xid, uid))

    @staticmethod
    def _op_count(conn: sqlite3.Connection, sql: str, params: tuple[int, ...]) -> int:
        return int(conn.execute(sql, params).fetchone()[0])

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

    # ------------------------------------------------------------------ fan-out

    def _op_receivers(self, conn: sqlite3.Connection, pid: int, scope: int, xid: int,
                      drop_banned: bool) -> list[int]:
        table, column = (("group_members", "gid") if scope == _SCOPE_GROUP
                         else ("room_members", "rid"))
        members = [int(r[0]) for r in conn.execute(
            f"SELECT uid FROM {table} WHERE pid=? AND {column}=?", (pid, xid))]
        if not drop_banned or not members:
            return members
        now = self._now()
        banned = {int(uid) for uid, expires in conn.execute(
            "SELECT uid, expires_ms FROM bans WHERE pid=? AND scope=? AND xid IN (?, ?)",
            (pid, scope, xid, _WILDCARD)) if expires is None or expires > now}
        return [uid for uid in members if uid not in banned]

    async def receivers(self, pid: int, scope: int, xid: int, *,
                        drop_banned: bool = False) -> list[int]:
        """The members of group (``scope`` 2) or room (3) ``xid``, in one operation; with
        ``drop_banned`` without those banned there or in every group/room now."""
        if scope not in (_SCOPE_GROUP, _SCOPE_ROOM):
            raise ValueError(f"scope must be 2 (group) or 3 (room), got {scope}")
        return await self._call(False, self._op_receivers, pid, scope, xid, drop_banned)

    # ------------------------------------------------------------------ read-only listings

    def _op_list_bans(self, conn: sqlite3.Connection, pid: int, scope: int,
                      xid: int) -> list[Ban]:
        """Active bans of one scope/xid, by uid (the console lists them)."""
        return [
            Ban(int(r[0]), None if r[1] is None else int(r[1]))
            for r in conn.execute(
                "SELECT uid, expires_ms FROM bans WHERE pid=? AND scope=? AND xid=?"
                " AND (expires_ms IS NULL OR expires_ms>?) ORDER BY uid",
                (pid, scope, xid, self._now()),
            )
        ]
