"""Groups (spec current §4.7): members, bans (also on every group), infos, counts."""

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
        "getgroupcount",
        "setgroupinfo",
        "getgroupinfo",
        "clearprojectgroup",
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
        gid, uid = self._xid_or_all(p, "gid"), p.id_("uid")
        await self.store.add_group_ban(pid, gid, uid, p.int_("btime", "i32"))
        return {}

    async def removegroupban(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        gid, uid = self._xid_or_all(p, "gid"), p.id_("uid")
        await self.store.remove_group_ban(pid, gid, uid)
        return {}

    async def isbanofgroup(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        gid, uid = self._xid_uid(p, "gid")
        return {"ok": await self.store.is_banned_in_group(pid, gid, uid)}

    async def getgroupcount(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        return {"cn": await self.store.group_count(pid, p.id_("gid"))}

    async def setgroupinfo(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        gid = p.id_("gid")
        oinfo, pinfo = self._infos(p)
        await self.store.set_group_info(pid, gid, oinfo, pinfo)
        return {}

    async def getgroupinfo(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        oinfo, pinfo = await self.store.get_group_info(pid, p.id_("gid"))
        return {"oinfo": oinfo, "pinfo": pinfo}

    async def clearprojectgroup(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        await self.store.clear_project_group(pid)
        return {}
