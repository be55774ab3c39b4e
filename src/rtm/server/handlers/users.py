"""Users, tokens, infos and sessions (spec current §4.9)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.core import Answer
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import (
    Params,
    check_ids,
    check_list,
)


def open_infos_answer(infos: Mapping[int, str]) -> dict[str, Any]:
    """``{info: {"<id>": oinfo}}``: decimal string keys, as the Go SDK converts keys to strings
    (spec §2 strmap, §12 #3)."""
    return {"info": {str(xid): oinfo for xid, oinfo in infos.items()}}


class UsersHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "gettoken",
        "removetoken",
        "getonlineusers",
        "setuserinfo",
        "getuserinfo",
        "getuseropeninfo",
        "addsessions",
        "removesessions",
    )

    async def gettoken(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid = p.id_("uid")
        p.opt_str("version")  # PYHEAD sends its SDK version; informational
        return {"token": await self.store.issue_token(pid, uid, self.config.token_ttl)}

    async def removetoken(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        # Gate connections that logged in with a removed token stay up (kickout ends them).
        await self.store.remove_tokens(pid, p.id_("uid"))
        return {}

    async def getonlineusers(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uids = p.ints("uids")
        check_ids("uids", uids)
        check_list("uids", uids, codes.MAX_ONLINE_QUERY)
        return {"uids": self.hub.online_subset(pid, uids)}

    async def setuserinfo(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid = p.id_("uid")
        oinfo, pinfo = self._infos(p)
        await self.store.set_user_info(pid, uid, oinfo, pinfo)
        return {}

    async def getuserinfo(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        oinfo, pinfo = await self.store.get_user_info(pid, p.id_("uid"))
        return {"oinfo": oinfo, "pinfo": pinfo}

    async def getuseropeninfo(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uids = p.ints("uids")
        check_ids("uids", uids)
        check_list("uids", uids, codes.MAX_LIST_ITEMS)
        return open_infos_answer(await self.store.user_public_infos(pid, uids))

    async def addsessions(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, peers = self._uid_and_list(p, "uids", codes.MAX_LIST_ITEMS)
        await self.store.add_sessions(pid, uid, peers)
        return {}

    async def removesessions(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, peers = self._uid_and_list(p, "uids", codes.MAX_LIST_ITEMS)
        await self.store.remove_sessions(pid, uid, peers)
        return {}
