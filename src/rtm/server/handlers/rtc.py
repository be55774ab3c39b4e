"""RTC rooms (spec §4.15, §11.8): rooms as state without media.

Check order: parameter presence and types, ids and lists (200001/200033/200032), the RTC
service switch (200060), then the values and the room state (200034, 200021, 200055).
"""

from __future__ import annotations

from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.core import Answer
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import Params, check_id, check_ids, check_list

#: emulator choice (E): the sources give no limit for the uid lists of the RTC commands
RTC_UIDS_MAX = 100
ROOM_TYPES = (1, 2)  # voice, video
ADMIN_COMMANDS = range(8)


class RTCHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "inviteUserIntoRTCRoom",
        "closeRTCRoom",
        "kickoutFromRTCRoom",
        "getRTCRoomList",
        "getRTCRoomMembers",
        "getRTCRoomMemberCount",
        "setRTCRoomMicStatus",
        "pullIntoRTCRoom",
        "adminCommand",
    )

    def _rtc_enabled(self, pid: int) -> None:
        if not self.core.services.get(pid).enabled("rtc"):
            raise codes.rtm_error(codes.NO_CONFIG_IN_CONSOLE,
                                  f"RTC is switched off for project {pid}")

    def _rtc_rid_and_uids(self, p: Params, key: str) -> tuple[int, list[int]]:
        rid, uids = p.int_("rid"), p.ints(key)
        check_id("rid", rid)
        check_ids(key, uids)
        check_list(key, uids, RTC_UIDS_MAX)
        return rid, uids

    async def inviteUserIntoRTCRoom(self, conn: ServerConnection, p: Params,
                                    pid: int) -> Answer:
        rid, uids = self._rtc_rid_and_uids(p, "toUids")
        from_uid = p.id_("fromUid")
        self._rtc_enabled(pid)
        await self.store.rtc_invite(pid, rid, from_uid, uids)
        return {}

    async def closeRTCRoom(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid = p.id_("rid")
        self._rtc_enabled(pid)
        await self.store.rtc_close(pid, rid)
        return {}

    async def kickoutFromRTCRoom(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uid = p.id_("rid"), p.id_("uid")
        p.int_("fromUid")  # who kicks: required, not checked (spec §4.15)
        self._rtc_enabled(pid)
        await self.store.rtc_kickout(pid, rid, uid)
        return {}

    async def getRTCRoomList(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        self._rtc_enabled(pid)
        return {"rids": await self.store.rtc_rooms(pid)}

    async def getRTCRoomMembers(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid = p.id_("rid")
        self._rtc_enabled(pid)
        room = await self.store.rtc_room(pid, rid)
        if room is None:
            return {"uids": [], "administrators": [], "managers": [], "owner": 0}
        # GO reads "administrators", PY and JAVA "managers" (spec §12 #2): send both
        return {"uids": room.members, "administrators": room.administrators,
                "managers": room.administrators, "owner": room.owner}

    async def getRTCRoomMemberCount(self, conn: ServerConnection, p: Params,
                                    pid: int) -> Answer:
        rid = p.id_("rid")
        self._rtc_enabled(pid)
        return {"count": await self.store.rtc_member_count(pid, rid)}

    async def setRTCRoomMicStatus(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, status = p.id_("rid"), p.bool_("status")
        self._rtc_enabled(pid)
        await self.store.rtc_set_mic(pid, rid, status)
        return {}

    async def pullIntoRTCRoom(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uids = self._rtc_rid_and_uids(p, "toUids")
        room_type = p.int_("type", "i32")
        # GO always sends these two, PY never; nothing documents them: stored, no effect
        voice_range = p.opt_int("voiceRange", 0, "i32")
        max_streams = p.opt_int("maxReceiveStreams", 0, "i32")
        config = self.core.services.get(pid)
        self._rtc_enabled(pid)
        if room_type not in ROOM_TYPES:
            raise codes.rtm_error(codes.INVALID_PARAMETER,
                                  f"invalid type {room_type}: 1 (voice) or 2 (video)")
        if config.rtc_require_online:
            offline = [u for u in uids if not self.hub.is_online(pid, u)]
            if offline:
                raise codes.rtm_error(codes.NOT_ONLINE, f"uid {offline[0]} is not online")
        await self.store.rtc_pull(pid, rid, uids, room_type, voice_range, max_streams)
        return {}

    async def adminCommand(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uids = self._rtc_rid_and_uids(p, "uids")
        command = p.int_("command", "i32")
        self._rtc_enabled(pid)
        if command not in ADMIN_COMMANDS:
            raise codes.rtm_error(codes.INVALID_PARAMETER,
                                  f"invalid command {command}: expected 0..7")
        await self.store.rtc_admin_command(pid, rid, uids, command)
        return {}
