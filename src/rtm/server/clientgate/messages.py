"""Sending (spec §3.1): the server API's send path with ``from`` = the caller."""

from __future__ import annotations

from rtm.enduser.commands import messages as cmd
from rtm.server import codes
from rtm.server.clientgate.base import ClientArea, User
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer
from rtm.server.handlers.messages import check_message
from rtm.server.store import Kind


class MessagesArea(ClientArea):
    COMMANDS = cmd.COMMANDS

    async def _send(self, user: User, kind: Kind, target: int | list[int], a: Args) -> Answer:
        check_message(a["mtype"], a["msg"], a["attrs"])
        mtime = await self.core.send(user.pid, kind, user.uid, target, a["mid"], a["mtype"],
                                     a["msg"], a["attrs"], origin="client")
        return {"mtime": mtime}

    async def sendmsg(self, user: User, a: Args) -> Answer:
        if a["to"] == user.uid:
            raise codes.rtm_error(codes.SEND_TO_SELF, "can not send to myself")
        return await self._send(user, Kind.P2P, a["to"], a)

    async def sendmsgs(self, user: User, a: Args) -> Answer:
        if user.uid in a["tos"]:
            raise codes.rtm_error(codes.SEND_TO_SELF, "can not send to myself")
        return await self._send(user, Kind.P2P, a["tos"], a)

    async def sendgroupmsg(self, user: User, a: Args) -> Answer:
        return await self._send(user, Kind.GROUP, a["gid"], a)

    async def sendroommsg(self, user: User, a: Args) -> Answer:
        return await self._send(user, Kind.ROOM, a["rid"], a)
