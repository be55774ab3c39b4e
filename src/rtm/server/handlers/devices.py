"""Devices and push options (spec current §4.12)."""

from __future__ import annotations

from typing import Any

from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.core import Answer
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import (
    I8,
    Params,
)
from rtm.server.store import PUSH_OPTION_GROUP, PUSH_OPTION_P2P


def check_push_option(kind: int, mtypes: list[int] | None) -> list[int]:
    """The checked ``type`` (0 P2P, 1 group: 200034 otherwise) and ``mtypes`` (each an int8:
    10010 otherwise) of ``addoption``/``removeoption``; absent, nil or empty ``mtypes`` = every
    mtype (returned as [])."""
    if kind not in (PUSH_OPTION_P2P, PUSH_OPTION_GROUP):
        raise codes.rtm_error(codes.INVALID_PARAMETER,
                              f"invalid type {kind}: 0 (P2P) or 1 (group)")
    lo, hi = I8
    for mtype in mtypes or []:
        if not lo <= mtype <= hi:
            raise codes.rtm_error(codes.TYPE_CONVERT,
                                  f"key 'mtypes' expects arr<i8>, got an element {mtype}")
    return mtypes or []


def push_options_answer(options: dict[int, dict[int, list[int]]]) -> dict[str, Any]:
    """``getoption``'s answer: both maps always present, decimal string keys (spec §2
    optionmap); [] = every mtype."""
    return {
        key: {str(xid): mtypes for xid, mtypes in options[kind].items()}
        for key, kind in (("p2p", PUSH_OPTION_P2P), ("group", PUSH_OPTION_GROUP))
    }


class DevicesHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "adddevice",
        "removedevice",
        "addoption",
        "removeoption",
        "getoption",
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

    @staticmethod
    def _option(p: Params) -> tuple[int, int, int, list[int]]:
        """(uid, type, xid, mtypes) of ``addoption``/``removeoption``; absent, nil or empty
        ``mtypes`` = every mtype."""
        uid, kind, xid = p.id_("uid"), p.int_("type", "i8"), p.id_("xid")
        return uid, kind, xid, check_push_option(kind, p.opt_ints("mtypes"))

    async def addoption(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, kind, xid, mtypes = self._option(p)
        await self.store.add_push_option(pid, uid, kind, xid, mtypes)
        return {}

    async def removeoption(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, kind, xid, mtypes = self._option(p)
        await self.store.remove_push_option(pid, uid, kind, xid, mtypes)
        return {}

    async def getoption(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        return push_options_answer(await self.store.push_options(pid, p.id_("uid")))
