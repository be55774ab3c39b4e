"""Users, tokens and sessions (spec §4.9)."""

from __future__ import annotations

from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.core import Answer
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import (
    Params,
    check_ids,
    check_list,
)


class UsersHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "gettoken",
        "removetoken",
        "getonlineusers",
    )

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
