"""Sending (spec §3.1): the server API's send path with ``from`` = the caller.

A client sends chat (30), audio (31), cmd (32) or its own types (51-127), as every official
client SDK does; the other types below 51 are the server's (IM events are mtype 6, files
40-50 come only through ``filetoken`` and the file gate, whose message body the receivers'
SDKs parse as the file JSON): a client cannot forge them (200005, decision). The body of
a chat (30) or cmd (32) message is text, as the SDKs read it: a ``bin`` body that is not UTF-8
is 10010.
"""

from __future__ import annotations

from rtm.enduser.commands import messages as cmd
from rtm.server import codes
from rtm.server.clientgate.base import ClientArea, User
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer
from rtm.server.handlers.messages import check_message
from rtm.server.store import Kind

#: The message types below 51 a client may send: chat, audio, cmd.
CLIENT_SYSTEM_MTYPES = frozenset({30, 31, 32})
#: The first of the types a client defines itself.
CLIENT_MTYPE_MIN = 51
#: The types whose body the SDKs read as text: chat, cmd.
TEXT_MTYPES = frozenset({30, 32})


def check_client_message(mtype: int, msg: str | bytes) -> None:
    """200005 for a type a client may not send, 10010 for a chat or cmd body that is not
    text (see the module's doc)."""
    if mtype < CLIENT_MTYPE_MIN and mtype not in CLIENT_SYSTEM_MTYPES:
        raise codes.rtm_error(
            codes.INVALID_MTYPE,
            f"invalid mtype {mtype}: a client sends 30, 31, 32 or 51-127 (files go through "
            f"filetoken and the file gate)")
    if mtype in TEXT_MTYPES and isinstance(msg, bytes):
        try:
            msg.decode()
        except UnicodeDecodeError:
            raise codes.rtm_error(
                codes.TYPE_CONVERT,
                f"key 'msg' expects str (UTF-8 text) for mtype {mtype}, got bin") from None


class MessagesArea(ClientArea):
    COMMANDS = cmd.COMMANDS

    async def _send(self, user: User, kind: Kind, target: int | list[int], a: Args) -> Answer:
        check_message(a["mtype"], a["msg"], a["attrs"])
        check_client_message(a["mtype"], a["msg"])
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
