"""Server gate: the RTM server API (spec §2), signed per quest (spec §1).

Check order for every quest: signature (§1: 10009/10010 on pid/salt/sign/ts, 200001 pid <= 0,
200002 unknown pid or bad sign, 200008 ts window, 200006 replay) -> parameter presence and
types (10009/10010) -> ids > 0 (200001) -> mtype (200005) -> sizes (200030) -> list sizes
(200033/200032) -> state checks in the store (membership, bans, admin, friends, limits).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rtm.fpnn.server import FPNNServer, ServerConnection
from rtm.server import codes
from rtm.server.core import Answer, ServerCore
from rtm.server.params import (
    Params,
    check_id,
    check_ids,
    check_list,
    check_message_size,
    check_mtype,
)
from rtm.server.store import FILE_CMDS, HistoryPage, Kind

SignedHandler = Callable[[ServerConnection, Params, int], Awaitable[Answer]]


def read_message(p: Params) -> tuple[int, int, str | bytes, str | bytes]:
    """(mtype, mid, msg, attrs) of a send quest, type-checked (``attrs`` defaults to "")."""
    return p.int_("mtype"), p.int_("mid"), p.payload_("msg"), p.opt_payload("attrs")


def check_message(mtype: int, msg: str | bytes, attrs: str | bytes) -> None:
    check_mtype(mtype)
    check_message_size(msg, attrs)


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


class ServerGate:
    def __init__(self, core: ServerCore) -> None:
        self.core = core
        self.store = core.store
        self.hub = core.hub
        self.config = core.config

    def register(self, server: FPNNServer) -> None:
        for method, fn in self.handlers().items():
            server.register(method, self.core.wrap(method, self._signed(method, fn)))

    def _signed(self, method: str, fn: SignedHandler
                ) -> Callable[[ServerConnection, Params], Awaitable[Answer]]:
        auth = self.core.auth

        async def handler(conn: ServerConnection, p: Params) -> Answer:
            pid = auth.check(p, method)
            return await fn(conn, p, pid)

        return handler

    def handlers(self) -> dict[str, SignedHandler]:
        return {
            "sendmsg": self.sendmsg,
            "sendmsgs": self.sendmsgs,
            "sendgroupmsg": self.sendgroupmsg,
            "sendroommsg": self.sendroommsg,
            "broadcastmsg": self.broadcastmsg,
            "getgroupmsg": self.getgroupmsg,
            "getroommsg": self.getroommsg,
            "getbroadcastmsg": self.getbroadcastmsg,
            "getp2pmsg": self.getp2pmsg,
            "addfriends": self.addfriends,
            "delfriends": self.delfriends,
            "getfriends": self.getfriends,
            "isfriend": self.isfriend,
            "isfriends": self.isfriends,
            "addgroupmembers": self.addgroupmembers,
            "delgroupmembers": self.delgroupmembers,
            "delgroup": self.delgroup,
            "getgroupmembers": self.getgroupmembers,
            "isgroupmember": self.isgroupmember,
            "getusergroups": self.getusergroups,
            "addroommember": self.addroommember,
            "delroommember": self.delroommember,
            "addgroupban": self.addgroupban,
            "removegroupban": self.removegroupban,
            "addroomban": self.addroomban,
            "removeroomban": self.removeroomban,
            "addprojectblack": self.addprojectblack,
            "removeprojectblack": self.removeprojectblack,
            "isbanofgroup": self.isbanofgroup,
            "isbanofroom": self.isbanofroom,
            "isprojectblack": self.isprojectblack,
            "delmsg": self.delmsg,
            "getmsg": self.getmsg,
            "kickout": self.kickout,
            "gettoken": self.gettoken,
            "removetoken": self.removetoken,
            "getonlineusers": self.getonlineusers,
            "addlisten": self.addlisten,
            "removelisten": self.removelisten,
            "setlisten": self.setlisten,
            "adddevice": self.adddevice,
            "removedevice": self.removedevice,
            "filetoken": self.filetoken,
        }

    # ------------------------------------------------------------------ messages

    def _self_send(self, from_uid: int, to: int) -> None:
        if self.config.forbid_server_self_send and from_uid == to:
            raise codes.rtm_error(codes.SEND_TO_SELF, "can not send to myself")

    async def _send_one(self, p: Params, pid: int, kind: Kind, target_key: str) -> Answer:
        """sendmsg / sendgroupmsg / sendroommsg: one target id under ``target_key``."""
        mtype, mid, msg, attrs = read_message(p)
        from_uid, target = p.int_("from"), p.int_(target_key)
        check_id("from", from_uid)
        check_id(target_key, target)
        check_message(mtype, msg, attrs)
        if kind is Kind.P2P:
            self._self_send(from_uid, target)
        mtime = await self.core.send(pid, kind, from_uid, target, mid, mtype, msg, attrs,
                                     origin="server")
        return {"mtime": mtime}

    async def sendmsg(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        return await self._send_one(p, pid, Kind.P2P, "to")

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

    async def sendgroupmsg(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        return await self._send_one(p, pid, Kind.GROUP, "gid")

    async def sendroommsg(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        return await self._send_one(p, pid, Kind.ROOM, "rid")

    async def broadcastmsg(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        mtype, mid, msg, attrs = read_message(p)
        from_uid = p.int_("from")
        check_id("from", from_uid)
        check_message(mtype, msg, attrs)
        mtime = await self.core.send(pid, Kind.BROADCAST, from_uid, None, mid, mtype, msg,
                                     attrs, origin="server")
        return {"mtime": mtime}

    # ------------------------------------------------------------------ history

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

    # ------------------------------------------------------------------ friends

    def _uid_and_list(self, p: Params, key: str, limit: int) -> tuple[int, list[int]]:
        uid, values = p.int_("uid"), p.ints(key)
        check_id("uid", uid)
        check_ids(key, values)
        check_list(key, values, limit)
        return uid, values

    async def addfriends(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, friends = self._uid_and_list(p, "friends", codes.MAX_LIST_ITEMS)
        await self.store.add_friends(pid, uid, friends)
        return {}

    async def delfriends(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, friends = self._uid_and_list(p, "friends", codes.MAX_LIST_ITEMS)
        await self.store.del_friends(pid, uid, friends)
        return {}

    async def getfriends(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid = p.id_("uid")
        return {"uids": await self.store.get_friends(pid, uid)}

    async def isfriend(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, fuid = p.int_("uid"), p.int_("fuid")
        check_id("uid", uid)
        check_id("fuid", fuid)
        return {"ok": await self.store.is_friend(pid, uid, fuid)}

    async def isfriends(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, fuids = self._uid_and_list(p, "fuids", codes.MAX_LIST_ITEMS)
        return {"fuids": await self.store.is_friends(pid, uid, fuids)}

    # ------------------------------------------------------------------ groups

    def _gid_and_uids(self, p: Params) -> tuple[int, list[int]]:
        gid, uids = p.int_("gid"), p.ints("uids")
        check_id("gid", gid)
        check_ids("uids", uids)
        check_list("uids", uids, codes.MAX_LIST_ITEMS)
        return gid, uids

    async def addgroupmembers(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        gid, uids = self._gid_and_uids(p)
        await self.store.add_group_members(pid, gid, uids)
        return {}

    async def delgroupmembers(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        gid, uids = self._gid_and_uids(p)
        await self.store.del_group_members(pid, gid, uids)
        return {}

    async def delgroup(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        await self.store.del_group(pid, p.id_("gid"))
        return {}

    async def getgroupmembers(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        return {"uids": await self.store.get_group_members(pid, p.id_("gid"))}

    async def isgroupmember(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        gid, uid = p.int_("gid"), p.int_("uid")
        check_id("gid", gid)
        check_id("uid", uid)
        return {"ok": await self.store.is_group_member(pid, gid, uid)}

    async def getusergroups(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        return {"gids": await self.store.user_groups(pid, p.id_("uid"))}

    # ------------------------------------------------------------------ rooms

    def _xid_uid(self, p: Params, key: str) -> tuple[int, int]:
        xid, uid = p.int_(key), p.int_("uid")
        check_id(key, xid)
        check_id("uid", uid)
        return xid, uid

    async def addroommember(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uid = self._xid_uid(p, "rid")
        await self.store.add_room_member(pid, rid, uid)
        return {}

    async def delroommember(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uid = self._xid_uid(p, "rid")
        if await self.store.del_room_member(pid, rid, uid):
            self.hub.kick_from_room(pid, rid, uid)
        return {}

    # ------------------------------------------------------------------ bans, black list

    async def addgroupban(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        gid, uid = self._xid_uid(p, "gid")
        await self.store.add_group_ban(pid, gid, uid, p.int_("btime", "i32"))
        return {}

    async def removegroupban(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        gid, uid = self._xid_uid(p, "gid")
        await self.store.remove_group_ban(pid, gid, uid)
        return {}

    async def addroomban(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uid = self._xid_uid(p, "rid")
        await self.store.add_room_ban(pid, rid, uid, p.int_("btime", "i32"))
        return {}

    async def removeroomban(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uid = self._xid_uid(p, "rid")
        await self.store.remove_room_ban(pid, rid, uid)
        return {}

    async def addprojectblack(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid = p.id_("uid")
        btime = p.int_("btime", "i32")
        await self.store.add_project_black(pid, uid, btime)
        self.hub.kick_user(pid, uid)
        return {}

    async def removeprojectblack(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        await self.store.remove_project_black(pid, p.id_("uid"))
        return {}

    async def isbanofgroup(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        gid, uid = self._xid_uid(p, "gid")
        return {"ok": await self.store.is_banned_in_group(pid, gid, uid)}

    async def isbanofroom(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uid = self._xid_uid(p, "rid")
        return {"ok": await self.store.is_banned_in_room(pid, rid, uid)}

    async def isprojectblack(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        return {"ok": await self.store.is_project_black(pid, p.id_("uid"))}

    # ------------------------------------------------------------------ delmsg / getmsg

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

    # ------------------------------------------------------------------ users

    async def kickout(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid = p.id_("uid")
        ce = p.opt_str("ce")  # GOHEAD drops ``ce``: absent = every connection
        self.hub.kick_user(pid, uid, ce)
        return {}

    async def gettoken(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid = p.id_("uid")
        p.opt_str("version")  # PYHEAD sends its SDK version; informational
        return {"token": await self.store.issue_token(pid, uid, self.config.token_ttl)}

    async def removetoken(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        await self.store.remove_tokens(pid, p.id_("uid"))
        return {}

    async def getonlineusers(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uids = p.ints("uids")
        check_ids("uids", uids)
        check_list("uids", uids, codes.MAX_ONLINE_QUERY)
        return {"uids": self.hub.online_subset(pid, uids)}

    # ------------------------------------------------------------------ listen

    async def addlisten(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        self.hub.listen_state(conn, pid).add(p)
        return {}

    async def removelisten(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        self.hub.listen_state(conn, pid).remove(p)
        return {}

    async def setlisten(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        self.hub.listen_state(conn, pid).set(p)
        return {}

    # ------------------------------------------------------------------ devices

    async def adddevice(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid = p.id_("uid")
        apptype, devicetoken = p.str_("apptype"), p.str_("devicetoken")
        await self.store.add_device(pid, uid, apptype, devicetoken)
        return {}

    async def removedevice(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid = p.id_("uid")
        await self.store.remove_device(pid, uid, p.str_("devicetoken"))
        return {}

    # ------------------------------------------------------------------ files

    async def filetoken(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        from_uid, cmd = p.int_("from"), p.str_("cmd")
        if cmd not in FILE_CMDS:
            raise codes.rtm_error(
                codes.INVALID_PARAMETER,
                f"invalid cmd {cmd!r}: expected one of {', '.join(sorted(FILE_CMDS))}")
        target = file_target(p, cmd)
        check_id("from", from_uid)
        token = await self.store.issue_file_token(pid, from_uid, cmd, target,
                                                  self.config.file_token_ttl)
        return {"token": token, "endpoint": self.core.file_endpoint}


def file_target(p: Params, cmd: str) -> int | list[int] | None:
    """The target of a file command; only the key that belongs to ``cmd`` is read (PYHEAD's
    ``filetoken`` also sends unrelated ``gid``/``rid``/``to`` keys)."""
    if cmd == "sendfile":
        to = p.int_("to")
        check_id("to", to)
        return to
    if cmd == "sendfiles":
        tos = p.ints("tos")
        check_ids("tos", tos)
        check_list("tos", tos, codes.MAX_RECIPIENTS)
        return tos
    if cmd == "sendgroupfile":
        gid = p.int_("gid")
        check_id("gid", gid)
        return gid
    if cmd == "sendroomfile":
        rid = p.int_("rid")
        check_id("rid", rid)
        return rid
    return None
