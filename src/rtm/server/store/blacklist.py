"""User-level blocks (spec current §4.6): a user's block list and who blocked whom."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from rtm.api.codes import (
    TOO_MANY_ITEMS_IN_PARAMETERS,
)
from rtm.server.store.common import (
    StoreError,
    _unique,
)
from rtm.server.store.engine import StoreBase


class BlacklistRepo(StoreBase):
    #: Entries one user's block list may hold (an emulator choice, spec §4.6 "(E)").
    max_blocks = 1000

    def _op_add_blocks(self, conn: sqlite3.Connection, pid: int, uid: int,
                       blocked: list[int]) -> None:
        blocked = [b for b in blocked if b != uid]
        have = set(self._select_in(
            conn, "SELECT blocked FROM blocks WHERE pid=? AND uid=? AND blocked IN ({})",
            (pid, uid), blocked,
        ))
        new = [b for b in blocked if b not in have]
        count = self._op_count(conn, "SELECT count(*) FROM blocks WHERE pid=? AND uid=?",
                               (pid, uid))
        if count + len(new) > self.max_blocks:
            raise StoreError(
                TOO_MANY_ITEMS_IN_PARAMETERS,
                f"uid {uid} would block {count + len(new)} users, at most {self.max_blocks}",
            )
        conn.executemany("INSERT INTO blocks (pid, uid, blocked) VALUES (?,?,?)",
                         [(pid, uid, b) for b in new])

    async def add_blocks(self, pid: int, uid: int, blocked: Iterable[int] | None) -> None:
        """``uid`` blocks ``blocked`` (``uid`` itself is ignored); 200032 when the list would
        exceed :attr:`max_blocks`."""
        await self._call(True, self._op_add_blocks, pid, uid, _unique(blocked))

    @staticmethod
    def _op_del_blocks(conn: sqlite3.Connection, pid: int, uid: int,
                       blocked: list[int]) -> None:
        conn.executemany("DELETE FROM blocks WHERE pid=? AND uid=? AND blocked=?",
                         [(pid, uid, b) for b in blocked])

    async def del_blocks(self, pid: int, uid: int, blocked: Iterable[int] | None) -> None:
        """Unblock; entries not on the list are ignored."""
        await self._call(True, self._op_del_blocks, pid, uid, _unique(blocked))

    async def get_blocks(self, pid: int, uid: int) -> list[int]:
        """The users ``uid`` has blocked, ascending."""
        return await self._call(
            False, self._op_column,
            "SELECT blocked FROM blocks WHERE pid=? AND uid=? ORDER BY blocked", (pid, uid),
        )

    async def is_blocked_by(self, pid: int, uid: int, blocker: int) -> bool:
        """Whether ``blocker`` has blocked ``uid`` (``isblack``)."""
        return await self._call(
            False, self._op_exists,
            "SELECT 1 FROM blocks WHERE pid=? AND uid=? AND blocked=?", (pid, blocker, uid),
        )

    async def blockers_among(self, pid: int, uid: int,
                             candidates: Iterable[int] | None) -> list[int]:
        """The subset of ``candidates`` that have blocked ``uid`` (``isblacks``; input order,
        no repeats)."""
        return await self._call(
            False, self._op_subset,
            "SELECT uid FROM blocks WHERE pid=? AND blocked=? AND uid IN ({})",
            (pid, uid), _unique(candidates),
        )
