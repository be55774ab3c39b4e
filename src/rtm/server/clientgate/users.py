"""Users (spec §3.8): presence, the caller's infos, others' open infos, the server's clock."""

from __future__ import annotations

from rtm.enduser.commands import users as cmd
from rtm.server.clientgate.base import ClientArea, User
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer
from rtm.server.handlers.users import open_infos_answer


class UsersArea(ClientArea):
    COMMANDS = cmd.COMMANDS

    async def getonlineusers(self, user: User, a: Args) -> Answer:
        return {"uids": self.hub.online_subset(user.pid, a["uids"])}

    async def setuserinfo(self, user: User, a: Args) -> Answer:
        await self.store.set_user_info(user.pid, user.uid, a["oinfo"], a["pinfo"])
        return {}

    async def getuserinfo(self, user: User, a: Args) -> Answer:
        oinfo, pinfo = await self.store.get_user_info(user.pid, user.uid)
        return {"oinfo": oinfo, "pinfo": pinfo}

    async def getuseropeninfo(self, user: User, a: Args) -> Answer:
        return open_infos_answer(await self.store.user_public_infos(user.pid, a["uids"]))

    async def getservertime(self, user: User, a: Args) -> Answer:
        return {"mts": self.core.now_ms()}
