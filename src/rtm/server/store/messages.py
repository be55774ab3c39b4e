"""Sending messages: sender checks and the single send operation."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from rtm.api.codes import (
    ADMIN_ONLY,
    BANNED_IN_GROUP,
    BANNED_IN_ROOM,
    DUPLICATED_MID,
    NOT_FRIEND,
    NOT_GROUP_MEMBER,
    NOT_IN_ROOM,
    PERMISSION_DENIED,
)
from rtm.server.store.common import (
    _SCOPE_PROJECT_BAN,
    Kind,
    Payload,
    SendResult,
    StoreError,
    _p2p_pair,
    _payload,
)
from rtm.server.store.engine import StoreBase


@dataclass(frozen=True, slots=True)
class _SendSQL:
    """The send path's statements for one conversation kind. The kind is written into the
    SQL, not bound: with a bound ``kind`` SQLite re-prepares the statement on every run
    (the partial index ``messages_receiver ... WHERE kind = 1`` makes the plan depend on the
    value), which costs ~9 µs per statement."""

    dedup: str
    last_mtime: str
    #: The reads of a one-target send in one statement (one round trip into SQLite instead
    #: of three): the sender's project ban (-1 = permanent, NULL = none), the id of a
    #: duplicate (NULL = none), the conversation's latest mtime.
    reads: str
    insert: str


def _send_sql(kind: Kind) -> _SendSQL:
    k = int(kind)
    return _SendSQL(
        dedup=("SELECT id, mtime FROM messages"
               f" WHERE pid=? AND kind={k} AND xa=? AND xb=? AND from_uid=? AND mid=?"
               " ORDER BY id LIMIT 1"),
        last_mtime=f"SELECT max(mtime) FROM messages WHERE pid=? AND kind={k} AND xa=? AND xb=?",
        reads=(f"SELECT (SELECT coalesce(expires_ms, -1) FROM bans WHERE pid=?1"
               f" AND scope={_SCOPE_PROJECT_BAN} AND xid=0 AND uid=?4),"
               " (SELECT id FROM messages"
               f" WHERE pid=?1 AND kind={k} AND xa=?2 AND xb=?3 AND from_uid=?4 AND mid=?5"
               " ORDER BY id LIMIT 1),"
               f" (SELECT max(mtime) FROM messages WHERE pid=?1 AND kind={k} AND xa=?2"
               " AND xb=?3)"),
        insert=("INSERT INTO messages (pid, kind, xa, xb, from_uid, to_uid, mid, mtype, msg,"
                f" attrs, mtime) VALUES (?,{k},?,?,?,?,?,?,?,?,?)"),
    )


_SEND_SQL: Final = {kind: _send_sql(kind) for kind in Kind}

OnCommit = Callable[[SendResult], None]
R = TypeVar("R")


class MessagesRepo(StoreBase):
    def _check_group_sender(self, conn: sqlite3.Connection, pid: int, gid: int,
                            uid: int) -> None:
        if not self._exists(
            conn, "SELECT 1 FROM group_members WHERE pid=? AND gid=? AND uid=?", pid, gid, uid
        ):
            raise StoreError(NOT_GROUP_MEMBER, f"uid {uid} is not a member of group {gid}")
        if self._muted(conn, pid, Kind.GROUP, gid, uid):
            raise StoreError(BANNED_IN_GROUP, f"uid {uid} is banned in group {gid}")

    def _check_room_sender(self, conn: sqlite3.Connection, pid: int, rid: int,
                           uid: int) -> None:
        if not self._exists(
            conn, "SELECT 1 FROM room_members WHERE pid=? AND rid=? AND uid=?", pid, rid, uid
        ):
            raise StoreError(NOT_IN_ROOM, f"uid {uid} is not in room {rid}")
        if self._muted(conn, pid, Kind.ROOM, rid, uid):
            raise StoreError(BANNED_IN_ROOM, f"uid {uid} is banned in room {rid}")

    def _check_project_ban(self, conn: sqlite3.Connection, pid: int, uid: int) -> None:
        if self._ban_active(conn, pid, _SCOPE_PROJECT_BAN, 0, uid):
            raise StoreError(PERMISSION_DENIED, f"uid {uid} is banned in project {pid}")

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
        if len(targets) == 1 and self.dedup_mid:
            return self._send_one(conn, _SEND_SQL[kind], pid, kind, from_uid, targets[0], mid,
                                  mtype, msg, attrs, mtime)
        self._check_project_ban(conn, pid, from_uid)  # before the group/room ban checks
        if kind == Kind.GROUP:
            self._check_group_sender(conn, pid, targets[0], from_uid)
        elif kind == Kind.ROOM:
            self._check_room_sender(conn, pid, targets[0], from_uid)
        elif kind == Kind.BROADCAST:
            self._check_broadcaster(pid, from_uid)
        else:
            self._check_p2p_senders(conn, pid, from_uid, targets)
        base = self._now() if mtime is None else mtime
        sql = _SEND_SQL[kind]
        ids: list[int] = []
        mtimes: list[int] = []
        fresh: list[bool] = []
        for target in targets:
            if kind == Kind.P2P:
                xa, xb = _p2p_pair(from_uid, target)
                to_uid = target
            else:
                xa, xb, to_uid = target, 0, 0
            conv = (pid, xa, xb)
            if self.dedup_mid:
                row = conn.execute(sql.dedup, (*conv, from_uid, mid)).fetchone()
                if row is not None:
                    if self.strict_mid:
                        raise StoreError(DUPLICATED_MID,
                                         f"duplicated mid {mid} from uid {from_uid}")
                    ids.append(int(row[0]))
                    mtimes.append(int(row[1]))
                    fresh.append(False)
                    continue
            last = conn.execute(sql.last_mtime, conv).fetchone()[0]
            row_mtime = base if last is None or last <= base else int(last)
            cur = conn.execute(
                sql.insert, (*conv, from_uid, to_uid, mid, mtype, msg, attrs, row_mtime))
            assert cur.lastrowid is not None
            if kind == Kind.P2P and from_uid != to_uid:
                self._add_p2p_sessions(conn, pid, from_uid, to_uid)
            ids.append(cur.lastrowid)
            mtimes.append(row_mtime)
            fresh.append(True)
        return SendResult(
            mtime=max(mtimes) if mtimes else base,
            duplicate=not any(fresh),
            ids=tuple(ids),
            mtimes=tuple(mtimes),
            fresh=tuple(fresh),
        )

    def _send_one(self, conn: sqlite3.Connection, sql: _SendSQL, pid: int, kind: Kind,
                  from_uid: int, target: int, mid: int, mtype: int, msg: Payload,
                  attrs: Payload, mtime: int | None) -> SendResult:
        """The usual send: one target, duplicates looked up; the same checks in the same
        order as the general path, the reads in one statement."""
        if kind == Kind.P2P:
            xa, xb = (from_uid, target) if from_uid <= target else (target, from_uid)
            to_uid = target
        else:
            xa, xb, to_uid = target, 0, 0
        ban, dup_id, last = conn.execute(sql.reads, (pid, xa, xb, from_uid, mid)).fetchone()
        if ban is not None and (ban == -1 or ban > self._now()):
            raise StoreError(PERMISSION_DENIED, f"uid {from_uid} is banned in project {pid}")
        if kind == Kind.GROUP:
            self._check_group_sender(conn, pid, target, from_uid)
        elif kind == Kind.ROOM:
            self._check_room_sender(conn, pid, target, from_uid)
        elif kind == Kind.BROADCAST:
            self._check_broadcaster(pid, from_uid)
        elif self.p2p_friends_only:
            self._check_p2p_senders(conn, pid, from_uid, (target,))
        if dup_id is not None:
            if self.strict_mid:
                raise StoreError(DUPLICATED_MID, f"duplicated mid {mid} from uid {from_uid}")
            dup_mtime = int(conn.execute("SELECT mtime FROM messages WHERE id=?",
                                         (dup_id,)).fetchone()[0])
            return SendResult(dup_mtime, True, (int(dup_id),), (dup_mtime,), (False,))
        base = self._now() if mtime is None else mtime
        row_mtime = base if last is None or last <= base else int(last)
        rowid = conn.execute(
            sql.insert, (pid, xa, xb, from_uid, to_uid, mid, mtype, msg, attrs, row_mtime)
        ).lastrowid
        assert rowid is not None
        if kind == Kind.P2P and from_uid != to_uid:
            self._add_p2p_sessions(conn, pid, from_uid, to_uid)
        return SendResult(row_mtime, False, (rowid,), (row_mtime,), (True,))

    @staticmethod
    def _add_p2p_sessions(conn: sqlite3.Connection, pid: int, from_uid: int,
                          to_uid: int) -> None:
        """A stored P2P message puts each side in the other's session list (client spec
        §3.3; the list ``addsessions``/``removesessions`` edit)."""
        conn.execute("INSERT OR IGNORE INTO sessions (pid, uid, peer) VALUES (?,?,?),(?,?,?)",
                     (pid, from_uid, to_uid, pid, to_uid, from_uid))

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
        on_commit: OnCommit | None = None,
    ) -> SendResult:
        """Store one message. ``target``: the receiver uid (P2P), gid, rid, or None (broadcast).

        Checks: a project-banned sender is refused first (200021); group sender must be a
        member (200041) and not banned there or in every group (200044); room sender in
        the room (200040) and not banned (200045); broadcast sender an admin when an admin list
        is configured (200026); P2P to a friend when ``p2p_friends_only`` (200043).
        A (from, conversation, mid) already stored is not stored again: the result carries the
        ORIGINAL mtime and ``duplicate=True`` (200053 instead when ``strict_mid``).
        ``mtime`` defaults to now; it is raised to the conversation's latest mtime if needed so
        mtimes never decrease in cursor-id order.
        ``on_commit(result)`` runs once the row is committed, before this returns, and even if
        the caller is cancelled once the operation has been queued (the server's pushes).
        """
        result: SendResult = await self.send_message_future(
            pid, kind, from_uid, target, mid, mtype, msg, attrs, mtime=mtime,
            on_commit=on_commit)
        return result

    def send_message_future(
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
        on_commit: OnCommit | None = None,
        answer: Callable[[SendResult], R] | None = None,
        error: Callable[[Exception], BaseException] | None = None,
    ) -> asyncio.Future[Any]:
        """:meth:`send_message` queued now, as a future: its result is the
        :class:`SendResult`, or ``answer(result)``; a failure is ``error(exc)`` if given.
        The local server answers a send quest with this future (no task per quest)."""
        k = kind if type(kind) is Kind else Kind(kind)
        if k == Kind.BROADCAST:
            tgt = 0
        elif target is None:
            raise ValueError(f"{k.name} message needs a target")
        else:
            tgt = target
        m = msg if type(msg) is str else _payload(msg)
        a = attrs if type(attrs) is str else _payload(attrs)
        # Atomic: checks, then one INSERT (or none for a duplicate).
        return self._queue(
            True, lambda conn: self._op_send(conn, pid, k, from_uid, (tgt,), mid, mtype, m, a,
                                             mtime), on_commit, True, answer, error)

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
        on_commit: OnCommit | None = None,
    ) -> SendResult:
        """``sendmsgs``: one P2P row per recipient with the same mid, all in one operation.

        A recipient listed twice gets one row; its second entry is reported as not fresh.
        ``on_commit``: as for :meth:`send_message`.
        """
        targets = tuple(tos or ())
        m, a = _payload(msg), _payload(attrs)
        result: SendResult = await self._queue(
            True, lambda conn: self._op_send(conn, pid, Kind.P2P, from_uid, targets, mid, mtype,
                                             m, a, mtime), on_commit)
        return result
