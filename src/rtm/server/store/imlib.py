"""IM library (current spec §11.9): user and group profiles, IM groups with their owner, apply
and invite grants. IM groups are RTM groups with an IM record: creating one adds its owner to
the RTM group, and dropping the RTM group (``delgroup``, ``imserver_dismissgroup``) drops the
IM record with it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from rtm.server.store.common import StoreError, _chunks, _unique
from rtm.server.store.groups import GroupsRepo
from rtm.server.store.imclient import drop_im_client_rows

INVALID_PARAMETER: Final = 200034  # the IM group already exists

#: object types of the grants
USER: Final = 0
GROUP: Final = 1
ROOM: Final = 2

_INFO_TABLES: Final = {"user": ("im_user_infos", "uid"), "group": ("im_group_infos", "gid")}


@dataclass(frozen=True, slots=True)
class ApplyGrant:
    grant_type: int
    extra: str


def _drop_im_group(conn: sqlite3.Connection, pid: int, gid: int | None) -> None:
    """The IM-library records of group ``gid`` (``None``: of every group of the project)."""
    one = "" if gid is None else " AND gid=?"
    args: tuple[int, ...] = (pid,) if gid is None else (pid, gid)
    conn.execute(f"DELETE FROM im_groups WHERE pid=?{one}", args)
    conn.execute(f"DELETE FROM im_group_infos WHERE pid=?{one}", args)
    xid = "" if gid is None else " AND xid=?"
    for table in ("im_apply_grants", "im_invite_grants"):
        conn.execute(f"DELETE FROM {table} WHERE pid=? AND type=?{xid}", (pid, GROUP, *args[1:]))
    drop_im_client_rows(conn, pid, GROUP, gid)


class IMLibRepo(GroupsRepo):
    """Listed before :class:`GroupsRepo` in the Store: it extends the group deletion."""

    @staticmethod
    def _op_del_group(conn: sqlite3.Connection, pid: int, gid: int) -> None:
        # A deleted RTM group takes its IM-library record along (spec §4.7 delgroup).
        GroupsRepo._op_del_group(conn, pid, gid)
        _drop_im_group(conn, pid, gid)

    @staticmethod
    def _op_clear_project_group(conn: sqlite3.Connection, pid: int) -> None:
        # clearprojectgroup drops the IM-library group records too (spec §4.7).
        GroupsRepo._op_clear_project_group(conn, pid)
        _drop_im_group(conn, pid, None)

    @staticmethod
    def _op_merge_infos(conn: sqlite3.Connection, kind: str, pid: int, xid: int,
                        infos: Mapping[str, str]) -> None:
        table, column = _INFO_TABLES[kind]
        conn.executemany(
            f"INSERT INTO {table} (pid, {column}, key, value) VALUES (?,?,?,?)"
            f" ON CONFLICT (pid, {column}, key) DO UPDATE SET value=excluded.value",
            [(pid, xid, key, value) for key, value in infos.items()])

    async def im_set_user_infos(self, pid: int, uid: int, infos: Mapping[str, str]) -> None:
        """Merge ``infos`` into the IM profile of ``uid``."""
        await self._call(True, self._op_merge_infos, "user", pid, uid, dict(infos))

    async def im_set_group_infos(self, pid: int, gid: int, infos: Mapping[str, str]) -> None:
        """Merge ``infos`` into the IM profile of group ``gid``."""
        await self._call(True, self._op_merge_infos, "group", pid, gid, dict(infos))

    @staticmethod
    def _op_infos(conn: sqlite3.Connection, kind: str, pid: int,
                  ids: list[int]) -> dict[int, dict[str, str]]:
        table, column = _INFO_TABLES[kind]
        found: dict[int, dict[str, str]] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for xid, key, value in conn.execute(
                    f"SELECT {column}, key, value FROM {table}"
                    f" WHERE pid=? AND {column} IN ({marks}) ORDER BY {column}, key",
                    (pid, *chunk)):
                found.setdefault(int(xid), {})[str(key)] = str(value)
        return found

    async def im_user_infos(self, pid: int, uids: Iterable[int]) -> dict[int, dict[str, str]]:
        """uid -> IM profile; users without one are left out."""
        return await self._call(False, self._op_infos, "user", pid, _unique(uids))

    async def im_group_infos(self, pid: int, gids: Iterable[int]) -> dict[int, dict[str, str]]:
        """gid -> IM profile; groups without one are left out."""
        return await self._call(False, self._op_infos, "group", pid, _unique(gids))

    def _op_im_create_group(self, conn: sqlite3.Connection, pid: int, gid: int, owner: int,
                            infos: Mapping[str, str], grant: ApplyGrant) -> None:
        if conn.execute("SELECT 1 FROM im_groups WHERE pid=? AND gid=?",
                        (pid, gid)).fetchone() is not None:
            raise StoreError(INVALID_PARAMETER, f"IM group {gid} already exists")
        conn.execute("INSERT INTO im_groups (pid, gid, owner, created_ms) VALUES (?,?,?,?)",
                     (pid, gid, owner, self._now()))
        self._op_merge_infos(conn, "group", pid, gid, infos)
        self._op_set_apply_grant(conn, pid, GROUP, gid, grant)
        self._op_add_group_members(conn, pid, gid, [owner])

    async def im_create_group(self, pid: int, gid: int, owner: int, infos: Mapping[str, str],
                              grant: ApplyGrant) -> None:
        """Create IM group ``gid`` (all or nothing): owner, profile, apply grant, and the
        owner joins RTM group ``gid``. 200034 if it exists; 200042 group limits."""
        await self._call(True, self._op_im_create_group, pid, gid, owner, dict(infos), grant)

    async def im_group_owner(self, pid: int, gid: int) -> int | None:
        """The owner of IM group ``gid`` (None: no such IM group)."""
        owners = await self._call(False, self._op_column,
                                  "SELECT owner FROM im_groups WHERE pid=? AND gid=?",
                                  (pid, gid))
        return owners[0] if owners else None

    @staticmethod
    def _op_set_apply_grant(conn: sqlite3.Connection, pid: int, kind: int, xid: int,
                            grant: ApplyGrant) -> None:
        conn.execute(
            "INSERT INTO im_apply_grants (pid, type, xid, grant_type, extra) VALUES (?,?,?,?,?)"
            " ON CONFLICT (pid, type, xid) DO UPDATE SET grant_type=excluded.grant_type,"
            " extra=excluded.extra", (pid, kind, xid, grant.grant_type, grant.extra))

    async def im_set_apply_grant(self, pid: int, kind: int, xid: int,
                                 grant: ApplyGrant) -> None:
        await self._call(True, self._op_set_apply_grant, pid, kind, xid, grant)

    @staticmethod
    def _op_apply_grant(conn: sqlite3.Connection, pid: int, kind: int, xid: int
                        ) -> ApplyGrant:
        row = conn.execute(
            "SELECT grant_type, extra FROM im_apply_grants WHERE pid=? AND type=? AND xid=?",
            (pid, kind, xid)).fetchone()
        return ApplyGrant(0, "") if row is None else ApplyGrant(int(row[0]), str(row[1]))

    async def im_apply_grant(self, pid: int, kind: int, xid: int) -> ApplyGrant:
        """The apply grant (default 0, no password)."""
        return await self._call(False, self._op_apply_grant, pid, kind, xid)

    @staticmethod
    def _op_set_invite_grant(conn: sqlite3.Connection, pid: int, kind: int, xid: int,
                             invite_type: int, manage_type: int) -> None:
        conn.execute(
            "INSERT INTO im_invite_grants (pid, type, xid, invite_type, invite_manage_type)"
            " VALUES (?,?,?,?,?) ON CONFLICT (pid, type, xid) DO UPDATE SET"
            " invite_type=excluded.invite_type,"
            " invite_manage_type=excluded.invite_manage_type",
            (pid, kind, xid, invite_type, manage_type))

    async def im_set_invite_grant(self, pid: int, kind: int, xid: int, invite_type: int,
                                  manage_type: int) -> None:
        await self._call(True, self._op_set_invite_grant, pid, kind, xid, invite_type,
                         manage_type)

    @staticmethod
    def _op_invite_grant(conn: sqlite3.Connection, pid: int, kind: int, xid: int
                         ) -> tuple[int, int]:
        row = conn.execute(
            "SELECT invite_type, invite_manage_type FROM im_invite_grants"
            " WHERE pid=? AND type=? AND xid=?", (pid, kind, xid)).fetchone()
        return (0, 0) if row is None else (int(row[0]), int(row[1]))

    async def im_invite_grant(self, pid: int, kind: int, xid: int) -> tuple[int, int]:
        """(invite_type, invite_manage_type), default (0, 0)."""
        return await self._call(False, self._op_invite_grant, pid, kind, xid)

    # ------------------------------------------------------------------ read-only listings

    @staticmethod
    def _op_im_listing(conn: sqlite3.Connection, pid: int) -> IMLibListing:
        groups = [(int(gid), int(owner), int(created))
                  for gid, owner, created in conn.execute(
                      "SELECT gid, owner, created_ms FROM im_groups WHERE pid=? ORDER BY gid",
                      (pid,))]
        users = [int(r[0]) for r in conn.execute(
            "SELECT DISTINCT uid FROM im_user_infos WHERE pid=? ORDER BY uid", (pid,))]
        applies = [(int(k), int(x), int(g), str(e)) for k, x, g, e in conn.execute(
            "SELECT type, xid, grant_type, extra FROM im_apply_grants WHERE pid=?"
            " ORDER BY type, xid", (pid,))]
        invites = [(int(k), int(x), int(i), int(m)) for k, x, i, m in conn.execute(
            "SELECT type, xid, invite_type, invite_manage_type FROM im_invite_grants"
            " WHERE pid=? ORDER BY type, xid", (pid,))]
        return IMLibListing(groups, users, applies, invites)

    async def im_listing(self, pid: int) -> IMLibListing:
        """Everything the IM library keeps for the project (read-only, for the console)."""
        return await self._call(False, self._op_im_listing, pid)


@dataclass(frozen=True, slots=True)
class IMLibListing:
    """``groups``: (gid, owner, created ms); ``users``: uids with an IM profile;
    ``apply_grants``: (type, xid, grant type, extra); ``invite_grants``: (type, xid, invite
    type, invite manage type). Types: 0 user, 1 group, 2 room."""

    groups: list[tuple[int, int, int]]
    users: list[int]
    apply_grants: list[tuple[int, int, int, str]]
    invite_grants: list[tuple[int, int, int, int]]
