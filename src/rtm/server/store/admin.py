"""Project black list (no login) and project bans (no sending), and erasing a project."""

from __future__ import annotations

import sqlite3

from rtm.server.store.common import (
    _SCOPE_BLACK,
    _SCOPE_PROJECT_BAN,
    Ban,
)
from rtm.server.store.engine import StoreBase


class AdminRepo(StoreBase):
    async def add_project_black(self, pid: int, uid: int, seconds: int) -> None:
        """Black-list ``uid`` in the project for ``seconds`` (<= 0: permanent)."""
        await self._call(True, self._op_add_ban, pid, _SCOPE_BLACK, 0, uid, seconds)

    async def remove_project_black(self, pid: int, uid: int) -> None:
        await self._call(True, self._op_remove_ban, pid, _SCOPE_BLACK, 0, uid)

    async def is_project_black(self, pid: int, uid: int) -> bool:
        """Whether the project black-listing of ``uid`` is active now."""
        return await self._call(False, self._op_is_banned, pid, _SCOPE_BLACK, 0, uid)

    async def add_project_ban(self, pid: int, uid: int, seconds: int) -> None:
        """Mute ``uid`` project-wide for ``seconds`` (<= 0: permanent): every send by the user
        is refused with 200021 while it lasts; login, history and receiving still work."""
        await self._call(True, self._op_add_ban, pid, _SCOPE_PROJECT_BAN, 0, uid, seconds)

    async def remove_project_ban(self, pid: int, uid: int) -> None:
        await self._call(True, self._op_remove_ban, pid, _SCOPE_PROJECT_BAN, 0, uid)

    async def is_project_ban(self, pid: int, uid: int) -> bool:
        """Whether the project ban of ``uid`` is active now."""
        return await self._call(False, self._op_is_banned, pid, _SCOPE_PROJECT_BAN, 0, uid)
    async def list_project_black(self, pid: int) -> list[Ban]:
        """The active project black list, by uid."""
        return await self._call(False, self._op_list_bans, pid, _SCOPE_BLACK, 0)

    async def list_project_bans(self, pid: int) -> list[Ban]:
        """The active project bans (``addprojectban``: muted, still logged in), by uid."""
        return await self._call(False, self._op_list_bans, pid, _SCOPE_PROJECT_BAN, 0)

    @staticmethod
    def _op_drop_project(conn: sqlite3.Connection, pid: int) -> int:
        """Delete the rows of ``pid`` from every table that has a ``pid`` column (read from
        the schema, so a table added later is covered too); file blobs go with their
        messages' links (schema triggers) and directly."""
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        erased = 0
        for table in tables:
            columns = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
            if "pid" in columns:
                erased += conn.execute(f'DELETE FROM "{table}" WHERE pid=?', (pid,)).rowcount
        return erased

    async def drop_project(self, pid: int) -> int:
        """Erase everything stored for project ``pid`` (messages, files, users, groups,
        rooms, tokens, bans, ...) in one transaction; returns how many rows."""
        return await self._call(True, self._op_drop_project, pid)
