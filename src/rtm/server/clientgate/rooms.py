"""Rooms (spec §3.7)."""

from __future__ import annotations

from rtm.enduser.commands import rooms as cmd
from rtm.server.clientgate.base import ClientArea, User
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer


class RoomsArea(ClientArea):
    COMMANDS = cmd.COMMANDS

    async def enterroom(self, user: User, a: Args) -> Answer:
        await self.store.add_room_member(user.pid, a["rid"], user.uid)
        return {}

    async def leaveroom(self, user: User, a: Args) -> Answer:
        await self.store.del_room_member(user.pid, a["rid"], user.uid)
        return {}

    async def getuserrooms(self, user: User, a: Args) -> Answer:
        return {"rooms": await self.store.user_rooms(user.pid, user.uid)}
