"""IM library, client side (rtm-client-api.md §3.13): friend, group and room applications,
invitations, managers, IM room owners and friend aliases, on top of the IM records of
:mod:`rtm.server.store.imlib` and the RTM friends, groups and rooms."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, Final

from rtm.server.store.engine import StoreBase

#: application status
PENDING: Final = 0
ACCEPTED: Final = 1
REFUSED: Final = 2


@dataclass(frozen=True, slots=True)
class IMApplication:
    """``from_uid`` asks to be taken in by ``xid`` (a user for type 0, a group 1, a room 2);
    ``invite_uid`` invited it (0: it applied itself)."""

    kind: int
    xid: int
    from_uid: int
    invite_uid: int
    status: int
    extra: str
    attrs: str
    created_ms: int


@dataclass(frozen=True, slots=True)
class IMInvitation:
    """``from_uid`` invited ``to_uid`` into group (type 1) or room (2) ``xid``."""

    kind: int
    xid: int
    to_uid: int
    from_uid: int
    extra: str
    attrs: str
    created_ms: int


_APPLICATION = ("SELECT type, xid, from_uid, invite_uid, status, extra, attrs, created_ms"
                " FROM im_applications")
_INVITATION = ("SELECT type, xid, to_uid, from_uid, extra, attrs, created_ms"
               " FROM im_invitations")


def _application(row: Any) -> IMApplication:
    k, x, f, i, s, e, a, c = row
    return IMApplication(int(k), int(x), int(f), int(i), int(s), str(e), str(a), int(c))


def _invitation(row: Any) -> IMInvitation:
    k, x, t, f, e, a, c = row
    return IMInvitation(int(k), int(x), int(t), int(f), str(e), str(a), int(c))


def drop_im_client_rows(conn: sqlite3.Connection, pid: int, kind: int, xid: int | None) -> None:
    """What the client side keeps of group/room ``xid`` (None: every one of that kind)."""
    one = "" if xid is None else " AND xid=?"
    args: tuple[int, ...] = (pid, kind) if xid is None else (pid, kind, xid)
    for table in ("im_applications", "im_invitations", "im_managers"):
        conn.execute(f"DELETE FROM {table} WHERE pid=? AND type=?{one}", args)


class IMClientRepo(StoreBase):
    # ------------------------------------------------------------------ applications

    def _op_im_apply(self, conn: sqlite3.Connection, pid: int, kind: int, xid: int,
                     from_uid: int, invite_uid: int, extra: str, attrs: str) -> None:
        conn.execute(
            "INSERT INTO im_applications (pid, type, xid, from_uid, invite_uid, status, extra,"
            " attrs, created_ms) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (pid, type, xid,"
            " from_uid) DO UPDATE SET invite_uid=excluded.invite_uid, status=excluded.status,"
            " extra=excluded.extra, attrs=excluded.attrs, created_ms=excluded.created_ms",
            (pid, kind, xid, from_uid, invite_uid, PENDING, extra, attrs, self._now()))

    async def im_apply(self, pid: int, kind: int, xid: int, from_uid: int, invite_uid: int,
                       extra: str, attrs: str) -> None:
        """A pending application of ``from_uid`` to ``xid`` (replaces an earlier one)."""
        await self._call(True, self._op_im_apply, pid, kind, xid, from_uid, invite_uid, extra,
                         attrs)

    @staticmethod
    def _op_im_application(conn: sqlite3.Connection, pid: int, kind: int, xid: int,
                           from_uid: int) -> IMApplication | None:
        row = conn.execute(f"{_APPLICATION} WHERE pid=? AND type=? AND xid=? AND from_uid=?",
                           (pid, kind, xid, from_uid)).fetchone()
        return None if row is None else _application(row)

    async def im_application(self, pid: int, kind: int, xid: int,
                             from_uid: int) -> IMApplication | None:
        return await self._call(False, self._op_im_application, pid, kind, xid, from_uid)

    @staticmethod
    def _op_im_settle(conn: sqlite3.Connection, pid: int, kind: int, xid: int, from_uid: int,
                      status: int) -> None:
        conn.execute("UPDATE im_applications SET status=? WHERE pid=? AND type=? AND xid=?"
                     " AND from_uid=?", (status, pid, kind, xid, from_uid))

    async def im_settle_application(self, pid: int, kind: int, xid: int, from_uid: int,
                                    status: int) -> None:
        """Mark an application accepted or refused (it stays listed with its status)."""
        await self._call(True, self._op_im_settle, pid, kind, xid, from_uid, status)

    @staticmethod
    def _op_im_applications(conn: sqlite3.Connection, pid: int, kind: int, column: str,
                            value: int, pending_only: bool) -> list[IMApplication]:
        pending = f" AND status={PENDING}" if pending_only else ""
        rows = conn.execute(f"{_APPLICATION} WHERE pid=? AND type=? AND {column}=?{pending}"
                            " ORDER BY created_ms, from_uid, xid", (pid, kind, value))
        return [_application(r) for r in rows]

    async def im_applications_to(self, pid: int, kind: int, xid: int) -> list[IMApplication]:
        """Every application to ``xid``, oldest first."""
        return await self._call(False, self._op_im_applications, pid, kind, "xid", xid, False)

    async def im_applications_from(self, pid: int, kind: int,
                                   from_uid: int) -> list[IMApplication]:
        """The pending applications of ``from_uid``, oldest first."""
        return await self._call(False, self._op_im_applications, pid, kind, "from_uid",
                                from_uid, True)

    # ------------------------------------------------------------------ invitations

    def _op_im_invite(self, conn: sqlite3.Connection, pid: int, kind: int, xid: int,
                      to_uids: list[int], from_uid: int, extra: str, attrs: str) -> None:
        conn.executemany(
            "INSERT INTO im_invitations (pid, type, xid, to_uid, from_uid, extra, attrs,"
            " created_ms) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (pid, type, xid, to_uid) DO"
            " UPDATE SET from_uid=excluded.from_uid, extra=excluded.extra,"
            " attrs=excluded.attrs, created_ms=excluded.created_ms",
            [(pid, kind, xid, to, from_uid, extra, attrs, self._now()) for to in to_uids])

    async def im_invite(self, pid: int, kind: int, xid: int, to_uids: list[int],
                        from_uid: int, extra: str, attrs: str) -> None:
        """Pending invitations of ``to_uids`` into ``xid`` by ``from_uid``."""
        await self._call(True, self._op_im_invite, pid, kind, xid, to_uids, from_uid, extra,
                         attrs)

    @staticmethod
    def _op_im_invitations(conn: sqlite3.Connection, pid: int, kind: int, to_uid: int,
                           xid: int | None) -> list[IMInvitation]:
        one = "" if xid is None else " AND xid=?"
        args = (pid, kind, to_uid) if xid is None else (pid, kind, to_uid, xid)
        rows = conn.execute(f"{_INVITATION} WHERE pid=? AND type=? AND to_uid=?{one}"
                            " ORDER BY created_ms, xid", args)
        return [_invitation(r) for r in rows]

    async def im_invitations_to(self, pid: int, kind: int, to_uid: int,
                                xid: int | None = None) -> list[IMInvitation]:
        """The pending invitations of ``to_uid`` (into ``xid`` only, when given)."""
        return await self._call(False, self._op_im_invitations, pid, kind, to_uid, xid)

    @staticmethod
    def _op_im_drop_invitation(conn: sqlite3.Connection, pid: int, kind: int, xid: int,
                               to_uid: int) -> None:
        conn.execute("DELETE FROM im_invitations WHERE pid=? AND type=? AND xid=? AND"
                     " to_uid=?", (pid, kind, xid, to_uid))

    async def im_drop_invitation(self, pid: int, kind: int, xid: int, to_uid: int) -> None:
        await self._call(True, self._op_im_drop_invitation, pid, kind, xid, to_uid)

    # ------------------------------------------------------------------ managers and owners

    async def im_managers(self, pid: int, kind: int, xid: int) -> list[int]:
        """The managers of group/room ``xid``, ascending."""
        return await self._call(False, self._op_column,
                                "SELECT uid FROM im_managers WHERE pid=? AND type=? AND xid=?"
                                " ORDER BY uid", (pid, kind, xid))

    @staticmethod
    def _op_im_managers(conn: sqlite3.Connection, pid: int, kind: int, xid: int,
                        uids: list[int], add: bool) -> None:
        sql = ("INSERT OR IGNORE INTO im_managers (pid, type, xid, uid) VALUES (?,?,?,?)" if add
               else "DELETE FROM im_managers WHERE pid=? AND type=? AND xid=? AND uid=?")
        conn.executemany(sql, [(pid, kind, xid, uid) for uid in uids])

    async def im_add_managers(self, pid: int, kind: int, xid: int, uids: list[int]) -> None:
        await self._call(True, self._op_im_managers, pid, kind, xid, uids, True)

    async def im_remove_managers(self, pid: int, kind: int, xid: int,
                                 uids: list[int]) -> None:
        await self._call(True, self._op_im_managers, pid, kind, xid, uids, False)

    async def im_room_owner(self, pid: int, rid: int) -> int | None:
        """The owner of IM room ``rid`` (None: the room has no IM record)."""
        owners = await self._call(False, self._op_column,
                                  "SELECT owner FROM im_rooms WHERE pid=? AND rid=?", (pid, rid))
        return owners[0] if owners else None

    def _op_im_set_owner(self, conn: sqlite3.Connection, pid: int, table: str, column: str,
                         xid: int, owner: int) -> None:
        conn.execute(
            f"INSERT INTO {table} (pid, {column}, owner, created_ms) VALUES (?,?,?,?)"
            f" ON CONFLICT (pid, {column}) DO UPDATE SET owner=excluded.owner",
            (pid, xid, owner, self._now()))
        conn.execute("DELETE FROM im_managers WHERE pid=? AND type=? AND xid=? AND uid=?",
                     (pid, 1 if table == "im_groups" else 2, xid, owner))

    async def im_set_group_owner(self, pid: int, gid: int, owner: int) -> None:
        """``owner`` owns IM group ``gid`` (no longer one of its managers)."""
        await self._call(True, self._op_im_set_owner, pid, "im_groups", "gid", gid, owner)

    async def im_set_room_owner(self, pid: int, rid: int, owner: int) -> None:
        """``owner`` owns IM room ``rid`` (created when missing)."""
        await self._call(True, self._op_im_set_owner, pid, "im_rooms", "rid", rid, owner)

    @staticmethod
    def _op_im_drop_room(conn: sqlite3.Connection, pid: int, rid: int) -> None:
        conn.execute("DELETE FROM im_rooms WHERE pid=? AND rid=?", (pid, rid))
        drop_im_client_rows(conn, pid, 2, rid)

    async def im_drop_room(self, pid: int, rid: int) -> None:
        """Forget IM room ``rid``: owner, managers, applications, invitations."""
        await self._call(True, self._op_im_drop_room, pid, rid)

    # ------------------------------------------------------------------ friend aliases

    @staticmethod
    def _op_im_set_alias(conn: sqlite3.Connection, pid: int, uid: int, fuid: int,
                         alias: str) -> None:
        conn.execute("INSERT INTO im_friend_aliases (pid, uid, fuid, alias) VALUES (?,?,?,?)"
                     " ON CONFLICT (pid, uid, fuid) DO UPDATE SET alias=excluded.alias",
                     (pid, uid, fuid, alias))

    async def im_set_friend_alias(self, pid: int, uid: int, fuid: int, alias: str) -> None:
        await self._call(True, self._op_im_set_alias, pid, uid, fuid, alias)

    @staticmethod
    def _op_im_alias(conn: sqlite3.Connection, pid: int, uid: int, fuid: int) -> str:
        row = conn.execute("SELECT alias FROM im_friend_aliases WHERE pid=? AND uid=? AND"
                           " fuid=?", (pid, uid, fuid)).fetchone()
        return "" if row is None else str(row[0])

    async def im_friend_alias(self, pid: int, uid: int, fuid: int) -> str:
        """``uid``'s alias for ``fuid`` (``""``: none)."""
        return await self._call(False, self._op_im_alias, pid, uid, fuid)

    # ------------------------------------------------------------------ read-only listings

    @staticmethod
    def _op_im_client_listing(conn: sqlite3.Connection, pid: int) -> IMClientListing:
        applications = [_application(r) for r in conn.execute(
            f"{_APPLICATION} WHERE pid=? ORDER BY type, xid, created_ms", (pid,))]
        invitations = [_invitation(r) for r in conn.execute(
            f"{_INVITATION} WHERE pid=? ORDER BY type, xid, created_ms", (pid,))]
        managers = [(int(k), int(x), int(u)) for k, x, u in conn.execute(
            "SELECT type, xid, uid FROM im_managers WHERE pid=? ORDER BY type, xid, uid",
            (pid,))]
        rooms = [(int(r), int(o)) for r, o in conn.execute(
            "SELECT rid, owner FROM im_rooms WHERE pid=? ORDER BY rid", (pid,))]
        return IMClientListing(applications, invitations, managers, rooms)

    async def im_client_listing(self, pid: int) -> IMClientListing:
        """What the client side of the IM library keeps for the project (read-only, for the
        console)."""
        return await self._call(False, self._op_im_client_listing, pid)


@dataclass(frozen=True, slots=True)
class IMClientListing:
    """Every application and pending invitation, the managers (type, xid, uid) and the IM
    rooms with their owner (rid, owner). Types: 0 user, 1 group, 2 room."""

    applications: list[IMApplication]
    invitations: list[IMInvitation]
    managers: list[tuple[int, int, int]]
    rooms: list[tuple[int, int]]
