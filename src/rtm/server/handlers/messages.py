"""Messages and chat (spec §4.2)."""

from __future__ import annotations

from collections.abc import Awaitable

from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.core import Answer
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import (
    Params,
    check_id,
    check_ids,
    check_list,
    check_message_size,
    check_mtype,
)
from rtm.server.store import Kind


def read_message(p: Params) -> tuple[int, int, str | bytes, str | bytes]:
    """(mtype, mid, msg, attrs) of a send quest, type-checked (``attrs`` defaults to "")."""
    return p.int_("mtype"), p.int_("mid"), p.payload_("msg"), p.opt_payload("attrs")


def check_message(mtype: int, msg: str | bytes, attrs: str | bytes) -> None:
    check_mtype(mtype)
    check_message_size(msg, attrs)


class MessagesHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "sendmsg",
        "sendmsgs",
        "sendgroupmsg",
        "sendroommsg",
        "broadcastmsg",
    )

    def _self_send(self, from_uid: int, to: int) -> None:
        if self.config.forbid_server_self_send and from_uid == to:
            raise codes.rtm_error(codes.SEND_TO_SELF, "can not send to myself")

    def _send_one(self, p: Params, pid: int, kind: Kind, target_key: str,
                  method: str) -> Awaitable[Answer]:
        """sendmsg / sendgroupmsg / sendroommsg: one target id under ``target_key``; the
        checks run now, the answer is the store's future (``ServerCore.send_answer``)."""
        mtype, mid, msg, attrs = read_message(p)
        from_uid, target = p.int_("from"), p.int_(target_key)
        check_id("from", from_uid)
        check_id(target_key, target)
        check_message(mtype, msg, attrs)
        if kind is Kind.P2P:
            self._self_send(from_uid, target)
        return self.core.send_answer(pid, kind, from_uid, target, mid, mtype, msg, attrs,
                                     origin="server", method=method)

    def sendmsg(self, conn: ServerConnection, p: Params, pid: int) -> Awaitable[Answer]:
        return self._send_one(p, pid, Kind.P2P, "to", "sendmsg")

    async def sendmsgs(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        mtype, mid, msg, attrs = read_message(p)
        from_uid, tos = p.int_("from"), p.ints("tos")
        check_id("from", from_uid)
        check_ids("tos", tos)
        check_message(mtype, msg, attrs)
        check_list("tos", tos, codes.MAX_RECIPIENTS)
        for to in tos:
            self._self_send(from_uid, to)
        mtime = await self.core.send(pid, Kind.P2P, from_uid, tos, mid, mtype, msg, attrs,
                                     origin="server")
        return {"mtime": mtime}

    def sendgroupmsg(self, conn: ServerConnection, p: Params, pid: int) -> Awaitable[Answer]:
        return self._send_one(p, pid, Kind.GROUP, "gid", "sendgroupmsg")

    def sendroommsg(self, conn: ServerConnection, p: Params, pid: int) -> Awaitable[Answer]:
        return self._send_one(p, pid, Kind.ROOM, "rid", "sendroommsg")

    async def broadcastmsg(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        mtype, mid, msg, attrs = read_message(p)
        from_uid = p.int_("from")
        check_id("from", from_uid)
        check_message(mtype, msg, attrs)
        mtime = await self.core.send(pid, Kind.BROADCAST, from_uid, None, mid, mtype, msg,
                                     attrs, origin="server")
        return {"mtime": mtime}
