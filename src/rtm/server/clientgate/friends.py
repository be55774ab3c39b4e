"""Friends and blocks (spec §3.5): the server API's friend and block lists of the caller.

With symmetric friends (the default) ``addfriends`` changes the friends' lists too: a user
who blocked the caller is refused with 200049 (as ``imclient_addfriend``), nothing added.
"""

from __future__ import annotations

from rtm.enduser.commands import friends as cmd
from rtm.server import codes
from rtm.server.clientgate.base import ClientArea, User
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer


class FriendsArea(ClientArea):
    COMMANDS = cmd.COMMANDS

    async def addfriends(self, user: User, a: Args) -> Answer:
        if self.store.symmetric_friends:
            blockers = await self.store.blockers_among(user.pid, user.uid, a["friends"])
            if blockers:
                raise codes.rtm_error(codes.BLOCKED_USER,
                                      f"uid(s) {', '.join(map(str, blockers))} blocked uid "
                                      f"{user.uid}")
        await self.store.add_friends(user.pid, user.uid, a["friends"])
        return {}

    async def delfriends(self, user: User, a: Args) -> Answer:
        await self.store.del_friends(user.pid, user.uid, a["friends"])
        return {}

    async def getfriends(self, user: User, a: Args) -> Answer:
        return {"uids": await self.store.get_friends(user.pid, user.uid)}

    async def addblacks(self, user: User, a: Args) -> Answer:
        await self.store.add_blocks(user.pid, user.uid, a["blacks"])
        return {}

    async def delblacks(self, user: User, a: Args) -> Answer:
        await self.store.del_blocks(user.pid, user.uid, a["blacks"])
        return {}

    async def getblacks(self, user: User, a: Args) -> Answer:
        return {"uids": await self.store.get_blocks(user.pid, user.uid)}
