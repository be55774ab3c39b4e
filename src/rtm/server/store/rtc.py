"""RTC rooms (current spec §11.8): rooms, members, administrators and the microphone default,
without media; invitations and admin commands 2..7 go to an event log tests can read."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Final

from rtm.server.store.common import StoreError, _unique
from rtm.server.store.engine import StoreBase

INVALID_PARAMETER: Final = 200034  # no such RTC room where one is required
PERMISSION_DENIED: Final = 200021  # the inviter is not in the room

#: Events kept per project (older ones are dropped): the log is for tests, keep it bounded.
MAX_RTC_EVENTS: Final = 10_000

APPOINT_ADMIN: Final = 0
DISMISS_ADMIN: Final = 1


@dataclass(frozen=True, slots=True)
class RTCRoom:
    """The stored state of one RTC room (ascending uid lists)."""

    rid: int
    room_type: int
    owner: int
    members: list[int]
    administrators: list[int]
    mic_default: bool
    voice_range: int
    max_receive_streams: int


@dataclass(frozen=True, slots=True)
class RTCEvent:
    """One logged invitation (``kind`` ``"invite"``: ``from_uid`` invited ``uids``) or admin
    command 2..7 (``kind`` ``"command"``: ``command`` applied to ``uids``)."""

    id: int
    rid: int
    kind: str
    from_uid: int
    command: int
    uids: list[int]
    time_ms: int


class RTCRepo(StoreBase):
    @staticmethod
    def _room_exists(conn: sqlite3.Connection, pid: int, rid: int) -> bool:
        return conn.execute("SELECT 1 FROM rtc_rooms WHERE pid=? AND rid=?",
                            (pid, rid)).fetchone() is not None

    @staticmethod
    def _require_room(conn: sqlite3.Connection, pid: int, rid: int) -> None:
        if not RTCRepo._room_exists(conn, pid, rid):
            raise StoreError(INVALID_PARAMETER, f"no RTC room {rid}")

    def _log_event(self, conn: sqlite3.Connection, pid: int, rid: int, kind: str,
                   from_uid: int, command: int, uids: list[int]) -> None:
        cur = conn.execute(
            "INSERT INTO rtc_events (pid, rid, kind, from_uid, command, uids, time_ms)"
            " VALUES (?,?,?,?,?,?,?)",
            (pid, rid, kind, from_uid, command, json.dumps(uids), self._now()),
        )
        conn.execute("DELETE FROM rtc_events WHERE pid=? AND id<=?",
                     (pid, int(cur.lastrowid or 0) - MAX_RTC_EVENTS))

    def _op_rtc_pull(self, conn: sqlite3.Connection, pid: int, rid: int, uids: list[int],
                     room_type: int, voice_range: int, max_streams: int) -> None:
        if self._room_exists(conn, pid, rid):
            conn.execute(
                "UPDATE rtc_rooms SET voice_range=?, max_receive_streams=?"
                " WHERE pid=? AND rid=?", (voice_range, max_streams, pid, rid))
        else:
            conn.execute(
                "INSERT INTO rtc_rooms (pid, rid, type, owner, voice_range,"
                " max_receive_streams, created_ms) VALUES (?,?,?,?,?,?,?)",
                (pid, rid, room_type, uids[0], voice_range, max_streams, self._now()))
        conn.executemany(
            "INSERT OR IGNORE INTO rtc_members (pid, rid, uid) VALUES (?,?,?)",
            [(pid, rid, uid) for uid in uids])

    async def rtc_pull(self, pid: int, rid: int, uids: list[int], room_type: int,
                       voice_range: int = 0, max_receive_streams: int = 0) -> None:
        """Put ``uids`` in room ``rid``, creating it (type, owner = first uid) if missing;
        ``voice_range``/``max_receive_streams`` are stored (latest pull wins), unused."""
        await self._call(True, self._op_rtc_pull, pid, rid, _unique(uids), room_type,
                         voice_range, max_receive_streams)

    def _op_rtc_invite(self, conn: sqlite3.Connection, pid: int, rid: int, from_uid: int,
                       uids: list[int]) -> None:
        self._require_room(conn, pid, rid)
        if conn.execute("SELECT 1 FROM rtc_members WHERE pid=? AND rid=? AND uid=?",
                        (pid, rid, from_uid)).fetchone() is None:
            raise StoreError(PERMISSION_DENIED, f"uid {from_uid} is not in RTC room {rid}")
        self._log_event(conn, pid, rid, "invite", from_uid, 0, uids)

    async def rtc_invite(self, pid: int, rid: int, from_uid: int, uids: list[int]) -> None:
        """Log an invitation: 200034 unknown room, 200021 ``from_uid`` not in it."""
        await self._call(True, self._op_rtc_invite, pid, rid, from_uid, _unique(uids))

    @staticmethod
    def _op_rtc_close(conn: sqlite3.Connection, pid: int, rid: int) -> None:
        conn.execute("DELETE FROM rtc_members WHERE pid=? AND rid=?", (pid, rid))
        conn.execute("DELETE FROM rtc_rooms WHERE pid=? AND rid=?", (pid, rid))

    async def rtc_close(self, pid: int, rid: int) -> None:
        """Destroy the room (an unknown room is no error); its logged events stay."""
        await self._call(True, self._op_rtc_close, pid, rid)

    async def rtc_kickout(self, pid: int, rid: int, uid: int) -> None:
        """Remove ``uid`` from members and administrators (the owner field is unchanged)."""
        await self._call(True, self._op_execute,
                         "DELETE FROM rtc_members WHERE pid=? AND rid=? AND uid=?",
                         (pid, rid, uid))

    @staticmethod
    def _op_execute(conn: sqlite3.Connection, sql: str, params: tuple[int, ...]) -> None:
        conn.execute(sql, params)

    async def rtc_rooms(self, pid: int) -> list[int]:
        """The project's RTC room ids, ascending."""
        return await self._call(False, self._op_column,
                                "SELECT rid FROM rtc_rooms WHERE pid=? ORDER BY rid", (pid,))

    @staticmethod
    def _op_rtc_room(conn: sqlite3.Connection, pid: int, rid: int) -> RTCRoom | None:
        row = conn.execute(
            "SELECT type, owner, mic_default, voice_range, max_receive_streams FROM rtc_rooms"
            " WHERE pid=? AND rid=?", (pid, rid)).fetchone()
        if row is None:
            return None
        members, admins = [], []
        for uid, admin in conn.execute(
                "SELECT uid, admin FROM rtc_members WHERE pid=? AND rid=? ORDER BY uid",
                (pid, rid)):
            members.append(int(uid))
            if admin:
                admins.append(int(uid))
        return RTCRoom(rid, int(row[0]), int(row[1]), members, admins, bool(row[2]),
                       int(row[3]), int(row[4]))

    async def rtc_room(self, pid: int, rid: int) -> RTCRoom | None:
        """The room's state, or None when there is no such room."""
        return await self._call(False, self._op_rtc_room, pid, rid)

    @staticmethod
    def _op_rtc_member_count(conn: sqlite3.Connection, pid: int, rid: int) -> int:
        return int(conn.execute("SELECT count(*) FROM rtc_members WHERE pid=? AND rid=?",
                                (pid, rid)).fetchone()[0])

    async def rtc_member_count(self, pid: int, rid: int) -> int:
        """Members of the room (0 for an unknown room)."""
        return await self._call(False, self._op_rtc_member_count, pid, rid)

    def _op_rtc_set_mic(self, conn: sqlite3.Connection, pid: int, rid: int,
                        status: bool) -> None:
        cur = conn.execute("UPDATE rtc_rooms SET mic_default=? WHERE pid=? AND rid=?",
                           (int(status), pid, rid))
        if cur.rowcount == 0:
            raise StoreError(INVALID_PARAMETER, f"no RTC room {rid}")

    async def rtc_set_mic(self, pid: int, rid: int, status: bool) -> None:
        """The microphone default for newcomers; 200034 for an unknown room."""
        await self._call(True, self._op_rtc_set_mic, pid, rid, status)

    def _op_rtc_admin_command(self, conn: sqlite3.Connection, pid: int, rid: int,
                              uids: list[int], command: int) -> None:
        self._require_room(conn, pid, rid)
        if command in (APPOINT_ADMIN, DISMISS_ADMIN):
            # uids that are not members are ignored
            conn.executemany(
                "UPDATE rtc_members SET admin=? WHERE pid=? AND rid=? AND uid=?",
                [(int(command == APPOINT_ADMIN), pid, rid, uid) for uid in uids])
        else:
            self._log_event(conn, pid, rid, "command", 0, command, uids)

    async def rtc_admin_command(self, pid: int, rid: int, uids: list[int],
                                command: int) -> None:
        """0/1 appoint/dismiss administrators among the members; 2..7 are logged.
        200034 for an unknown room."""
        await self._call(True, self._op_rtc_admin_command, pid, rid, _unique(uids), command)

    @staticmethod
    def _op_rtc_events(conn: sqlite3.Connection, pid: int) -> list[RTCEvent]:
        return [
            RTCEvent(int(r[0]), int(r[1]), str(r[2]), int(r[3]), int(r[4]),
                     [int(u) for u in json.loads(r[5])], int(r[6]))
            for r in conn.execute(
                "SELECT id, rid, kind, from_uid, command, uids, time_ms FROM rtc_events"
                " WHERE pid=? ORDER BY id", (pid,))
        ]

    async def rtc_events(self, pid: int) -> list[RTCEvent]:
        """The project's logged invitations and admin commands, oldest first."""
        return await self._call(False, self._op_rtc_events, pid)
