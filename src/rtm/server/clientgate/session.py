"""Login, logout and keep-alive (spec §2).

``auth`` order: already logged in (200023) -> params (10009/10010) -> pid/uid > 0 (200001) ->
token (wrong, expired or unknown project: ``{ok: false}``) -> admin uid (200025) -> project
black list (200024) -> ``{ok: true}`` and the ``login`` event.
"""

from __future__ import annotations

import asyncio

from rtm.enduser.commands import session as cmd
from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.clientgate.base import ClientArea
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer
from rtm.server.params import check_id
from rtm.server.pushes import client_uid


class SessionArea(ClientArea):
    COMMANDS = cmd.COMMANDS

    async def auth(self, conn: ServerConnection, a: Args) -> Answer:
        pid, uid, token = a["pid"], a["uid"], a["token"]
        check_id("pid", pid)
        if pid not in self.core.projects:
            return {"ok": False}
        if not await self.store.check_token(pid, uid, token):
            return {"ok": False}
        if self.config.deny_admin_login and uid in self.config.admins_of(pid):
            raise codes.rtm_error(codes.ADMIN_LOGIN, "admin id can not login")
        if await self.store.is_project_black(pid, uid):
            raise codes.rtm_error(codes.AUTH_DENIED, "auth denied")
        if conn.closed:
            return {"ok": False}
        if client_uid(conn) is not None:  # two auth quests raced on one connection
            raise codes.rtm_error(codes.DUPLICATED_AUTH, "auth already")
        self.hub.login(conn, pid, uid)
        return {"ok": True}

    async def ping(self, conn: ServerConnection, a: Args) -> Answer:
        return {}

    async def bye(self, conn: ServerConnection, a: Args) -> Answer:
        # The answer is written when this returns; close right after it (-> logout event).
        asyncio.get_running_loop().call_soon(conn.close)
        return {}

    async def which(self, conn: ServerConnection, a: Args) -> Answer:
        endpoint = self.core.client_endpoint
        return {"endpoint": endpoint, "server": endpoint}

    async def whichall(self, conn: ServerConnection, a: Args) -> Answer:
        return {"servers": [self.core.client_endpoint]}
