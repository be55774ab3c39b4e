"""Groups (spec §4.7)."""

from __future__ import annotations

from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.core import Answer
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import (
    Params,
    check_id,
    check_ids,
    check_list,
)


class GroupsHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "addgroupmembers",
        "delgroupmembers",
        "delgroup",
        "getgroupmembers",
        "isgroupmember",
        "getusergroups",
        "addgroupban",
        "removegroupban",
        "isbanofgroup",
    )

    def _gid_and_uids(self, p: Params) -> tuple[int, list[int]]:
        gid, uids = p.int_("gid"), p.ints("uids")
        check_id("gid", gid)
        check_ids("uids", uids)
        check_list("uids", uids, codes.MAX_LIST_ITEMS)
        return gid, uids

    async def addgroupmembers(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        gid, uids = self._gid_and_uids(p)
        await self.store.add_group_members(pid, gid, uids)
        return {}

    async def delgroupmembers(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        gid, uids = self._gid_and_uids(p)
        await self.store.del_group_members(pid, gid, uids)
        return {}

    async def delgroup(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        await self.store.del_group(pid, p.id_("gid"))
        return {}

    async def getgroupmembers(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        return {"uids": await self.store.get_group_members(pid, p.id_("gid"))}

    async def isgroupmember(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        gid, uid = p.int_("gid"), p.int_("uid")
        check_id("gid", gid)
        check_id("uid", uid)
        return {"ok": await self.store.is_group_member(pid, gid, uid)}

    async def getusergroups(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        return {"gids": await self.store.user_groups(pid, p.id_("uid"))}

    async def addgroupban(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        gid, uid = self._xid_uid(p, "gid")
        await self.store.add_group_ban(pid, gid, uid, p.int_("btime", "i32"))
        return {}

    async def removegroupban(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        gid, uid = self._xid_uid(p, "gid")
        await self.store.remove_group_ban(pid, gid, uid)
        return {}

    async def isbanofgroup(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        gid, uid = self._xid_uid(p, "gid")
        return {"ok": await self.store.is_banned_in_group(pid, gid, uid)}
