"""Devices (offline-push registrations)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from rtm.server.store.common import (
    Device,
)
from rtm.server.store.engine import StoreBase


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
