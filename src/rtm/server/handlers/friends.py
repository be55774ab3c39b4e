"""Friends (spec §4.5)."""

from __future__ import annotations

from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.core import Answer
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import (
    Params,
    check_id,
)


class FriendsHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "addfriends",
        "delfriends",
        "getfriends",
        "isfriend",
        "isfriends",
    )

    async def addfriends(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, friends = self._uid_and_list(p, "friends", codes.MAX_LIST_ITEMS)
        await self.store.add_friends(pid, uid, friends)
        return {}

    async def delfriends(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, friends = self._uid_and_list(p, "friends", codes.MAX_LIST_ITEMS)
        await self.store.del_friends(pid, uid, friends)
        return {}

    async def getfriends(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid = p.id_("uid")
        return {"uids": await self.store.get_friends(pid, uid)}

    async def isfriend(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, fuid = p.int_("uid"), p.int_("fuid")
        check_id("uid", uid)
        check_id("fuid", fuid)
        return {"ok": await self.store.is_friend(pid, uid, fuid)}

    async def isfriends(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, fuids = self._uid_and_list(p, "fuids", codes.MAX_LIST_ITEMS)
        return {"fuids": await self.store.is_friends(pid, uid, fuids)}
