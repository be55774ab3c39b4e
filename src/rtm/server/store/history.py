"""History pages, single messages, deletion and the other message management (spec §4.3,
§11.7): edit, clean, clear, counts."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from rtm.server.store.common import (
    _I64_MAX,
    _I64_MIN,
    HISTORY_MAX_NUM,
    HistoryPage,
    HistoryRow,
    Kind,
    StoreError,
    _p2p_pair,
)
from rtm.server.store.engine import StoreBase

MESSAGE_NOT_FOUND = 200070
PERMISSION_DENIED = 200021

#: ``clearprojectmsg`` ClearType (spec §4.3) -> the kinds it erases.
CLEAR_KINDS: dict[int, tuple[Kind, ...]] = {
    0: (Kind.P2P,),
    1: (Kind.ROOM,),
    2: (Kind.GROUP,),
    3: (Kind.BROADCAST,),
    4: (Kind.P2P, Kind.GROUP, Kind.ROOM, Kind.BROADCAST),
}


def _mtype_filter(mtypes: Sequence[int] | None) -> tuple[str, tuple[int, ...]]:
    """SQL ``AND mtype IN (...)`` for a non-empty filter (absent or empty = every mtype)."""
    if not mtypes:
        return "", ()
    values = tuple(sorted(set(mtypes)))
    return f" AND mtype IN ({','.join('?' * len(values))})", values


def _time_filter(begin: int, end: int) -> tuple[str, tuple[int, ...]]:
    """SQL for ``begin <= mtime <= end`` where 0 leaves that side open."""
    sql = ""
    args: tuple[int, ...] = ()
    if begin > 0:
        sql, args = " AND mtime>=?", (begin,)
    if end > 0:
        sql, args = sql + " AND mtime<=?", (*args, end)
    return sql, args


#: The mtime readers see when ``edit_updates_mtime``: the last edit's time, else the send time.
_VISIBLE_MTIME = "COALESCE(edited_ms, mtime)"


@dataclass(frozen=True, slots=True)
class Conversation:
    """One conversation with stored messages. ``xa``/``xb``: the two uids of a P2P
    conversation (xa <= xb), the gid or rid and 0, or 0 and 0 for broadcast."""

    kind: Kind
    xa: int
    xb: int
    messages: int
    deleted: int
    last_mtime: int


class HistoryRepo(StoreBase):
    # Statements without INDEXED BY write the conversation kind into the SQL instead of
    # binding it: with a bound kind SQLite re-prepares them on every run (the partial index
    # messages_receiver ... WHERE kind = 1 makes the plan depend on the value), ~10 µs each.
    # The page queries name their index, which leaves nothing to re-plan.

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
        mtypes: Sequence[int] | None = None,
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
        begin_eff = begin if begin > 0 else _I64_MIN
        order = "DESC" if desc else "ASC"
        only, only_args = _mtype_filter(mtypes)
        if self.edit_updates_mtime:
            # An edit moves a row's visible mtime (edited_ms) out of id order: no id range can
            # stand for the time bounds, so the rows are filtered one by one, and the next
            # page keeps the request's bounds (lastid alone moves the cursor; narrowing
            # begin/end to the last row's mtime would skip edited rows).
            rows = self._history_rows(
                conn, f"{_VISIBLE_MTIME} AS vis",
                f" AND id>=? AND id<=? AND vis>=? AND vis<=?{only} ORDER BY id {order}",
                (*conv, lo, hi, begin_eff, end_eff, *only_args, num))
            if not rows:
                return empty
            return HistoryPage(len(rows), rows[-1].id, begin, end_eff, rows)
        # mtime is the conversation's order key: it never decreases in id order and edits do
        # not move it, so the time bounds become an id range through the (conv, mtime) index,
        # O(log n) whatever the range.
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
        rows = self._history_rows(
            conn, "mtime",
            f" AND id>=? AND id<=? AND mtime>=? AND mtime<=?{only} ORDER BY id {order}",
            (*conv, lo, hi, begin_eff, end_eff, *only_args, num))
        if not rows:
            return empty
        last = rows[-1]
        if desc:
            return HistoryPage(len(rows), last.id, begin, last.mtime, rows)
        return HistoryPage(len(rows), last.id, last.mtime, end_eff, rows)

    @staticmethod
    def _history_rows(conn: sqlite3.Connection, mtime_sql: str, where: str,
                      args: tuple[int, ...]) -> list[HistoryRow]:
        return [
            HistoryRow(int(r[0]), int(r[1]), int(r[2]), int(r[3]), bool(r[4]), r[5], r[6],
                       int(r[7]))
            for r in conn.execute(
                f"SELECT id, from_uid, mtype, mid, deleted, msg, attrs, {mtime_sql}"
                " FROM messages INDEXED BY messages_conv_id"
                f" WHERE pid=? AND kind=? AND xa=? AND xb=?{where} LIMIT ?",
                args,
            )
        ]

    def _mtime_column(self) -> str:
        """The mtime a reader sees: the edit time once edits move mtimes."""
        return _VISIBLE_MTIME if self.edit_updates_mtime else "mtime"

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
        mtypes: Sequence[int] | None = None,
    ) -> HistoryPage:
        """One history page (spec §2.3). ``target``: ouid (P2P, with ``uid_for_p2p`` = uid),
        gid, rid, or None (broadcast). ``now_ms`` overrides the clock for ``end == 0``.
        ``mtypes`` (non-empty) keeps only those message types, before ``num`` applies.

        num <= 0 -> nothing; num clamped to 20; begin/end inclusive ms (begin 0 = unbounded,
        end 0 = now); lastid strict. Next page: ascending -> lastid/begin of the last row and
        the effective end; descending -> lastid/end of the last (oldest) row and the request
        begin. No rows -> the request lastid and begin and the effective end are echoed.
        """
        k = Kind(kind)
        xa, xb = self._conv_key(k, target, uid_for_p2p)
        return await self._call(
            False, self._op_history, pid, k, xa, xb, desc, num, begin, end, lastid, now_ms,
            mtypes,
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
            f" WHERE pid=? AND kind={int(kind)} AND xa=? AND xb=? AND from_uid=? AND mid=?",
            (pid, xa, xb, from_uid, mid),
        )
        return cur.rowcount > 0

    async def get_message(self, pid: int, kind: Kind | int, from_uid: int | None, xid: int,
                          mid: int) -> HistoryRow | None:
        """The stored message identified like ``delmsg`` (None when unknown); a broadcast
        with ``from_uid`` None is looked up by its mid alone (whoever sent it)."""
        k = Kind(kind)
        if from_uid is None and k != Kind.BROADCAST:
            raise ValueError("only a broadcast message is looked up without its sender")
        xa, xb = self._conv_key(k, xid, from_uid)
        return await self._call(False, self._op_get_message, pid, k, xa, xb, from_uid, mid)

    def _op_get_message(self, conn: sqlite3.Connection, pid: int, kind: Kind, xa: int, xb: int,
                        from_uid: int | None, mid: int) -> HistoryRow | None:
        sender, args = ("", ()) if from_uid is None else (" AND from_uid=?", (from_uid,))
        r = conn.execute(
            "SELECT id, from_uid, mtype, mid, deleted, msg, attrs,"
            f" {self._mtime_column()} FROM messages"
            f" WHERE pid=? AND kind={int(kind)} AND xa=? AND xb=?{sender} AND mid=?"
            " ORDER BY deleted, id DESC LIMIT 1",
            (pid, xa, xb, *args, mid),
        ).fetchone()
        if r is None:
            return None
        return HistoryRow(int(r[0]), int(r[1]), int(r[2]), int(r[3]), bool(r[4]), r[5], r[6],
                          int(r[7]))

    # ------------------------------------------------------------------ current generation

    async def clean_messages(self, pid: int, kind: Kind | int, from_uid: int, xid: int,
                             begin: int, end: int) -> int:
        """``cleanmsg``: erase the messages of one conversation with ``begin <= mtime <= end``
        (0 = open). P2P: {from_uid, xid}; group/room: xid; broadcast: all. Returns how many."""
        k = Kind(kind)
        xa, xb = self._conv_key(k, xid, from_uid)
        return await self._call(True, self._op_clean, pid, k, xa, xb, begin, end)

    @staticmethod
    def _op_clean(conn: sqlite3.Connection, pid: int, kind: Kind, xa: int, xb: int,
                  begin: int, end: int) -> int:
        when, args = _time_filter(begin, end)
        return conn.execute(
            f"DELETE FROM messages WHERE pid=? AND kind={int(kind)} AND xa=? AND xb=?{when}",
            (pid, xa, xb, *args),
        ).rowcount

    async def clear_project_messages(self, pid: int, clear_type: int) -> int:
        """``clearprojectmsg``: erase all history of a ClearType (0 P2P, 1 room, 2 group,
        3 broadcast, 4 all). Returns how many messages."""
        kinds = CLEAR_KINDS[clear_type]
        return await self._call(True, self._op_clear_kinds, pid, tuple(int(k) for k in kinds))

    @staticmethod
    def _op_clear_kinds(conn: sqlite3.Connection, pid: int, kinds: tuple[int, ...]) -> int:
        return conn.execute(
            f"DELETE FROM messages WHERE pid=? AND kind IN ({','.join('?' * len(kinds))})",
            (pid, *kinds),
        ).rowcount

    async def count_messages(self, pid: int, kind: Kind | int, xid: int,
                             mtypes: Sequence[int] | None, begin: int, end: int, *,
                             uid_for_p2p: int | None = None) -> tuple[int, int]:
        """``getmsgnum``: (distinct senders, messages) among the non-deleted messages of
        group/room ``xid`` in ``begin``..``end`` (0 = open), of ``mtypes`` when given.
        P2P (the client's ``getp2pmsgcount``): ``xid`` and ``uid_for_p2p`` are the pair;
        broadcast: ``xid`` is ignored."""
        k = Kind(kind)
        xa, xb = self._conv_key(k, xid, uid_for_p2p)
        return await self._call(False, self._op_count_messages, pid, k, xa, xb, mtypes,
                                begin, end)

    @staticmethod
    def _op_count_messages(conn: sqlite3.Connection, pid: int, kind: Kind, xa: int, xb: int,
                           mtypes: Sequence[int] | None, begin: int, end: int
                           ) -> tuple[int, int]:
        when, args = _time_filter(begin, end)
        only, only_args = _mtype_filter(mtypes)
        row = conn.execute(
            "SELECT count(DISTINCT from_uid), count(*) FROM messages"
            f" WHERE pid=? AND kind={int(kind)} AND xa=? AND xb=? AND deleted=0{when}{only}",
            (pid, xa, xb, *args, *only_args),
        ).fetchone()
        return int(row[0]), int(row[1])

    async def message_cursor(self, pid: int, kind: Kind | int, target: int | None, mid: int,
                             *, uid_for_p2p: int | None = None) -> int | None:
        """The cursor id of the message ``mid`` in one conversation (keyed like
        :meth:`history`), whoever sent it: the newest such row; None when there is none."""
        k = Kind(kind)
        xa, xb = self._conv_key(k, target, uid_for_p2p)
        return await self._call(False, self._op_message_cursor, pid, k, xa, xb, mid)

    @staticmethod
    def _op_message_cursor(conn: sqlite3.Connection, pid: int, kind: Kind, xa: int, xb: int,
                           mid: int) -> int | None:
        row = conn.execute(
            "SELECT max(id) FROM messages INDEXED BY messages_pid_mid"
            " WHERE pid=? AND mid=? AND kind=? AND xa=? AND xb=?",
            (pid, mid, int(kind), xa, xb),
        ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    async def delete_conversation_messages(self, pid: int, kind: Kind | int, from_uid: int,
                                           xid: int) -> int:
        """``delconversationmsgs``: erase what ``from_uid`` sent in one conversation."""
        k = Kind(kind)
        xa, xb = self._conv_key(k, xid, from_uid)
        return await self._call(True, self._op_delete_sent, pid, k, xa, xb, from_uid)

    @staticmethod
    def _op_delete_sent(conn: sqlite3.Connection, pid: int, kind: Kind, xa: int, xb: int,
                        from_uid: int) -> int:
        return conn.execute(
            f"DELETE FROM messages WHERE pid=? AND kind={int(kind)} AND xa=? AND xb=?"
            " AND from_uid=?",
            (pid, xa, xb, from_uid),
        ).rowcount

    async def clear_user_messages(self, pid: int, uid: int) -> int:
        """``clearusermsg``: erase every message ``uid`` sent and every P2P message it
        received."""
        return await self._call(True, self._op_clear_user, pid, uid)

    @staticmethod
    def _op_clear_user(conn: sqlite3.Connection, pid: int, uid: int) -> int:
        sent = conn.execute("DELETE FROM messages WHERE pid=? AND from_uid=?", (pid, uid))
        received = conn.execute(
            "DELETE FROM messages WHERE pid=? AND to_uid=? AND kind=?", (pid, uid, int(Kind.P2P))
        )
        return sent.rowcount + received.rowcount

    async def edit_message(self, pid: int, kind: Kind | int, from_uid: int, xid: int, mid: int,
                           msg: str | bytes, attrs: str | bytes, time_limit: int) -> None:
        """``editmsg``: replace msg and attrs of a stored message; its cursor id stays, and
        its mtime too unless ``edit_updates_mtime``. Unknown or deleted -> 200070; older than
        ``time_limit`` ms (when > 0) -> 200021."""
        k = Kind(kind)
        xa, xb = self._conv_key(k, xid, from_uid)
        await self._call(True, self._op_edit, pid, k, xa, xb, from_uid, mid, msg, attrs,
                         time_limit)

    def _op_edit(self, conn: sqlite3.Connection, pid: int, kind: Kind, xa: int, xb: int,
                 from_uid: int, mid: int, msg: str | bytes, attrs: str | bytes,
                 time_limit: int) -> None:
        row = conn.execute(
            f"SELECT id, mtime FROM messages WHERE pid=? AND kind={int(kind)} AND xa=? AND xb=?"
            " AND from_uid=? AND mid=? AND deleted=0 ORDER BY id DESC LIMIT 1",
            (pid, xa, xb, from_uid, mid),
        ).fetchone()
        if row is None:
            raise StoreError(MESSAGE_NOT_FOUND, f"message {mid} from uid {from_uid} not found")
        now = self._now()
        if time_limit > 0 and now - int(row[1]) > time_limit:
            raise StoreError(PERMISSION_DENIED,
                             f"message {mid} is older than the time limit of {time_limit} ms")
        if self.edit_updates_mtime:  # mtime stays: it orders the conversation
            conn.execute("UPDATE messages SET msg=?, attrs=?, edited_ms=?, edited=1 WHERE id=?",
                         (msg, attrs, max(now, int(row[1])), int(row[0])))
        else:
            conn.execute("UPDATE messages SET msg=?, attrs=?, edited=1 WHERE id=?",
                         (msg, attrs, int(row[0])))
    # ------------------------------------------------------------------ read-only listings

    @staticmethod
    def _op_edited_among(conn: sqlite3.Connection, pid: int, ids: tuple[int, ...]) -> set[int]:
        if not ids:
            return set()
        marks = ",".join("?" * len(ids))
        return {int(r[0]) for r in conn.execute(
            f"SELECT id FROM messages WHERE pid=? AND edited=1 AND id IN ({marks})",
            (pid, *ids))}

    async def edited_among(self, pid: int, ids: Collection[int]) -> set[int]:
        """Which of these stored message ids (:attr:`HistoryRow.id`) ``editmsg`` changed."""
        return await self._call(False, self._op_edited_among, pid, tuple(ids))

    @staticmethod
    def _op_list_conversations(conn: sqlite3.Connection, pid: int, kind: Kind | None,
                               uid: int | None, limit: int,
                               offset: int) -> list[Conversation]:
        where, params = "pid=?", [pid]
        if kind is not None:
            where += " AND kind=?"
            params.append(int(kind))
        if uid is not None:
            where += " AND kind=? AND (xa=? OR xb=?)"
            params += [int(Kind.P2P), uid, uid]
        return [
            Conversation(Kind(int(r[0])), int(r[1]), int(r[2]), int(r[3]), int(r[4]),
                         int(r[5]))
            for r in conn.execute(
                "SELECT kind, xa, xb, count(*), sum(deleted), max(mtime) FROM messages"
                f" WHERE {where} GROUP BY kind, xa, xb ORDER BY max(id) DESC LIMIT ? OFFSET ?",
                (*params, limit, offset),
            )
        ]

    async def list_conversations(self, pid: int, kind: Kind | int | None = None, *,
                                 uid: int | None = None, limit: int = 100,
                                 offset: int = 0) -> list[Conversation]:
        """Conversations with stored messages, most recently active first; ``kind`` keeps
        one kind, ``uid`` keeps the P2P conversations of that user."""
        k = None if kind is None else Kind(kind)
        return await self._call(False, self._op_list_conversations, pid, k, uid, limit,
                                offset)

    def _op_list_messages(self, conn: sqlite3.Connection, pid: int, kind: Kind, xa: int,
                          xb: int, before_id: int, limit: int,
                          mtypes: tuple[int, ...]) -> list[HistoryRow]:
        sql = (f"SELECT id, from_uid, mtype, mid, deleted, msg, attrs, {self._mtime_column()}"
               " FROM messages INDEXED BY messages_conv_id"
               " WHERE pid=? AND kind=? AND xa=? AND xb=? AND id<?")
        params: list[int] = [pid, int(kind), xa, xb, before_id if before_id > 0 else 2**63 - 1]
        if mtypes:
            sql += f" AND mtype IN ({','.join('?' * len(mtypes))})"
            params += mtypes
        sql += " ORDER BY id DESC LIMIT ?"
        return [
            HistoryRow(int(r[0]), int(r[1]), int(r[2]), int(r[3]), bool(r[4]), r[5], r[6],
                       int(r[7]))
            for r in conn.execute(sql, (*params, limit))
        ]

    async def list_messages(self, pid: int, kind: Kind | int, xa: int, xb: int, *,
                            before_id: int = 0, limit: int = 20,
                            mtypes: Collection[int] = ()) -> list[HistoryRow]:
        """Messages of one conversation (keyed like :class:`Conversation`), newest first,
        deleted ones included; ``before_id`` pages back, ``mtypes`` keeps those types."""
        k = Kind(kind)
        if k == Kind.P2P:
            xa, xb = _p2p_pair(xa, xb)
        elif k == Kind.BROADCAST:
            xa, xb = 0, 0
        else:
            xb = 0
        return await self._call(False, self._op_list_messages, pid, k, xa, xb, before_id,
                                limit, tuple(sorted(set(mtypes))))
