"""Rooms (spec §3.7): the server API's rooms, as the caller.

Permission (decision, as for groups): the members and the private info, and changing the
infos, need the caller to be in the room (200040 otherwise); counts and open infos are readable
by anyone.
"""

from __future__ import annotations

from typing import Any

from rtm.enduser.commands import rooms as cmd
from rtm.server import codes
from rtm.server.clientgate.base import ClientArea, User
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer
from rtm.server.handlers.history import history_answer
from rtm.server.handlers.rooms import room_count_answer
from rtm.server.handlers.users import open_infos_answer
from rtm.server.store import Kind, StoreError


class RoomsArea(ClientArea):
    COMMANDS = cmd.COMMANDS

    async def _in_room(self, user: User, rid: int) -> None:
        if not await self.store.is_in_room(user.pid, rid, user.uid):
            raise codes.rtm_error(codes.NOT_IN_ROOM, f"uid {user.uid} is not in room {rid}")

    async def enterroom(self, user: User, a: Args) -> Answer:
        await self.store.add_room_member(user.pid, a["rid"], user.uid)
        return {}

    async def enterrooms(self, user: User, a: Args) -> Answer:
        # (decision) each room on its own: one refused (the room limit) does not undo the rest.
        entered: list[int] = []
        failed: list[int] = []
        for rid in dict.fromkeys(a["rids"]):
            try:
                await self.store.add_room_member(user.pid, rid, user.uid)
            except StoreError:
                failed.append(rid)
            else:
                entered.append(rid)
        return {"successedRids": entered, "failedRids": failed}

    async def leaveroom(self, user: User, a: Args) -> Answer:
        await self.store.del_room_member(user.pid, a["rid"], user.uid)
        return {}

    async def getuserrooms(self, user: User, a: Args) -> Answer:
        return {"rooms": await self.store.user_rooms(user.pid, user.uid)}

    async def getroommembers(self, user: User, a: Args) -> Answer:
        await self._in_room(user, a["rid"])
        return {"uids": await self.store.room_members(user.pid, a["rid"])}

    async def getroomcount(self, user: User, a: Args) -> Answer:
        return room_count_answer(await self.store.room_counts(user.pid, a["rids"]))

    async def setroominfo(self, user: User, a: Args) -> Answer:
        await self._in_room(user, a["rid"])
        await self.store.set_room_info(user.pid, a["rid"], a["oinfo"], a["pinfo"])
        return {}

    async def getroominfo(self, user: User, a: Args) -> Answer:
        await self._in_room(user, a["rid"])
        oinfo, pinfo = await self.store.get_room_info(user.pid, a["rid"])
        return {"oinfo": oinfo, "pinfo": pinfo}

    async def getroomopeninfo(self, user: User, a: Args) -> Answer:
        oinfo, _ = await self.store.get_room_info(user.pid, a["rid"])
        return {"oinfo": oinfo}

    async def getroomsopeninfo(self, user: User, a: Args) -> Answer:
        return open_infos_answer(await self.store.room_public_infos(user.pid, a["rids"]))

    async def getuserroomsandlastmsg(self, user: User, a: Args) -> Answer:
        """The caller's rooms with their newest message (of ``mtypes`` when given) as a
        history row; (decision) a room without such a message is left out."""
        mtypes = a["mtypes"] or None
        for mtype in mtypes or ():
            if not -128 <= mtype <= 127:
                raise codes.rtm_error(codes.TYPE_CONVERT,
                                      f"key 'mtypes' expects arr<i8>, got {mtype}")
        rooms: dict[str, Any] = {}
        for rid in await self.store.user_rooms(user.pid, user.uid):
            page = await self.store.history(user.pid, Kind.ROOM, rid, desc=True, num=1,
                                            mtypes=mtypes)
            rows = history_answer(page, None, self.config.blank_deleted)["msgs"]
            if rows:
                rooms[str(rid)] = rows[0]
        return {"rooms": rooms}
