"""Rooms (spec current §4.8): members, bans (also on every room), infos, counts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.core import Answer
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import (
    Params,
    check_id,
    check_ids,
    check_list,
)


def room_count_answer(counts: Mapping[int, int]) -> dict[str, Any]:
    """``{cn: {"<rid>": count}}``: decimal string keys, as the Go SDK parses the key text (spec
    §2 countmap, §12 #3)."""
    return {"cn": {str(rid): n for rid, n in counts.items()}}


class RoomsHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "addroommember",
        "delroommember",
        "addroomban",
        "removeroomban",
        "isbanofroom",
        "addroommembers",
        "delroommembers",
        "setroominfo",
        "getroominfo",
        "getroommembers",
        "getroomcount",
        "adduserrooms",
        "deleteuserrooms",
    )

    async def addroommember(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uid = self._xid_uid(p, "rid")
        await self.store.add_room_member(pid, rid, uid)
        return {}

    async def delroommember(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uid = self._xid_uid(p, "rid")
        if await self.store.del_room_member(pid, rid, uid):
            self.hub.kick_from_room(pid, rid, uid)
        return {}

    async def addroomban(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uid = self._xid_or_all(p, "rid"), p.id_("uid")
        await self.store.add_room_ban(pid, rid, uid, p.int_("btime", "i32"))
        return {}

    async def removeroomban(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uid = self._xid_or_all(p, "rid"), p.id_("uid")
        await self.store.remove_room_ban(pid, rid, uid)
        return {}

    async def isbanofroom(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uid = self._xid_uid(p, "rid")
        return {"ok": await self.store.is_banned_in_room(pid, rid, uid)}

    def _rid_and_uids(self, p: Params) -> tuple[int, list[int]]:
        rid, uids = p.int_("rid"), p.ints("uids")
        check_id("rid", rid)
        check_ids("uids", uids)
        check_list("uids", uids, codes.MAX_LIST_ITEMS)
        return rid, uids

    def _rids_and_uid(self, p: Params) -> tuple[list[int], int]:
        rids, uid = p.ints("rids"), p.int_("uid")
        check_ids("rids", rids)
        check_id("uid", uid)
        check_list("rids", rids, codes.MAX_LIST_ITEMS)
        return rids, uid

    async def addroommembers(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uids = self._rid_and_uids(p)
        return {"successedUids": await self.store.add_room_members(pid, rid, uids)}

    async def delroommembers(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid, uids = self._rid_and_uids(p)
        for uid in await self.store.del_room_members(pid, rid, uids):
            self.hub.kick_from_room(pid, rid, uid)
        # Every valid uid counts as removed, members or not (spec §4.8).
        return {"successedUids": list(dict.fromkeys(uids))}

    async def setroominfo(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rid = p.id_("rid")
        oinfo, pinfo = self._infos(p)
        await self.store.set_room_info(pid, rid, oinfo, pinfo)
        return {}

    async def getroominfo(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        oinfo, pinfo = await self.store.get_room_info(pid, p.id_("rid"))
        return {"oinfo": oinfo, "pinfo": pinfo}

    async def getroommembers(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        return {"uids": await self.store.room_members(pid, p.id_("rid"))}

    async def getroomcount(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        # The C++ SDK sends one ``rid`` instead of ``rids`` (spec §12 #15): same as [rid].
        rids = [p.int_("rid")] if not p.has("rids") and p.has("rid") else p.ints("rids")
        check_ids("rids", rids)
        check_list("rids", rids, codes.MAX_LIST_ITEMS)
        return room_count_answer(await self.store.room_counts(pid, rids))

    async def adduserrooms(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rids, uid = self._rids_and_uid(p)
        await self.store.add_user_rooms(pid, uid, rids)
        return {}

    async def deleteuserrooms(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        rids, uid = self._rids_and_uid(p)
        for rid in await self.store.delete_user_rooms(pid, uid, rids):
            self.hub.kick_from_room(pid, rid, uid)
        return {}
