"""History and message management (spec §4.3).

The module-level functions are the logic the server API and the client gate's §3.2 commands
share (the client gate adds its permission checks and takes the reader from the session).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.config import ServerConfig
from rtm.server.core import Answer
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import (
    Params,
    check_id,
    check_message_size,
)
from rtm.server.store import HistoryPage, HistoryRow, Kind, Store
from rtm.server.store.history import CLEAR_KINDS

_TYPE_NAMES = {1: "1 p2p", 2: "2 group", 3: "3 room", 4: "4 broadcast"}

#: The history row of "no message" (a conversation list's session without one).
EMPTY_ROW: tuple[Any, ...] = (0, 0, 0, 0, False, "", "", 0)


def history_row(r: HistoryRow, p2p_uid: int | None, blank_deleted: bool) -> list[Any]:
    """One 8-element history entry (spec §2.3); for P2P (``p2p_uid`` = the reader) index 1 is
    the direction: 1 = sent by ``p2p_uid``, 2 = received."""
    sender = r.from_uid if p2p_uid is None else (1 if r.from_uid == p2p_uid else 2)
    msg, attrs = r.msg, r.attrs
    if r.deleted and blank_deleted:
        msg, attrs = "", ""
    return [r.id, sender, r.mtype, r.mid, bool(r.deleted), msg, attrs, r.mtime]


def history_answer(page: HistoryPage, p2p_uid: int | None, blank_deleted: bool
                   ) -> dict[str, Any]:
    """Spec §2.3: ``msgs`` entries are 8-element arrays; for P2P index 1 is the direction
    (1 = sent by the quest's ``uid``, 2 = sent by ``ouid``)."""
    msgs = [history_row(r, p2p_uid, blank_deleted) for r in page.rows]
    return {"num": page.num, "lastid": page.lastid, "begin": page.begin, "end": page.end,
            "msgs": msgs}


def check_mtypes(mtypes: Sequence[int] | None) -> None:
    """An ``mtypes`` filter is an arr<i8> (10010 naming the key otherwise)."""
    for mtype in mtypes or ():
        if not -128 <= mtype <= 127:
            raise codes.rtm_error(codes.TYPE_CONVERT,
                                  f"key 'mtypes' expects arr<i8>, got {mtype}")


def message_kind(value: int, allowed: tuple[int, ...] = (1, 2, 3, 4)) -> Kind:
    """The MessageType ``type`` (200034 outside ``allowed``)."""
    if value not in allowed:
        raise codes.rtm_error(
            codes.INVALID_PARAMETER,
            f"invalid type {value}: expected {', '.join(_TYPE_NAMES[a] for a in allowed)}")
    return Kind(value)


async def read_history(store: Store, config: ServerConfig, pid: int, kind: Kind,
                       target: int | None, *, p2p_uid: int | None, desc: bool, num: int,
                       begin: int, end: int, lastid: int,
                       mtypes: Sequence[int] | None) -> dict[str, Any]:
    """One history page as answered (spec §6): ``mtypes`` applies before ``num``."""
    check_mtypes(mtypes)
    page = await store.history(pid, kind, target, uid_for_p2p=p2p_uid, desc=desc, num=num,
                               begin=begin, end=end, lastid=lastid, mtypes=mtypes)
    return history_answer(page, p2p_uid, config.blank_deleted)


async def stored_message(store: Store, pid: int, kind: Kind, from_uid: int | None, xid: int,
                         mid: int) -> dict[str, Any] | None:
    """``getmsg``'s msginfo (``id, mtype, msg, attrs, mtime``); None for an unknown or
    deleted message."""
    row = await store.get_message(pid, kind, from_uid, xid, mid)
    if row is None or row.deleted:
        return None
    return {"id": row.id, "mtype": row.mtype, "msg": row.msg, "attrs": row.attrs,
            "mtime": row.mtime}


async def delete_message(store: Store, config: ServerConfig, pid: int, kind: Kind,
                         from_uid: int, xid: int, mid: int) -> None:
    """``delmsg``: mark the message deleted; unknown is success unless ``strict_delmsg``
    (200070)."""
    found = await store.delete_message(pid, kind, from_uid, xid, mid)
    if not found and config.strict_delmsg:
        raise codes.rtm_error(codes.MESSAGE_NOT_FOUND, "message not found")


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
        return await read_history(self.store, self.config, pid, kind, target, p2p_uid=p2p_uid,
                                  desc=desc, num=num, begin=begin, end=end, lastid=lastid,
                                  mtypes=p.opt_ints("mtypes"))

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
        check_mtypes(mtypes)
        return mtypes

    @staticmethod
    def _kind(p: Params, allowed: tuple[int, ...] = (1, 2, 3, 4)) -> Kind:
        """The MessageType ``type`` (200034 outside ``allowed``)."""
        return message_kind(p.int_("type", "i8"), allowed)

    def _message_ref(self, p: Params) -> tuple[int, int, int, Kind]:
        mid, from_uid, xid = p.int_("mid"), p.int_("from"), p.int_("xid")
        kind = self._kind(p)
        check_id("from", from_uid)
        if kind != Kind.BROADCAST:
            check_id("xid", xid)
        return mid, from_uid, xid, kind

    async def delmsg(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        mid, from_uid, xid, kind = self._message_ref(p)
        await delete_message(self.store, self.config, pid, kind, from_uid, xid, mid)
        return {}

    async def getmsg(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        """``getmsg`` (msginfo: ``id, mtype, msg, attrs, mtime``); unknown or deleted ->
        200070."""
        mid, from_uid, xid, kind = self._message_ref(p)
        info = await stored_message(self.store, pid, kind, from_uid, xid, mid)
        if info is None:
            raise codes.rtm_error(codes.MESSAGE_NOT_FOUND, "message not found")
        return info

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
