"""Blacklist: user-level blocks (spec current §4.6; enforcement §11.5 lives in the send path)."""

from __future__ import annotations

from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.core import Answer
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import (
    Params,
    check_id,
)


class BlacklistHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "addblacks",
        "delblacks",
        "getblacks",
        "isblack",
        "isblacks",
    )

    async def addblacks(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, blacks = self._uid_and_list(p, "blacks", codes.MAX_LIST_ITEMS)
        await self.store.add_blocks(pid, uid, blacks)
        return {}

    async def delblacks(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, blacks = self._uid_and_list(p, "blacks", codes.MAX_LIST_ITEMS)
        await self.store.del_blocks(pid, uid, blacks)
        return {}

    async def getblacks(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        return {"uids": await self.store.get_blocks(pid, p.id_("uid"))}

    async def isblack(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, buid = p.int_("uid"), p.int_("buid")
        check_id("uid", uid)
        check_id("buid", buid)
        return {"ok": await self.store.is_blocked_by(pid, uid, buid)}

    async def isblacks(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, buids = self._uid_and_list(p, "buids", codes.MAX_LIST_ITEMS)
        return {"buids": await self.store.blockers_among(pid, uid, buids)}
