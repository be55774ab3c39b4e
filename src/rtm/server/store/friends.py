"""Friends."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from rtm.api.codes import (
    MAX_FRIEND_COUNT,
)
from rtm.server.store.common import (
    StoreError,
    _unique,
)
from rtm.server.store.engine import StoreBase


class FriendsRepo(StoreBase):
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
