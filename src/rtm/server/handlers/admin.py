"""Admin (spec current §4.10): kickout, project black list, project bans."""

from __future__ import annotations

from rtm.fpnn.server import ServerConnection
from rtm.server.core import Answer
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import (
    Params,
)


class AdminHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "kickout",
        "addprojectblack",
        "removeprojectblack",
        "isprojectblack",
        "addprojectban",
        "removeprojectban",
        "isprojectban",
    )

    async def addprojectblack(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid = p.id_("uid")
        btime = p.int_("btime", "i32")
        await self.store.add_project_black(pid, uid, btime)
        self.hub.kick_user(pid, uid)
        return {}

    async def removeprojectblack(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        await self.store.remove_project_black(pid, p.id_("uid"))
        return {}

    async def isprojectblack(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        return {"ok": await self.store.is_project_black(pid, p.id_("uid"))}

    async def kickout(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid = p.id_("uid")
        ce = p.opt_str("ce")  # GOHEAD drops ``ce``: absent = every connection
        self.hub.kick_user(pid, uid, ce)
        return {}

    async def addprojectban(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid = p.id_("uid")
        btime = p.int_("btime", "i32")
        # A mute, not a black list: the user stays logged in (spec §11.6).
        await self.store.add_project_ban(pid, uid, btime)
        return {}

    async def removeprojectban(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        await self.store.remove_project_ban(pid, p.id_("uid"))
        return {}

    async def isprojectban(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        return {"ok": await self.store.is_project_ban(pid, p.id_("uid"))}
