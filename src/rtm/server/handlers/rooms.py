"""Rooms (spec §4.8)."""

from __future__ import annotations

from rtm.fpnn.server import ServerConnection
from rtm.server.core import Answer
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import (
    Params,
)


class RoomsHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "addroommember",
        "delroommember",
        "addroomban",
        "removeroomban",
        "isbanofroom",
    )

    async def addroommember(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uid = self._xid_uid(p, "rid")
        await self.store.add_room_member(pid, rid, uid)
        return {}

    async def delroommember(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uid = self._xid_uid(p, "rid")
        if await self.store.del_room_member(pid, rid, uid):
            self.hub.kick_from_room(pid, rid, uid)
        return {}

    async def addroomban(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uid = self._xid_uid(p, "rid")
        await self.store.add_room_ban(pid, rid, uid, p.int_("btime", "i32"))
        return {}

    async def removeroomban(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uid = self._xid_uid(p, "rid")
        await self.store.remove_room_ban(pid, rid, uid)
        return {}

    async def isbanofroom(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uid = self._xid_uid(p, "rid")
        return {"ok": await self.store.is_banned_in_room(pid, rid, uid)}
