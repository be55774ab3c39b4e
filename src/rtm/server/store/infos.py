"""Public and private infos of users, groups and rooms (spec current §4.7, §4.8, §4.9).

One table for the three kinds; each area's repository exposes typed methods built on the
operations here. A value never set reads as ``""``; a row exists once either value was set.
"""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import Sequence

from rtm.server.store.common import _chunks
from rtm.server.store.engine import StoreBase


class InfoKind(enum.IntEnum):
    """Owner kind of an info row (the ``kind`` column)."""

    USER = 1
    GROUP = 2
    ROOM = 3


class InfosRepo(StoreBase):
    @staticmethod
    def _op_set_info(conn: sqlite3.Connection, pid: int, kind: InfoKind, xid: int,
                     oinfo: str | None, pinfo: str | None) -> None:
        """Set the given values; ``None`` leaves that value as it is (absent key)."""
        if oinfo is None and pinfo is None:
            return
        conn.execute(
            "INSERT INTO infos (pid, kind, xid, oinfo, pinfo) VALUES (?,?,?,?,?)"
            " ON CONFLICT (pid, kind, xid) DO UPDATE SET"
            " oinfo=coalesce(excluded.oinfo, oinfo), pinfo=coalesce(excluded.pinfo, pinfo)",
            (pid, int(kind), xid, oinfo, pinfo),
        )

    @staticmethod
    def _op_get_info(conn: sqlite3.Connection, pid: int, kind: InfoKind,
                     xid: int) -> tuple[str, str]:
        row = conn.execute(
            "SELECT oinfo, pinfo FROM infos WHERE pid=? AND kind=? AND xid=?",
            (pid, int(kind), xid),
        ).fetchone()
        if row is None:
            return "", ""
        return row[0] or "", row[1] or ""

    @classmethod
    def _op_public_infos(cls, conn: sqlite3.Connection, pid: int, kind: InfoKind,
                         xids: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for chunk in _chunks(xids):
            marks = ",".join("?" * len(chunk))
            for xid, oinfo in conn.execute(
                f"SELECT xid, oinfo FROM infos WHERE pid=? AND kind=? AND xid IN ({marks})",
                (pid, int(kind), *chunk),
            ):
                found[int(xid)] = oinfo or ""
        return {xid: found[xid] for xid in xids if xid in found}

    @staticmethod
    def _op_drop_infos(conn: sqlite3.Connection, pid: int, kind: InfoKind,
                       xid: int | None = None) -> None:
        """Forget the infos of ``xid``, or of every object of ``kind`` when ``xid`` is None."""
        if xid is None:
            conn.execute("DELETE FROM infos WHERE pid=? AND kind=?", (pid, int(kind)))
        else:
            conn.execute("DELETE FROM infos WHERE pid=? AND kind=? AND xid=?",
                         (pid, int(kind), xid))
