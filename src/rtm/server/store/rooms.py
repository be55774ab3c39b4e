"""Rooms: members and room bans."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from rtm.server.store.common import (
    MAX_ROOM_COUNT,
    Ban,
    Kind,
    StoreError,
)
from rtm.server.store.engine import StoreBase


@dataclass(frozen=True, slots=True)
class RoomSummary:
    """One room of a project as the console lists it (a room exists while it has members
    or active bans)."""

    rid: int
    members: int
    bans: int


class RoomsRepo(StoreBase):
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

    async def add_room_ban(self, pid: int, rid: int, uid: int, seconds: int) -> None:
        """Mute ``uid`` in ``rid`` for ``seconds`` from now (<= 0: permanent)."""
        await self._call(True, self._op_add_ban, pid, int(Kind.ROOM), rid, uid, seconds)

    async def remove_room_ban(self, pid: int, rid: int, uid: int) -> None:
        await self._call(True, self._op_remove_ban, pid, int(Kind.ROOM), rid, uid)

    async def is_banned_in_room(self, pid: int, rid: int, uid: int) -> bool:
        """Whether a room ban is active now."""
        return await self._call(False, self._op_is_banned, pid, int(Kind.ROOM), rid, uid)

    # ------------------------------------------------------------------ read-only listings

    def _op_list_rooms(self, conn: sqlite3.Connection, pid: int, limit: int,
                       offset: int) -> list[RoomSummary]:
        scope, now = int(Kind.ROOM), self._now()
        return [
            RoomSummary(int(r[0]), int(r[1]), int(r[2]))
            for r in conn.execute(
                "SELECT rid, sum(m), sum(b) FROM ("
                " SELECT rid, count(*) AS m, 0 AS b FROM room_members WHERE pid=? GROUP BY rid"
                " UNION ALL SELECT xid, 0, count(*) FROM bans WHERE pid=? AND scope=?"
                " AND (expires_ms IS NULL OR expires_ms>?) GROUP BY xid"
                ") GROUP BY rid ORDER BY rid LIMIT ? OFFSET ?",
                (pid, pid, scope, now, limit, offset),
            )
        ]

    async def list_rooms(self, pid: int, *, limit: int = 100,
                         offset: int = 0) -> list[RoomSummary]:
        """Rooms of the project by rid, with their member and active-ban counts."""
        return await self._call(False, self._op_list_rooms, pid, limit, offset)

    async def list_room_bans(self, pid: int, rid: int) -> list[Ban]:
        """Active bans in room ``rid``, by uid."""
        return await self._call(False, self._op_list_bans, pid, int(Kind.ROOM), rid)
