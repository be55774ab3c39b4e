"""The debug logs an end user's app sent (``adddebuglog``, rtm-client-api.md §3.10); the
console shows them on the user page."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from rtm.server.store.engine import StoreBase

#: The newest debug logs kept per user: an app cannot fill the database with them.
DEBUG_LOGS_KEPT = 1000


@dataclass(frozen=True, slots=True)
class DebugLog:
    """One ``adddebuglog`` of an end user: its text, attrs and when it came (ms)."""

    id: int
    uid: int
    msg: str
    attrs: str
    time_ms: int


class ClientStateRepo(StoreBase):
    def _op_add_debug_log(self, conn: sqlite3.Connection, pid: int, uid: int, msg: str,
                          attrs: str) -> None:
        conn.execute("INSERT INTO debug_logs (pid, uid, msg, attrs, time_ms) VALUES (?,?,?,?,?)",
                     (pid, uid, msg, attrs, self._now()))
        conn.execute(
            "DELETE FROM debug_logs WHERE pid=? AND uid=? AND id <= (SELECT id FROM debug_logs"
            " WHERE pid=? AND uid=? ORDER BY id DESC LIMIT 1 OFFSET ?)",
            (pid, uid, pid, uid, DEBUG_LOGS_KEPT))

    async def add_debug_log(self, pid: int, uid: int, msg: str, attrs: str) -> None:
        """Keep one debug log of ``uid`` (and only its newest :data:`DEBUG_LOGS_KEPT`)."""
        await self._call(True, self._op_add_debug_log, pid, uid, msg, attrs)

    @staticmethod
    def _op_debug_logs(conn: sqlite3.Connection, pid: int, uid: int,
                       limit: int) -> list[DebugLog]:
        rows = conn.execute(
            "SELECT id, uid, msg, attrs, time_ms FROM debug_logs WHERE pid=? AND uid=?"
            " ORDER BY id DESC LIMIT ?", (pid, uid, limit)).fetchall()
        return [DebugLog(int(r[0]), int(r[1]), str(r[2]), str(r[3]), int(r[4])) for r in rows]

    async def debug_logs(self, pid: int, uid: int, *, limit: int = 100) -> list[DebugLog]:
        """The newest ``limit`` debug logs of ``uid``, newest first (read-only)."""
        return await self._call(False, self._op_debug_logs, pid, uid, limit)
