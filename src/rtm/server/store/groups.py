"""Groups: members, group bans (specific and wildcard), infos, counts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from rtm.api.codes import (
    MAX_GROUP_MEMBER_COUNT,
)
from rtm.server.store.common import (
    Ban,
    Kind,
    StoreError,
    _unique,
)
from rtm.server.store.infos import InfoKind, InfosRepo


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """One group of a project as the console lists it."""

    gid: int
    members: int
    bans: int


class GroupsRepo(InfosRepo):
    def _op_add_group_members(self, conn: sqlite3.Connection, pid: int, gid: int,
                              uids: list[int]) -> None:
        row = conn.execute(
            "SELECT members FROM chat_groups WHERE pid=? AND gid=?", (pid, gid)
        ).fetchone()
        if row is None:
            if not uids:
                return
            groups = int(conn.execute(
                "SELECT count(*) FROM chat_groups WHERE pid=?", (pid,)
            ).fetchone()[0])
            if groups + 1 > self.max_groups:
                raise StoreError(
                    MAX_GROUP_MEMBER_COUNT, f"project {pid} would exceed {self.max_groups} groups"
                )
            members = 0
        else:
            members = int(row[0])
        have = set(self._select_in(
            conn, "SELECT uid FROM group_members WHERE pid=? AND gid=? AND uid IN ({})",
            (pid, gid), uids,
        ))
        new = [u for u in uids if u not in have]
        if members + len(new) > self.max_group_members:
            raise StoreError(
                MAX_GROUP_MEMBER_COUNT,
                f"group {gid} would exceed {self.max_group_members} members",
            )
        conn.executemany(
            "INSERT INTO group_members (pid, gid, uid) VALUES (?,?,?)",
            [(pid, gid, u) for u in new],
        )
        conn.execute(
            "INSERT INTO chat_groups (pid, gid, members) VALUES (?,?,?)"
            " ON CONFLICT (pid, gid) DO UPDATE SET members=excluded.members",
            (pid, gid, members + len(new)),
        )

    async def add_group_members(self, pid: int, gid: int, uids: Iterable[int] | None) -> None:
        """Add members, creating the group implicitly; existing members are a no-op.
        200042 when the group would exceed ``max_group_members`` or the project would exceed
        ``max_groups`` groups."""
        await self._call(True, self._op_add_group_members, pid, gid, _unique(uids))

    @staticmethod
    def _op_del_group_members(conn: sqlite3.Connection, pid: int, gid: int,
                              uids: list[int]) -> None:
        cur = conn.executemany(
            "DELETE FROM group_members WHERE pid=? AND gid=? AND uid=?",
            [(pid, gid, u) for u in uids],
        )
        if cur.rowcount > 0:
            conn.execute(
                "UPDATE chat_groups SET members=members-? WHERE pid=? AND gid=?",
                (cur.rowcount, pid, gid),
            )
            # A group lives while it has members (it stops counting toward max_groups).
            conn.execute(
                "DELETE FROM chat_groups WHERE pid=? AND gid=? AND members<=0", (pid, gid)
            )

    async def del_group_members(self, pid: int, gid: int,
                                uids: Iterable[int] | None) -> None:
        """Remove members; non-members are ignored. An emptied group ceases to exist (its bans
        and history stay)."""
        await self._call(True, self._op_del_group_members, pid, gid, _unique(uids))

    @staticmethod
    def _op_del_group(conn: sqlite3.Connection, pid: int, gid: int) -> None:
        conn.execute("DELETE FROM group_members WHERE pid=? AND gid=?", (pid, gid))
        conn.execute("DELETE FROM chat_groups WHERE pid=? AND gid=?", (pid, gid))
        conn.execute("DELETE FROM bans WHERE pid=? AND scope=? AND xid=?",
                     (pid, int(Kind.GROUP), gid))
        conn.execute("DELETE FROM messages WHERE pid=? AND kind=? AND xa=? AND xb=0",
                     (pid, int(Kind.GROUP), gid))
        InfosRepo._op_drop_infos(conn, pid, InfoKind.GROUP, gid)

    async def del_group(self, pid: int, gid: int) -> None:
        """Drop the group: its members, its bans, its infos and its history."""
        await self._call(True, self._op_del_group, pid, gid)

    @staticmethod
    def _op_clear_project_group(conn: sqlite3.Connection, pid: int) -> None:
        conn.execute("DELETE FROM group_members WHERE pid=?", (pid,))
        conn.execute("DELETE FROM chat_groups WHERE pid=?", (pid,))
        conn.execute("DELETE FROM bans WHERE pid=? AND scope=?", (pid, int(Kind.GROUP)))
        InfosRepo._op_drop_infos(conn, pid, InfoKind.GROUP)

    async def clear_project_group(self, pid: int) -> None:
        """``clearprojectgroup``: every group of the project with its members, bans (the
        wildcard ones too) and infos. Group history stays (``clearprojectmsg`` clears it)."""
        await self._call(True, self._op_clear_project_group, pid)

    async def group_count(self, pid: int, gid: int) -> int:
        """Number of members of ``gid`` (0 for an unknown group)."""
        return await self._call(False, self._op_count,
                                "SELECT count(*) FROM group_members WHERE pid=? AND gid=?",
                                (pid, gid))

    async def set_group_info(self, pid: int, gid: int, oinfo: str | None,
                             pinfo: str | None) -> None:
        """Set the public / private info of ``gid``; ``None`` leaves that value unchanged."""
        await self._call(True, self._op_set_info, pid, InfoKind.GROUP, gid, oinfo, pinfo)

    async def get_group_info(self, pid: int, gid: int) -> tuple[str, str]:
        """(public, private) info of ``gid``; ``""`` for a value never set."""
        return await self._call(False, self._op_get_info, pid, InfoKind.GROUP, gid)

    async def group_public_infos(self, pid: int, gids: Iterable[int]) -> dict[int, str]:
        """gid -> public info, for the gids with a stored info record (in input order)."""
        return await self._call(False, self._op_public_infos, pid, InfoKind.GROUP,
                                _unique(gids))

    async def get_group_members(self, pid: int, gid: int) -> list[int]:
        """Members ascending; [] for an unknown group."""
        return await self._call(
            False, self._op_column,
            "SELECT uid FROM group_members WHERE pid=? AND gid=? ORDER BY uid", (pid, gid),
        )

    async def is_group_member(self, pid: int, gid: int, uid: int) -> bool:
        return await self._call(
            False, self._op_exists,
            "SELECT 1 FROM group_members WHERE pid=? AND gid=? AND uid=?", (pid, gid, uid),
        )

    async def user_groups(self, pid: int, uid: int) -> list[int]:
        """Groups of ``uid``, ascending."""
        return await self._call(
            False, self._op_column,
            "SELECT gid FROM group_members WHERE pid=? AND uid=? ORDER BY gid", (pid, uid),
        )

    async def add_group_ban(self, pid: int, gid: int, uid: int, seconds: int) -> None:
        """Mute ``uid`` in ``gid`` for ``seconds`` from now (<= 0: permanent); replaces any
        previous ban of the same user there. ``gid`` 0 mutes ``uid`` in every group, also
        the groups joined later."""
        await self._call(True, self._op_add_ban, pid, int(Kind.GROUP), gid, uid, seconds)

    async def remove_group_ban(self, pid: int, gid: int, uid: int) -> None:
        """Lift the ban of ``uid`` in ``gid``; ``gid`` 0 lifts the wildcard ban and every
        group ban of ``uid``."""
        await self._call(True, self._op_remove_bans, pid, int(Kind.GROUP), gid, uid)

    async def is_banned_in_group(self, pid: int, gid: int, uid: int) -> bool:
        """Whether a ban of ``uid`` in ``gid``, or in every group, is active now."""
        return await self._call(False, self._muted, pid, int(Kind.GROUP), gid, uid)

    # ------------------------------------------------------------------ read-only listings

    def _op_list_groups(self, conn: sqlite3.Connection, pid: int, limit: int,
                        offset: int) -> list[GroupSummary]:
        return [
            GroupSummary(int(r[0]), int(r[1]), int(r[2]))
            for r in conn.execute(
                "SELECT g.gid, g.members, (SELECT count(*) FROM bans b WHERE b.pid=g.pid"
                " AND b.scope=? AND b.xid=g.gid AND (b.expires_ms IS NULL OR b.expires_ms>?))"
                " FROM chat_groups g WHERE g.pid=? ORDER BY g.gid LIMIT ? OFFSET ?",
                (int(Kind.GROUP), self._now(), pid, limit, offset),
            )
        ]

    async def list_groups(self, pid: int, *, limit: int = 100,
                          offset: int = 0) -> list[GroupSummary]:
        """Groups of the project by gid, with their member and active-ban counts."""
        return await self._call(False, self._op_list_groups, pid, limit, offset)

    async def list_group_bans(self, pid: int, gid: int) -> list[Ban]:
        """Active bans in group ``gid``, by uid."""
        return await self._call(False, self._op_list_bans, pid, int(Kind.GROUP), gid)
