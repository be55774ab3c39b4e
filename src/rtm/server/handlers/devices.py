"""Devices and push options (spec §4.12)."""

from __future__ import annotations

from rtm.fpnn.server import ServerConnection
from rtm.server.core import Answer
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import (
    Params,
)


class DevicesHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "adddevice",
        "removedevice",
    )

    async def adddevice(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid = p.id_("uid")
        apptype, devicetoken = p.str_("apptype"), p.str_("devicetoken")
        await self.store.add_device(pid, uid, apptype, devicetoken)
        return {}

    async def removedevice(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid = p.id_("uid")
        await self.store.remove_device(pid, uid, p.str_("devicetoken"))
        return {}
