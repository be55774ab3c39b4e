"""History and message management (spec §4.3)."""

from __future__ import annotations

from typing import Any

from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.core import Answer
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import (
    Params,
    check_id,
    check_message_size,
)
from rtm.server.store import HistoryPage, Kind
from rtm.server.store.history import CLEAR_KINDS


def history_answer(page: HistoryPage, p2p_uid: int | None, blank_deleted: bool
                   ) -> dict[str, Any]:
    """Spec §2.3: ``msgs`` entries are 8-element arrays; for P2P index 1 is the direction
    (1 = sent by the quest's ``uid``, 2 = sent by ``ouid``)."""
    msgs: list[list[Any]] = []
    for r in page.rows:
        sender = r.from_uid if p2p_uid is None else (1 if r.from_uid == p2p_uid else 2)
        msg, attrs = r.msg, r.attrs
        if r.deleted and blank_deleted:
            msg, attrs = "", ""
        msgs.append([r.id, sender, r.mtype, r.mid, bool(r.deleted), msg, attrs, r.mtime])
    return {"num": page.num, "lastid": page.lastid, "begin": page.begin, "end": page.end,
            "msgs": msgs}


class HistoryHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "getgroupmsg",
        "getroommsg",
        "getbroadcastmsg",
        "getp2pmsg",
        "delmsg",
        "getmsg",
        "cleanmsg",
        "clearprojectmsg",
        "getmsgnum",
        "delconversationmsgs",
        "editmsg",
        "clearusermsg",
    )

    async def _history(self, p: Params, pid: int, kind: Kind, target: int | None,
                       p2p_uid: int | None = None) -> Answer:
        desc = p.bool_("desc")
        num = p.int_("num", "i16")
        begin = p.opt_int("begin", 0)
        end = p.opt_int("end", 0)
        lastid = p.opt_int("lastid", 0)
        # The current SDKs add the reader ``uid`` (accepted, not checked: the server reads
        # any conversation) and the ``mtypes`` filter, applied before ``num`` (spec §6).
        p.opt_int("uid", 0)
        mtypes = self._mtypes(p)
        page = await self.store.history(pid, kind, target, uid_for_p2p=p2p_uid, desc=desc,
                                        num=num, begin=begin, end=end, lastid=lastid,
                                        mtypes=mtypes)
        return history_answer(page, p2p_uid, self.config.blank_deleted)

    async def getgroupmsg(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        gid = p.int_("gid")
        check_id("gid", gid)
        return await self._history(p, pid, Kind.GROUP, gid)

    async def getroommsg(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid = p.int_("rid")
        check_id("rid", rid)
        return await self._history(p, pid, Kind.ROOM, rid)

    async def getbroadcastmsg(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        return await self._history(p, pid, Kind.BROADCAST, None)

    async def getp2pmsg(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, ouid = p.int_("uid"), p.int_("ouid")
        check_id("uid", uid)
        check_id("ouid", ouid)
        return await self._history(p, pid, Kind.P2P, ouid, p2p_uid=uid)

    @staticmethod
    def _mtypes(p: Params) -> list[int] | None:
        mtypes = p.opt_ints("mtypes")
        if mtypes:
            for mtype in mtypes:
                if not -128 <= mtype <= 127:
                    raise codes.rtm_error(codes.TYPE_CONVERT,
                                          f"key 'mtypes' expects arr<i8>, got {mtype}")
        return mtypes

    @staticmethod
    def _kind(p: Params, allowed: tuple[int, ...] = (1, 2, 3, 4)) -> Kind:
        """The MessageType ``type`` (200034 outside ``allowed``)."""
        value = p.int_("type", "i8")
        if value not in allowed:
            names = {1: "1 p2p", 2: "2 group", 3: "3 room", 4: "4 broadcast"}
            raise codes.rtm_error(
                codes.INVALID_PARAMETER,
                f"invalid type {value}: expected {', '.join(names[a] for a in allowed)}")
        return Kind(value)

    def _message_ref(self, p: Params) -> tuple[int, int, int, Kind]:
        mid, from_uid, xid = p.int_("mid"), p.int_("from"), p.int_("xid")
        kind = self._kind(p)
        check_id("from", from_uid)
        if kind != Kind.BROADCAST:
            check_id("xid", xid)
        return mid, from_uid, xid, kind

    async def delmsg(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        mid, from_uid, xid, kind = self._message_ref(p)
        found = await self.store.delete_message(pid, kind, from_uid, xid, mid)
        if not found and self.config.strict_delmsg:
            raise codes.rtm_error(codes.MESSAGE_NOT_FOUND, "message not found")
        return {}

    async def getmsg(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        """``getmsg`` (msginfo: ``id, mtype, msg, attrs, mtime``); unknown or deleted ->
        200070."""
        mid, from_uid, xid, kind = self._message_ref(p)
        row = await self.store.get_message(pid, kind, from_uid, xid, mid)
        if row is None or row.deleted:
            raise codes.rtm_error(codes.MESSAGE_NOT_FOUND, "message not found")
        return {"id": row.id, "mtype": row.mtype, "msg": row.msg, "attrs": row.attrs,
                "mtime": row.mtime}

    # ------------------------------------------------------------------ management (§11.7)

    async def cleanmsg(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        """Erase one conversation's messages in ``begin..end`` (ms, 0 = open). Group/room:
        ``from`` is 0 from GO and ignored; broadcast: ``from`` and ``xid`` are ignored."""
        from_uid, xid = p.int_("from"), p.int_("xid")
        kind = self._kind(p)
        begin, end = p.opt_int("begin", 0), p.opt_int("end", 0)
        if kind == Kind.P2P:
            check_id("from", from_uid)
        if kind != Kind.BROADCAST:
            check_id("xid", xid)
        await self.store.clean_messages(pid, kind, from_uid, xid, begin, end)
        return {}

    async def clearprojectmsg(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        clear_type = p.int_("type", "i8")
        if clear_type not in CLEAR_KINDS:
            raise codes.rtm_error(
                codes.INVALID_PARAMETER,
                f"invalid type {clear_type}: 0 p2p, 1 room, 2 group, 3 broadcast, 4 all")
        await self.store.clear_project_messages(pid, clear_type)
        return {}

    async def getmsgnum(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        kind = self._kind(p, (2, 3))
        xid = p.int_("xid")
        check_id("xid", xid)
        mtypes = self._mtypes(p)
        begin, end = p.opt_int("begin", 0), p.opt_int("end", 0)
        senders, count = await self.store.count_messages(pid, kind, xid, mtypes, begin, end)
        return {"sender": senders, "num": count}

    async def delconversationmsgs(self, conn: ServerConnection, p: Params, pid: int
                                  ) -> Answer:
        from_uid, xid = p.int_("from"), p.int_("xid")
        kind = self._kind(p, (1, 2, 3))
        check_id("from", from_uid)
        check_id("xid", xid)
        await self.store.delete_conversation_messages(pid, kind, from_uid, xid)
        return {}

    async def editmsg(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        mid, from_uid, xid, kind = self._message_ref(p)
        msg, attrs = p.payload_("msg"), p.opt_payload("attrs")
        time_limit = p.opt_int("timeLimit", 0)
        check_message_size(msg, attrs)
        await self.store.edit_message(pid, kind, from_uid, xid, mid, msg, attrs, time_limit)
        return {}

    async def clearusermsg(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid = p.int_("uid")
        check_id("uid", uid)
        await self.store.clear_user_messages(pid, uid)
        return {}
