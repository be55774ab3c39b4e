"""Unread counts, sessions and conversation lists of end users (client spec §3.3).

The model:

* A user's **sessions** are its P2P peers (the ``sessions`` table: a stored P2P message adds
  both sides, the server API's ``addsessions``/``removesessions`` and the client's
  ``removesession`` edit it) and the groups it is a member of that have messages.
* **Unread** counts the non-deleted messages from others in a session stored after the user's
  **read mark**. The mark is a message cursor id (ids grow in storing order across the whole
  table), so "after the mark" is exact even within one millisecond; it moves to the newest
  stored id on ``cleanunread``, ``getunread {clear}`` and when the user's last connection
  logs out (``logout_ms`` records that time: ``logouttime``).
* Every count is an index range scan of one conversation (``messages_conv_id`` from the mark,
  or ``messages_conv_mtime`` from a time), so the cost follows the unread messages, not the
  table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rtm.server.store.common import HistoryRow, Kind, _p2p_pair, _unique
from rtm.server.store.engine import StoreBase


@dataclass(frozen=True, slots=True)
class ReadMark:
    """Messages up to cursor id ``mark_id`` are read (set at ``mark_ms``); ``logout_ms`` is
    the time of the user's last logout (0: none yet)."""

    mark_id: int
    mark_ms: int
    logout_ms: int


@dataclass(frozen=True, slots=True)
class SessionState:
    """One session of a user: the peer uid or gid, its unread count and its newest message
    (None when it has none that counts)."""

    xid: int
    unread: int
    newest: HistoryRow | None


def _mtypes_sql(count: int) -> str:
    """``AND mtype IN (?, ...)`` for ``count`` mtypes (nothing for none)."""
    return f" AND mtype IN ({','.join('?' * count)})" if count else ""


def _conv(kind: Kind, uid: int, xid: int) -> tuple[int, int]:
    return _p2p_pair(uid, xid) if kind == Kind.P2P else (xid, 0)


def unread_sql(by_time: bool, mtypes: int) -> str:
    """The count of one conversation's unread messages: params (pid, kind, xa, xb, bound,
    reader uid, *mtypes, limit); ``bound`` is an mtime (``by_time``) or the read mark's id.
    Either way one index range: the cost follows the unread messages."""
    if by_time:
        where = "INDEXED BY messages_conv_mtime WHERE pid=? AND kind=? AND xa=? AND xb=?" \
                " AND mtime>=?"
    else:
        where = "INDEXED BY messages_conv_id WHERE pid=? AND kind=? AND xa=? AND xb=? AND id>?"
    return (f"SELECT count(*) FROM (SELECT 1 FROM messages {where}"
            f" AND from_uid<>? AND deleted=0{_mtypes_sql(mtypes)} LIMIT ?)")


class UnreadRepo(StoreBase):
    # ------------------------------------------------------------------ read marks

    @staticmethod
    def _read_mark(conn: sqlite3.Connection, pid: int, uid: int) -> ReadMark:
        row = conn.execute(
            "SELECT mark_id, mark_ms, logout_ms FROM read_marks WHERE pid=? AND uid=?",
            (pid, uid),
        ).fetchone()
        return ReadMark(0, 0, 0) if row is None else ReadMark(int(row[0]), int(row[1]),
                                                              int(row[2]))

    def _op_mark_read(self, conn: sqlite3.Connection, pid: int, uid: int,
                      logout: bool) -> ReadMark:
        now = self._now()
        newest = conn.execute("SELECT max(id) FROM messages").fetchone()[0]
        mark_id = int(newest or 0)
        conn.execute(
            "INSERT INTO read_marks (pid, uid, mark_id, mark_ms, logout_ms) VALUES (?,?,?,?,?)"
            " ON CONFLICT (pid, uid) DO UPDATE SET mark_id=excluded.mark_id,"
            " mark_ms=excluded.mark_ms,"
            " logout_ms=CASE WHEN ? THEN excluded.logout_ms ELSE logout_ms END",
            (pid, uid, mark_id, now, now if logout else 0, int(logout)),
        )
        return self._read_mark(conn, pid, uid)

    async def mark_read(self, pid: int, uid: int, *, logout: bool = False) -> ReadMark:
        """Move ``uid``'s read mark to the newest stored message (``logout``: and record the
        logout time)."""
        return await self._call(True, self._op_mark_read, pid, uid, logout)

    async def read_mark(self, pid: int, uid: int) -> ReadMark:
        """``uid``'s read mark (all zero when never moved)."""
        return await self._call(False, self._read_mark, pid, uid)

    # ------------------------------------------------------------------ sessions

    @staticmethod
    def _p2p_sessions(conn: sqlite3.Connection, pid: int, uid: int) -> list[int]:
        return [int(r[0]) for r in conn.execute(
            "SELECT peer FROM sessions WHERE pid=? AND uid=? ORDER BY peer", (pid, uid))]

    @staticmethod
    def _group_sessions(conn: sqlite3.Connection, pid: int, uid: int) -> list[int]:
        # The groups of uid (group_members_by_uid), each kept when it has a message: one
        # index probe per group.
        return [int(r[0]) for r in conn.execute(
            "SELECT g.gid FROM group_members g WHERE g.pid=? AND g.uid=? AND EXISTS ("
            " SELECT 1 FROM messages m INDEXED BY messages_conv_id"
            " WHERE m.pid=g.pid AND m.kind=? AND m.xa=g.gid AND m.xb=0)"
            " ORDER BY g.gid", (pid, uid, int(Kind.GROUP)))]

    def _op_sessions(self, conn: sqlite3.Connection, pid: int,
                     uid: int) -> tuple[list[int], list[int]]:
        return self._p2p_sessions(conn, pid, uid), self._group_sessions(conn, pid, uid)

    async def user_sessions(self, pid: int, uid: int) -> tuple[list[int], list[int]]:
        """(P2P peers, gids) of ``uid``'s sessions, ascending."""
        return await self._call(False, self._op_sessions, pid, uid)

    def _sessions_of(self, conn: sqlite3.Connection, pid: int, uid: int,
                     kind: Kind) -> list[int]:
        return (self._p2p_sessions(conn, pid, uid) if kind == Kind.P2P
                else self._group_sessions(conn, pid, uid))

    # ------------------------------------------------------------------ counts

    @staticmethod
    def _unread(conn: sqlite3.Connection, pid: int, uid: int, kind: Kind, xid: int,
                after_id: int, since_ms: int, mtypes: tuple[int, ...],
                limit: int = -1) -> int:
        """Non-deleted messages from others in one conversation with id > ``after_id``, or
        with mtime >= ``since_ms`` when that is > 0 (``limit`` 1 = "is there any")."""
        xa, xb = _conv(kind, uid, xid)
        bound = since_ms if since_ms > 0 else after_id
        row = conn.execute(
            unread_sql(since_ms > 0, len(mtypes)),
            (pid, int(kind), xa, xb, bound, uid, *mtypes, limit),
        ).fetchone()
        return int(row[0])

    @staticmethod
    def _newest(conn: sqlite3.Connection, pid: int, uid: int, kind: Kind, xid: int,
                mtypes: tuple[int, ...]) -> HistoryRow | None:
        xa, xb = _conv(kind, uid, xid)
        r = conn.execute(
            "SELECT id, from_uid, mtype, mid, deleted, msg, attrs, mtime"
            " FROM messages INDEXED BY messages_conv_id"
            " WHERE pid=? AND kind=? AND xa=? AND xb=? AND deleted=0"
            f"{_mtypes_sql(len(mtypes))} ORDER BY id DESC LIMIT 1",
            (pid, int(kind), xa, xb, *mtypes),
        ).fetchone()
        if r is None:
            return None
        return HistoryRow(int(r[0]), int(r[1]), int(r[2]), int(r[3]), bool(r[4]), r[5], r[6],
                          int(r[7]))

    def _op_unread_sessions(self, conn: sqlite3.Connection, pid: int, uid: int,
                            clear: bool) -> tuple[list[int], list[int], ReadMark]:
        mark = self._read_mark(conn, pid, uid)

        def with_unread(kind: Kind) -> list[int]:
            return [xid for xid in self._sessions_of(conn, pid, uid, kind)
                    if self._unread(conn, pid, uid, kind, xid, mark.mark_id, 0, (), 1)]

        p2p, groups = with_unread(Kind.P2P), with_unread(Kind.GROUP)
        if clear:
            self._op_mark_read(conn, pid, uid, False)
        return p2p, groups, mark

    async def unread_sessions(self, pid: int, uid: int, *, clear: bool = False
                              ) -> tuple[list[int], list[int], ReadMark]:
        """``getunread``: (peers, gids) of ``uid``'s sessions with unread messages, and the
        read mark they were counted from; ``clear`` then moves the mark (one transaction)."""
        return await self._call(clear, self._op_unread_sessions, pid, uid, clear)

    def _op_unread_counts(self, conn: sqlite3.Connection, pid: int, uid: int, kind: Kind,
                          xids: list[int], since_ms: int, mtypes: tuple[int, ...]
                          ) -> tuple[dict[int, int], dict[int, int]]:
        sessions = set(self._sessions_of(conn, pid, uid, kind))
        mark = self._read_mark(conn, pid, uid)
        counts: dict[int, int] = {}
        ltimes: dict[int, int] = {}
        for xid in xids:
            if xid not in sessions:
                continue
            newest = self._newest(conn, pid, uid, kind, xid, mtypes)
            if newest is None:
                continue
            ltimes[xid] = newest.mtime
            count = self._unread(conn, pid, uid, kind, xid, mark.mark_id, since_ms, mtypes)
            if count:
                counts[xid] = count
        return counts, ltimes

    async def unread_counts(self, pid: int, uid: int, kind: Kind, xids: Iterable[int], *,
                            since_ms: int = 0, mtypes: Sequence[int] | None = None
                            ) -> tuple[dict[int, int], dict[int, int]]:
        """``getp2punread``/``getgroupunread``: for those of ``xids`` that are sessions of
        ``uid``, (xid -> unread count when > 0, xid -> mtime of the newest message).
        ``since_ms`` > 0 counts the messages from that time on instead of after the mark;
        ``mtypes`` keeps only those message types (for counts and newest alike)."""
        return await self._call(False, self._op_unread_counts, pid, uid, Kind(kind),
                                _unique(xids), since_ms, tuple(sorted(set(mtypes or ()))))

    # ------------------------------------------------------------------ conversation lists

    def _op_conversations(self, conn: sqlite3.Connection, pid: int, uid: int,
                          kinds: tuple[Kind, ...], since_ms: int, mtypes: tuple[int, ...],
                          unread_only: bool, clear: bool) -> list[list[SessionState]]:
        mark = self._read_mark(conn, pid, uid)
        lists: list[list[SessionState]] = []
        for kind in kinds:
            states: list[SessionState] = []
            for xid in self._sessions_of(conn, pid, uid, kind):
                newest = self._newest(conn, pid, uid, kind, xid, mtypes)
                if since_ms > 0 and (newest is None or newest.mtime < since_ms):
                    continue
                unread = self._unread(conn, pid, uid, kind, xid, mark.mark_id, 0, mtypes)
                if unread_only and not unread:
                    continue
                states.append(SessionState(xid, unread, newest))
            # Newest first; sessions without a message last, by id.
            states.sort(key=lambda s: (s.newest is None,
                                       -(s.newest.mtime if s.newest else 0),
                                       -(s.newest.id if s.newest else 0), s.xid))
            lists.append(states)
        if clear:
            self._op_mark_read(conn, pid, uid, False)
        return lists

    async def conversations(self, pid: int, uid: int, kinds: Sequence[Kind], *,
                            since_ms: int = 0, mtypes: Sequence[int] | None = None,
                            unread_only: bool = False, clear: bool = False
                            ) -> list[list[SessionState]]:
        """One conversation list per kind of ``kinds`` (P2P or GROUP): ``uid``'s sessions,
        newest message first, each with its unread count and newest non-deleted message of
        ``mtypes``. ``since_ms`` > 0 keeps the sessions whose newest message is at least that
        recent; ``unread_only`` those with unread messages; ``clear`` then moves the read
        mark (one transaction)."""
        return await self._call(clear, self._op_conversations, pid, uid,
                                tuple(Kind(k) for k in kinds), since_ms,
                                tuple(sorted(set(mtypes or ()))), unread_only, clear)
