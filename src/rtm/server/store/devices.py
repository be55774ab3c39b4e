"""Devices (offline-push registrations) and their push options (do not disturb)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from rtm.server.store.common import (
    Device,
    _unique,
)
from rtm.server.store.engine import StoreBase

#: ``push_options.mtype`` of an entry that covers every mtype (outside the int8 range).
_ALL_MTYPES: Final = 256
#: Option types (wire ``type`` of ``addoption``): messages from a peer, messages in a group.
PUSH_OPTION_P2P: Final = 0
PUSH_OPTION_GROUP: Final = 1


@dataclass(frozen=True, slots=True)
class DeviceRow:
    """A device registration with the time it was last added (ms)."""

    uid: int
    apptype: str
    devicetoken: str
    updated_ms: int


class DevicesRepo(StoreBase):
    def _op_add_device(self, conn: sqlite3.Connection, pid: int, uid: int, apptype: str,
                       devicetoken: str) -> None:
        conn.execute(
            "INSERT INTO devices (pid, uid, devicetoken, apptype, updated_ms) VALUES (?,?,?,?,?)"
            " ON CONFLICT (pid, uid, devicetoken) DO UPDATE SET apptype=excluded.apptype,"
            " updated_ms=excluded.updated_ms",
            (pid, uid, devicetoken, apptype, self._now()),
        )

    async def add_device(self, pid: int, uid: int, apptype: str, devicetoken: str) -> None:
        """Upsert (uid, devicetoken) -> apptype."""
        await self._call(True, self._op_add_device, pid, uid, apptype, devicetoken)

    @staticmethod
    def _op_remove_device(conn: sqlite3.Connection, pid: int, uid: int,
                          devicetoken: str) -> None:
        conn.execute("DELETE FROM devices WHERE pid=? AND uid=? AND devicetoken=?",
                     (pid, uid, devicetoken))

    async def remove_device(self, pid: int, uid: int, devicetoken: str) -> None:
        await self._call(True, self._op_remove_device, pid, uid, devicetoken)

    @staticmethod
    def _op_list_devices(conn: sqlite3.Connection, pid: int, uid: int) -> list[Device]:
        return [
            Device(int(r[0]), r[1], r[2])
            for r in conn.execute(
                "SELECT uid, apptype, devicetoken FROM devices WHERE pid=? AND uid=?"
                " ORDER BY devicetoken",
                (pid, uid),
            )
        ]

    async def list_devices(self, pid: int, uid: int) -> list[Device]:
        """Devices of ``uid`` ordered by device token."""
        return await self._call(False, self._op_list_devices, pid, uid)

    def _op_add_push_option(self, conn: sqlite3.Connection, pid: int, uid: int, kind: int,
                            xid: int, mtypes: list[int]) -> None:
        entry = (pid, uid, kind, xid)
        where = "pid=? AND uid=? AND type=? AND xid=?"
        if self._exists(conn, f"SELECT 1 FROM push_options WHERE {where} AND mtype=?",
                        *entry, _ALL_MTYPES):
            return  # "all" absorbs any list
        if not mtypes:
            conn.execute(f"DELETE FROM push_options WHERE {where}", entry)
            mtypes = [_ALL_MTYPES]
        conn.executemany(
            "INSERT OR IGNORE INTO push_options (pid, uid, type, xid, mtype) VALUES (?,?,?,?,?)",
            [(*entry, mtype) for mtype in mtypes],
        )

    async def add_push_option(self, pid: int, uid: int, kind: int, xid: int,
                              mtypes: Iterable[int] | None) -> None:
        """``addoption``: no offline push to ``uid`` for messages from peer ``xid`` (``kind``
        0) or in group ``xid`` (``kind`` 1) of these mtypes; empty/None = every mtype. The
        stored set is the union; "every mtype" absorbs any list."""
        await self._call(True, self._op_add_push_option, pid, uid, kind, xid,
                         _unique(mtypes))

    def _op_remove_push_option(self, conn: sqlite3.Connection, pid: int, uid: int, kind: int,
                               xid: int, mtypes: list[int]) -> None:
        entry = (pid, uid, kind, xid)
        where = "pid=? AND uid=? AND type=? AND xid=?"
        if not mtypes:
            conn.execute(f"DELETE FROM push_options WHERE {where}", entry)
            return
        # Removing single mtypes from an "every mtype" entry is a no-op: the row stays.
        conn.executemany(f"DELETE FROM push_options WHERE {where} AND mtype=?",
                         [(*entry, mtype) for mtype in mtypes])

    async def remove_push_option(self, pid: int, uid: int, kind: int, xid: int,
                                 mtypes: Iterable[int] | None) -> None:
        """``removeoption``: empty/None removes the whole (kind, xid) entry, otherwise only
        these mtypes (an entry left empty disappears)."""
        await self._call(True, self._op_remove_push_option, pid, uid, kind, xid,
                         _unique(mtypes))

    @staticmethod
    def _op_push_options(conn: sqlite3.Connection, pid: int,
                         uid: int) -> dict[int, dict[int, list[int]]]:
        options: dict[int, dict[int, list[int]]] = {PUSH_OPTION_P2P: {}, PUSH_OPTION_GROUP: {}}
        for kind, xid, mtype in conn.execute(
            "SELECT type, xid, mtype FROM push_options WHERE pid=? AND uid=?"
            " ORDER BY type, xid, mtype", (pid, uid),
        ):
            mtypes = options.setdefault(int(kind), {}).setdefault(int(xid), [])
            if mtype != _ALL_MTYPES:
                mtypes.append(int(mtype))
        return options

    async def push_options(self, pid: int, uid: int) -> dict[int, dict[int, list[int]]]:
        """kind (0 P2P, 1 group) -> xid -> sorted mtypes (``[]`` = every mtype)."""
        return await self._call(False, self._op_push_options, pid, uid)
    # ------------------------------------------------------------------ read-only listings

    @staticmethod
    def _op_list_project_devices(conn: sqlite3.Connection, pid: int, limit: int,
                                 offset: int) -> list[DeviceRow]:
        return [
            DeviceRow(int(r[0]), r[1], r[2], int(r[3]))
            for r in conn.execute(
                "SELECT uid, apptype, devicetoken, updated_ms FROM devices WHERE pid=?"
                " ORDER BY uid, devicetoken LIMIT ? OFFSET ?",
                (pid, limit, offset),
            )
        ]

    async def list_project_devices(self, pid: int, *, limit: int = 100,
                                   offset: int = 0) -> list[DeviceRow]:
        """Every device registration of the project, by uid then device token."""
        return await self._call(False, self._op_list_project_devices, pid, limit, offset)
