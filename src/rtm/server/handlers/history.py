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
)
from rtm.server.store import HistoryPage, Kind


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
    )

    async def _history(self, p: Params, pid: int, kind: Kind, target: int | None,
                       p2p_uid: int | None = None) -> Answer:
        desc = p.bool_("desc")
        num = p.int_("num", "i16")
        begin = p.opt_int("begin", 0)
        end = p.opt_int("end", 0)
        lastid = p.opt_int("lastid", 0)
        # GOHEAD/PYHEAD add ``uid`` (reader) and ``mtypes``; the server reads any conversation
        # and ``mtypes`` filtering is not emulated (only type-checked).
        p.opt_ints("mtypes")
        page = await self.store.history(pid, kind, target, uid_for_p2p=p2p_uid, desc=desc,
                                        num=num, begin=begin, end=end, lastid=lastid)
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

    def _message_ref(self, p: Params) -> tuple[int, int, int, Kind]:
        mid, from_uid, xid = p.int_("mid"), p.int_("from"), p.int_("xid")
        mtype = p.int_("type")
        check_id("from", from_uid)
        if mtype not in (1, 2, 3, 4):
            raise codes.rtm_error(codes.INVALID_PARAMETER,
                                  f"invalid type {mtype}: 1 p2p, 2 group, 3 room, 4 broadcast")
        kind = Kind(mtype)
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
        """Later-generation ``getmsg`` (spec §7.2): ``id, mtype, msg, attrs, mtime``."""
        mid, from_uid, xid, kind = self._message_ref(p)
        row = await self.store.get_message(pid, kind, from_uid, xid, mid)
        if row is None:
            raise codes.rtm_error(codes.MESSAGE_NOT_FOUND, "message not found")
        return {"id": row.id, "mtype": row.mtype, "msg": row.msg, "attrs": row.attrs,
                "mtime": row.mtime}
