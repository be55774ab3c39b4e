"""System (spec §3.10): connection attributes across a uid's live sessions, debug logs, and
the device tokens and push options the server API's ``adddevice``/``addoption``… manage."""

from __future__ import annotations

from typing import Any

from rtm.enduser.commands import system as cmd
from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.clientgate.base import ClientArea, User
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer
from rtm.server.handlers.devices import check_push_option, push_options_answer
from rtm.server.pushes import STATE_LOGIN_MS, client_attrs, client_version

#: ``getattrs`` answers a list of every live session's attrs to SDKs of this family.
ANDROID_PREFIX = "Android-"


def _login_ms(conn: ServerConnection) -> int:
    value = conn.state.get(STATE_LOGIN_MS)
    return value if isinstance(value, int) else 0


class SystemArea(ClientArea):
    COMMANDS = cmd.COMMANDS

    async def addattrs(self, user: User, a: Args) -> Answer:
        attrs = client_attrs(user.conn)
        merged = {**attrs, **a["attrs"]}
        size = sum(len(k.encode()) + len(v.encode()) for k, v in merged.items())
        if size > cmd.CONNECTION_ATTRS_MAX:
            raise codes.rtm_error(codes.LARGE_MESSAGE_OR_ATTRS,
                                  f"a connection's attrs would be {size} bytes, at most "
                                  f"{cmd.CONNECTION_ATTRS_MAX}")
        attrs.update(a["attrs"])
        return {}

    async def getattrs(self, user: User, a: Args) -> Answer:
        """The form the caller's SDK reads (decision, spec §3.10): ``Android-…`` gets one map
        per live session of the uid (its attrs, ``login`` and, on the calling one, ``my``);
        any other SDK the calling session's map with ``login``."""
        if not client_version(user.conn).startswith(ANDROID_PREFIX):
            return {"attrs": {**client_attrs(user.conn), "login": str(_login_ms(user.conn))}}
        sessions: list[dict[str, Any]] = []
        for conn in sorted(self.hub.connections(user.pid, user.uid), key=_login_ms):
            attrs = {**client_attrs(conn), "login": str(_login_ms(conn))}
            if conn is user.conn:
                attrs["my"] = "1"
            sessions.append(attrs)
        return {"attrs": sessions}

    async def adddebuglog(self, user: User, a: Args) -> Answer:
        await self.store.add_debug_log(user.pid, user.uid, a["msg"], a["attrs"])
        return {}

    # ``tag`` (a device's label in the SDKs) is read and not kept: the server API's view of a
    # device is (uid, apptype, devicetoken), and both sides share it.

    async def adddevice(self, user: User, a: Args) -> Answer:
        await self.store.add_device(user.pid, user.uid, a["apptype"], a["devicetoken"])
        return {}

    async def removedevice(self, user: User, a: Args) -> Answer:
        await self.store.remove_device(user.pid, user.uid, a["devicetoken"])
        return {}

    async def addoption(self, user: User, a: Args) -> Answer:
        mtypes = check_push_option(a["type"], a["mtypes"])
        await self.store.add_push_option(user.pid, user.uid, a["type"], a["xid"], mtypes)
        return {}

    async def removeoption(self, user: User, a: Args) -> Answer:
        mtypes = check_push_option(a["type"], a["mtypes"])
        await self.store.remove_push_option(user.pid, user.uid, a["type"], a["xid"], mtypes)
        return {}

    async def getoption(self, user: User, a: Args) -> Answer:
        return push_options_answer(await self.store.push_options(user.pid, user.uid))
