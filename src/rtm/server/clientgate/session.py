"""Login, logout and keep-alive (spec §2).

``auth`` order: already logged in (200023) -> params (10009/10010) -> pid/uid > 0 (200001) ->
token (wrong, expired or unknown project: ``{ok: false}``) -> admin uid (200025) -> project
black list (200024) -> ``{ok: true}`` and the ``login`` event (the black list is read again
once the login is recorded). Every SDK's form is accepted
(:mod:`rtm.enduser.commands.session`); U's ``ts``/``authv: 2`` form takes the same tokens.
Kept per connection: ``version``, ``attrs`` and ``lang`` (:func:`rtm.server.pushes.client_attrs`
and siblings); a non-empty ``lang`` also becomes the user's language (stored; the chat pushed
to the user is translated into it) — an empty or absent one keeps the stored language.

``kickout {ce}`` closes the caller's OTHER session whose endpoint is ``ce`` ("ip:port" as the
server sees it): always ``{}``, and a ``ce`` that is not such a session (the caller's own
connection, another user's, none) closes nothing.
"""

from __future__ import annotations

import asyncio

from rtm.enduser.commands import session as cmd
from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.clientgate.base import ClientArea, User
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
        lang: str = a["lang"] or ""
        if lang:
            await self.store.set_user_lang(pid, uid, lang)
            user_lang = lang
        else:
            user_lang = await self.store.user_lang(pid, uid)
        if conn.closed:
            return {"ok": False}
        if client_uid(conn) is not None:  # two auth quests raced on one connection
            raise codes.rtm_error(codes.DUPLICATED_AUTH, "auth already")
        self.hub.login(conn, pid, uid, version=a["version"] or "", attrs=a["attrs"],
                       lang=lang, user_lang=user_lang)
        # addprojectblack + kick may have run while the first check was awaited: its kick
        # found no login to close. Checked again now that the login is recorded, one of the
        # two sees the other (a black-listing after this read kicks this connection).
        if await self.store.is_project_black(pid, uid):
            asyncio.get_running_loop().call_soon(conn.close)  # after the answer is written
            raise codes.rtm_error(codes.AUTH_DENIED, "auth denied")
        return {"ok": True}

    async def ping(self, conn: ServerConnection, a: Args) -> Answer:
        return {}

    async def bye(self, conn: ServerConnection, a: Args) -> Answer:
        # The answer is written when this returns; close right after it (-> logout event).
        asyncio.get_running_loop().call_soon(conn.close)
        return {}

    async def kickout(self, user: User, a: Args) -> Answer:
        ce = a["ce"]
        for conn in self.hub.connections(user.pid, user.uid):
            if conn is not user.conn and conn.peer == ce:
                self.core.logger.info("uid %d of project %d closes its session %s", user.uid,
                                      user.pid, ce)
                self.hub.kick(conn)
        return {}

    async def which(self, conn: ServerConnection, a: Args) -> Answer:
        endpoint = self.core.client_endpoint
        return {"endpoint": endpoint, "server": endpoint}

    async def whichall(self, conn: ServerConnection, a: Args) -> Answer:
        return {"servers": [self.core.client_endpoint]}
