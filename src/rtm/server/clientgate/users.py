"""Users (spec §3.8)."""

from __future__ import annotations

from rtm.enduser.commands import users as cmd
from rtm.server.clientgate.base import ClientArea, User
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer


class UsersArea(ClientArea):
    COMMANDS = cmd.COMMANDS

    async def getonlineusers(self, user: User, a: Args) -> Answer:
        return {"uids": self.hub.online_subset(user.pid, a["uids"])}
