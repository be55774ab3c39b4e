"""Rooms: members, room bans (specific and wildcard), infos, counts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from rtm.api.codes import (
    MAX_ROOM_COUNT,
)
from rtm.server.store.common import (
    Ban,
    Kind,
    StoreError,
    _chunks,
    _unique,
)
from rtm.server.store.infos import InfoKind, InfosRepo


@dataclass(frozen=True, slots=True)
class RoomSummary:
    """One room of a project as the console lists it (a room exists while it has members
    or active bans)."""

    rid: int
    members: int
    bans: int


class RoomsRepo(InfosRepo):
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
        """Mute ``uid`` in ``rid`` for ``seconds`` from now (<= 0: permanent); ``rid`` 0 mutes
        ``uid`` in every room."""
        await self._call(True, self._op_add_ban, pid, int(Kind.ROOM), rid, uid, seconds)

    async def remove_room_ban(self, pid: int, rid: int, uid: int) -> None:
        """Lift the ban of ``uid`` in ``rid``; ``rid`` 0 lifts the wildcard ban and every
        room ban of ``uid``."""
        await self._call(True, self._op_remove_bans, pid, int(Kind.ROOM), rid, uid)

    async def is_banned_in_room(self, pid: int, rid: int, uid: int) -> bool:
        """Whether a ban of ``uid`` in ``rid``, or in every room, is active now."""
        return await self._call(False, self._muted, pid, int(Kind.ROOM), rid, uid)

    def _rooms_of(self, conn: sqlite3.Connection, pid: int, uid: int) -> set[int]:
        return set(self._op_column(
            conn, "SELECT rid FROM room_members WHERE pid=? AND uid=?", (pid, uid)))

    def _op_add_room_members(self, conn: sqlite3.Connection, pid: int, rid: int,
                             uids: list[int]) -> list[int]:
        members: list[int] = []
        for uid in uids:
            rooms = self._rooms_of(conn, pid, uid)
            if rid not in rooms:
                if len(rooms) + 1 > self.max_rooms_per_user:
                    continue  # left out: not an error for the whole call (spec §4.8)
                conn.execute("INSERT INTO room_members (pid, rid, uid) VALUES (?,?,?)",
                             (pid, rid, uid))
            members.append(uid)
        return members

    async def add_room_members(self, pid: int, rid: int, uids: Iterable[int]) -> list[int]:
        """``addroommembers``: put each uid into ``rid``; returns the uids that are members
        afterwards (already-members included; a uid that would exceed its room limit is left
        out)."""
        return await self._call(True, self._op_add_room_members, pid, rid, _unique(uids))

    @staticmethod
    def _op_del_room_members(conn: sqlite3.Connection, pid: int, rid: int,
                             uids: list[int]) -> list[int]:
        removed = []
        for uid in uids:
            cur = conn.execute("DELETE FROM room_members WHERE pid=? AND rid=? AND uid=?",
                               (pid, rid, uid))
            if cur.rowcount > 0:
                removed.append(uid)
        return removed

    async def del_room_members(self, pid: int, rid: int, uids: Iterable[int]) -> list[int]:
        """Take each uid out of ``rid``; returns the uids that were in it."""
        return await self._call(True, self._op_del_room_members, pid, rid, _unique(uids))

    def _op_add_user_rooms(self, conn: sqlite3.Connection, pid: int, uid: int,
                           rids: list[int]) -> None:
        rooms = self._rooms_of(conn, pid, uid)
        new = [rid for rid in rids if rid not in rooms]
        if len(rooms) + len(new) > self.max_rooms_per_user:
            raise StoreError(
                MAX_ROOM_COUNT,
                f"uid {uid} would be in {len(rooms) + len(new)} rooms, at most "
                f"{self.max_rooms_per_user}",
            )
        conn.executemany("INSERT INTO room_members (pid, rid, uid) VALUES (?,?,?)",
                         [(pid, rid, uid) for rid in new])

    async def add_user_rooms(self, pid: int, uid: int, rids: Iterable[int]) -> None:
        """``adduserrooms``: put ``uid`` into every room of ``rids``, all or nothing (200047
        when that would exceed ``max_rooms_per_user``)."""
        await self._call(True, self._op_add_user_rooms, pid, uid, _unique(rids))

    @staticmethod
    def _op_delete_user_rooms(conn: sqlite3.Connection, pid: int, uid: int,
                              rids: list[int]) -> list[int]:
        left = []
        for rid in rids:
            cur = conn.execute("DELETE FROM room_members WHERE pid=? AND rid=? AND uid=?",
                               (pid, rid, uid))
            if cur.rowcount > 0:
                left.append(rid)
        return left

    async def delete_user_rooms(self, pid: int, uid: int, rids: Iterable[int]) -> list[int]:
        """Take ``uid`` out of every room of ``rids``; returns the rooms it was in."""
        return await self._call(True, self._op_delete_user_rooms, pid, uid, _unique(rids))

    @staticmethod
    def _op_room_counts(conn: sqlite3.Connection, pid: int, rids: list[int]) -> dict[int, int]:
        counts = dict.fromkeys(rids, 0)
        for chunk in _chunks(rids):
            marks = ",".join("?" * len(chunk))
            for rid, n in conn.execute(
                f"SELECT rid, count(*) FROM room_members WHERE pid=? AND rid IN ({marks})"
                " GROUP BY rid", (pid, *chunk),
            ):
                counts[int(rid)] = int(n)
        return counts

    async def room_counts(self, pid: int, rids: Iterable[int]) -> dict[int, int]:
        """Members per room, every requested rid included (0 when empty or unknown)."""
        return await self._call(False, self._op_room_counts, pid, _unique(rids))

    async def set_room_info(self, pid: int, rid: int, oinfo: str | None,
                            pinfo: str | None) -> None:
        """Set the public / private info of ``rid``; ``None`` leaves that value unchanged."""
        await self._call(True, self._op_set_info, pid, InfoKind.ROOM, rid, oinfo, pinfo)

    async def get_room_info(self, pid: int, rid: int) -> tuple[str, str]:
        """(public, private) info of ``rid``; ``""`` for a value never set."""
        return await self._call(False, self._op_get_info, pid, InfoKind.ROOM, rid)

    async def room_public_infos(self, pid: int, rids: Iterable[int]) -> dict[int, str]:
        """rid -> public info, for the rids with a stored info record (in input order)."""
        return await self._call(False, self._op_public_infos, pid, InfoKind.ROOM,
                                _unique(rids))

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
