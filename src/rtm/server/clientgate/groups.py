"""Groups (spec §3.6): the server API's groups, as the caller.

Permission (decision, spec §3.6): members, the member count, the private info and every change
need the caller to be a member (200041 otherwise); the open info is readable by anyone. A group
without members yet may be founded by anyone: ``addgroupmembers`` then adds the caller too.
"""

from __future__ import annotations

from rtm.enduser.commands import groups as cmd
from rtm.server import codes
from rtm.server.clientgate.base import ClientArea, User
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer
from rtm.server.handlers.users import open_infos_answer


class GroupsArea(ClientArea):
    COMMANDS = cmd.COMMANDS

    async def _member(self, user: User, gid: int) -> None:
        if not await self.store.is_group_member(user.pid, gid, user.uid):
            raise codes.rtm_error(codes.NOT_GROUP_MEMBER,
                                  f"uid {user.uid} is not a member of group {gid}")

    async def addgroupmembers(self, user: User, a: Args) -> Answer:
        gid, uids = a["gid"], a["uids"]
        if await self.store.group_count(user.pid, gid) == 0:
            uids = [user.uid, *uids]  # founding the group: the founder is its first member
        else:
            await self._member(user, gid)
        await self.store.add_group_members(user.pid, gid, uids)
        return {}

    async def delgroupmembers(self, user: User, a: Args) -> Answer:
        await self._member(user, a["gid"])
        await self.store.del_group_members(user.pid, a["gid"], a["uids"])
        return {}

    async def getgroupmembers(self, user: User, a: Args) -> Answer:
        await self._member(user, a["gid"])
        uids = await self.store.get_group_members(user.pid, a["gid"])
        if not a["online"]:
            return {"uids": uids}
        return {"uids": uids, "onlines": self.hub.online_subset(user.pid, uids)}

    async def getgroupcount(self, user: User, a: Args) -> Answer:
        await self._member(user, a["gid"])
        if not a["online"]:
            return {"cn": await self.store.group_count(user.pid, a["gid"])}
        uids = await self.store.get_group_members(user.pid, a["gid"])
        return {"cn": len(uids), "online": len(self.hub.online_subset(user.pid, uids))}

    async def getusergroups(self, user: User, a: Args) -> Answer:
        return {"gids": await self.store.user_groups(user.pid, user.uid)}

    async def setgroupinfo(self, user: User, a: Args) -> Answer:
        await self._member(user, a["gid"])
        await self.store.set_group_info(user.pid, a["gid"], a["oinfo"], a["pinfo"])
        return {}

    async def getgroupinfo(self, user: User, a: Args) -> Answer:
        await self._member(user, a["gid"])
        oinfo, pinfo = await self.store.get_group_info(user.pid, a["gid"])
        return {"oinfo": oinfo, "pinfo": pinfo}

    async def getgroupopeninfo(self, user: User, a: Args) -> Answer:
        oinfo, _ = await self.store.get_group_info(user.pid, a["gid"])
        return {"oinfo": oinfo}

    async def getgroupsopeninfo(self, user: User, a: Args) -> Answer:
        return open_infos_answer(await self.store.group_public_infos(user.pid, a["gids"]))
