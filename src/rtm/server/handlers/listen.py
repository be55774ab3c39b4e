"""Listening (spec §4.13, §8)."""

from __future__ import annotations

from rtm.fpnn.server import ServerConnection
from rtm.server.core import Answer
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import (
    Params,
)


class ListenHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "addlisten",
        "removelisten",
        "setlisten",
    )

    async def addlisten(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        self.hub.listen_state(conn, pid).add(p)
        return {}

    async def removelisten(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        self.hub.listen_state(conn, pid).remove(p)
        return {}

    async def setlisten(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        self.hub.listen_state(conn, pid).set(p)
        return {}
