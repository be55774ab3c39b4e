"""Client gate (spec §6): token login, sends, rooms, presence; pushes go back to clients.

Every quest except ``auth``, ``ping``, ``bye``, ``which`` and ``whichall`` needs a logged-in
connection (200022). ``auth`` order: already logged in (200023) -> params (10009/10010) ->
pid/uid > 0 (200001) -> token (wrong, expired or unknown project: ``{ok: false}``) -> admin
uid (200025) -> project black list (200024) -> ``{ok: true}`` and the ``login`` event (the
black list is read again once the login is recorded, see :meth:`ClientGate.auth`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from rtm.fpnn.server import FPNNServer, ServerConnection
from rtm.server import codes
from rtm.server.core import Answer, ServerCore
from rtm.server.gate_server import check_message, read_message
from rtm.server.params import Params, check_id, check_ids, check_list
from rtm.server.pushes import client_pid, client_uid
from rtm.server.store import Kind

UserHandler = Callable[[ServerConnection, Params, int, int], Awaitable[Answer]]
OpenHandler = Callable[[ServerConnection, Params], Awaitable[Answer]]


class ClientGate:
    def __init__(self, core: ServerCore) -> None:
        self.core = core
        self.store = core.store
        self.hub = core.hub
        self.config = core.config

    def register(self, server: FPNNServer) -> None:
        wrap = self.core.wrap
        opened: dict[str, OpenHandler] = {
            "auth": self.auth,
            "ping": self.ping,
            "bye": self.bye,
            "which": self.which,
            "whichall": self.whichall,
        }
        for method, fn in opened.items():
            server.register(method, wrap(method, fn))
        logged_in: dict[str, UserHandler] = {
            "sendmsg": self.sendmsg,
            "sendmsgs": self.sendmsgs,
            "sendgroupmsg": self.sendgroupmsg,
            "sendroommsg": self.sendroommsg,
            "enterroom": self.enterroom,
            "leaveroom": self.leaveroom,
            "getuserrooms": self.getuserrooms,
            "getonlineusers": self.getonlineusers,
        }
        for method, user_fn in logged_in.items():
            server.register(method, wrap(method, self._authed(user_fn)))

    @staticmethod
    def _authed(fn: UserHandler) -> OpenHandler:
        async def handler(conn: ServerConnection, p: Params) -> Answer:
            uid, pid = client_uid(conn), client_pid(conn)
            if uid is None or pid is None:
                raise codes.rtm_error(codes.UNAUTHORIZED, "unauthorized: send auth first")
            return await fn(conn, p, pid, uid)

        return handler

    # ------------------------------------------------------------------ session

    async def auth(self, conn: ServerConnection, p: Params) -> Answer:
        if client_uid(conn) is not None:
            raise codes.rtm_error(codes.DUPLICATED_AUTH, "auth already")
        pid, uid, token = p.int_("pid", "i32"), p.int_("uid"), p.str_("token")
        p.opt_str("version")
        p.opt_bool("unread")
        check_id("pid", pid)
        check_id("uid", uid)
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
        # addprojectblack + kick may have run while the first check was awaited: its kick
        # found no login to close. Checked again now that the login is recorded, one of the
        # two sees the other (a black-listing after this read kicks this connection).
        if await self.store.is_project_black(pid, uid):
            asyncio.get_running_loop().call_soon(conn.close)  # after the answer is written
            raise codes.rtm_error(codes.AUTH_DENIED, "auth denied")
        return {"ok": True}

    async def ping(self, conn: ServerConnection, p: Params) -> Answer:
        return {}

    async def bye(self, conn: ServerConnection, p: Params) -> Answer:
        # The answer is written when this returns; close right after it (-> logout event).
        asyncio.get_running_loop().call_soon(conn.close)
        return {}

    async def which(self, conn: ServerConnection, p: Params) -> Answer:
        endpoint = self.core.client_endpoint
        return {"endpoint": endpoint, "server": endpoint}

    async def whichall(self, conn: ServerConnection, p: Params) -> Answer:
        return {"servers": [self.core.client_endpoint]}

    # ------------------------------------------------------------------ sends

    async def sendmsg(self, conn: ServerConnection, p: Params, pid: int, uid: int) -> Answer:
        mtype, mid, msg, attrs = read_message(p)
        to = p.int_("to")
        check_id("to", to)
        check_message(mtype, msg, attrs)
        if to == uid:
            raise codes.rtm_error(codes.SEND_TO_SELF, "can not send to myself")
        mtime = await self.core.send(pid, Kind.P2P, uid, to, mid, mtype, msg, attrs,
                                     origin="client")
        return {"mtime": mtime}

    async def sendmsgs(self, conn: ServerConnection, p: Params, pid: int, uid: int) -> Answer:
        mtype, mid, msg, attrs = read_message(p)
        tos = p.ints("tos")
        check_ids("tos", tos)
        check_message(mtype, msg, attrs)
        check_list("tos", tos, codes.MAX_RECIPIENTS)
        if uid in tos:
            raise codes.rtm_error(codes.SEND_TO_SELF, "can not send to myself")
        mtime = await self.core.send(pid, Kind.P2P, uid, tos, mid, mtype, msg, attrs,
                                     origin="client")
        return {"mtime": mtime}

    async def sendgroupmsg(self, conn: ServerConnection, p: Params, pid: int,
                           uid: int) -> Answer:
        mtype, mid, msg, attrs = read_message(p)
        gid = p.int_("gid")
        check_id("gid", gid)
        check_message(mtype, msg, attrs)
        mtime = await self.core.send(pid, Kind.GROUP, uid, gid, mid, mtype, msg, attrs,
                                     origin="client")
        return {"mtime": mtime}

    async def sendroommsg(self, conn: ServerConnection, p: Params, pid: int,
                          uid: int) -> Answer:
        mtype, mid, msg, attrs = read_message(p)
        rid = p.int_("rid")
        check_id("rid", rid)
        check_message(mtype, msg, attrs)
        mtime = await self.core.send(pid, Kind.ROOM, uid, rid, mid, mtype, msg, attrs,
                                     origin="client")
        return {"mtime": mtime}

    # ------------------------------------------------------------------ rooms, presence

    async def enterroom(self, conn: ServerConnection, p: Params, pid: int, uid: int) -> Answer:
        await self.store.add_room_member(pid, p.id_("rid"), uid)
        return {}

    async def leaveroom(self, conn: ServerConnection, p: Params, pid: int, uid: int) -> Answer:
        await self.store.del_room_member(pid, p.id_("rid"), uid)
        return {}

    async def getuserrooms(self, conn: ServerConnection, p: Params, pid: int,
                           uid: int) -> Answer:
        return {"rooms": await self.store.user_rooms(pid, uid)}

    async def getonlineusers(self, conn: ServerConnection, p: Params, pid: int,
                             uid: int) -> Answer:
        uids = p.ints("uids")
        check_ids("uids", uids)
        check_list("uids", uids, codes.MAX_ONLINE_QUERY)
        return {"uids": self.hub.online_subset(pid, uids)}
