"""Per-user key/value data store (spec current §4.11)."""

from __future__ import annotations

import sqlite3

from rtm.server.store.engine import StoreBase


class DataRepo(StoreBase):
    @staticmethod
    def _op_set_data(conn: sqlite3.Connection, pid: int, uid: int, key: str,
                     value: str) -> None:
        conn.execute(
            "INSERT INTO user_data (pid, uid, name, value) VALUES (?,?,?,?)"
            " ON CONFLICT (pid, uid, name) DO UPDATE SET value=excluded.value",
            (pid, uid, key, value),
        )

    async def set_data(self, pid: int, uid: int, key: str, value: str) -> None:
        """Upsert the value of (``uid``, ``key``)."""
        await self._call(True, self._op_set_data, pid, uid, key, value)

    @staticmethod
    def _op_get_data(conn: sqlite3.Connection, pid: int, uid: int, key: str) -> str | None:
        row = conn.execute("SELECT value FROM user_data WHERE pid=? AND uid=? AND name=?",
                           (pid, uid, key)).fetchone()
        return None if row is None else str(row[0])

    async def get_data(self, pid: int, uid: int, key: str) -> str | None:
        """The stored value, or None when (``uid``, ``key``) has none."""
        return await self._call(False, self._op_get_data, pid, uid, key)

    @staticmethod
    def _op_del_data(conn: sqlite3.Connection, pid: int, uid: int, key: str) -> None:
        conn.execute("DELETE FROM user_data WHERE pid=? AND uid=? AND name=?", (pid, uid, key))

    async def del_data(self, pid: int, uid: int, key: str) -> None:
        """Delete the value (a missing key is not an error)."""
        await self._call(True, self._op_del_data, pid, uid, key)

    @staticmethod
    def _op_list_data(conn: sqlite3.Connection, pid: int, uid: int) -> list[tuple[str, str]]:
        rows = conn.execute("SELECT name, value FROM user_data WHERE pid=? AND uid=?"
                            " ORDER BY name", (pid, uid)).fetchall()
        return [(str(name), str(value)) for name, value in rows]

    async def list_data(self, pid: int, uid: int) -> list[tuple[str, str]]:
        """Every (key, value) of ``uid``, by key (read-only, for the console)."""
        return await self._call(False, self._op_list_data, pid, uid)
