"""Groups (spec §3.6): the server API's groups, as the caller.

Permission (decision, spec §3.6): members, the member count, the private info and every change
need the caller to be a member (200041 otherwise); the open info is readable by anyone. A group
without members yet may be founded by anyone: ``addgroupmembers`` then adds the caller too.

An IM group (``imserver_creategroup``: it has an IM owner) keeps its roles on these plain
commands too, as ``imclient_*`` apply them: only its owner and managers add or remove others
(200021), nobody removes the owner, a manager does not remove another manager, and the owner
does not leave (transfer first).
"""

from __future__ import annotations

from rtm.enduser.commands import groups as cmd
from rtm.server import codes
from rtm.server.clientgate.base import ClientArea, User
from rtm.server.clientgate.imclient import GROUP as IM_GROUP
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer
from rtm.server.handlers.users import open_infos_answer


class GroupsArea(ClientArea):
    COMMANDS = cmd.COMMANDS

    async def _member(self, user: User, gid: int) -> None:
        if not await self.store.is_group_member(user.pid, gid, user.uid):
            raise codes.rtm_error(codes.NOT_GROUP_MEMBER,
                                  f"uid {user.uid} is not a member of group {gid}")

    async def _im_roles(self, user: User, gid: int, uids: list[int], *, adding: bool) -> bool:
        """200021 when the caller's role in IM group ``gid`` does not allow this change (see
        the module's doc); False (nothing checked) for a group that is not an IM group."""
        owner = await self.store.im_group_owner(user.pid, gid)
        if owner is None:
            return False
        if not adding and owner in uids:
            raise codes.rtm_error(codes.PERMISSION_DENIED,
                                  f"the owner of IM group {gid} cannot be removed nor leave")
        others = set(uids) - {user.uid}
        if not others or user.uid == owner:
            return True
        managers = set(await self.store.im_managers(user.pid, IM_GROUP.kind, gid))
        if user.uid not in managers or (not adding and others & managers):
            raise codes.rtm_error(codes.PERMISSION_DENIED,
                                  f"uid {user.uid} may not {'add' if adding else 'remove'} "
                                  f"members of IM group {gid}")
        return True

    async def addgroupmembers(self, user: User, a: Args) -> Answer:
        gid, uids = a["gid"], a["uids"]
        if await self.store.group_count(user.pid, gid) == 0:
            uids = [user.uid, *uids]  # founding the group: the founder is its first member
        else:
            await self._member(user, gid)
            await self._im_roles(user, gid, uids, adding=True)
        await self.store.add_group_members(user.pid, gid, uids)
        return {}

    async def delgroupmembers(self, user: User, a: Args) -> Answer:
        await self._member(user, a["gid"])
        if await self._im_roles(user, a["gid"], a["uids"], adding=False):
            # a manager who leaves is no longer one (nor told of applications)
            await self.store.im_remove_managers(user.pid, IM_GROUP.kind, a["gid"], a["uids"])
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
