"""What every area's handlers share: the server core, store, hub and config."""

from __future__ import annotations

from rtm.server import codes
from rtm.server.core import ServerCore
from rtm.server.params import (
    Params,
    check_id,
    check_ids,
    check_list,
    check_size,
)


class HandlerBase:
    """Base of the per-area handler mixins; ``COMMANDS`` names the wire commands an area answers
    (each is the handler method of the same name)."""

    COMMANDS: tuple[str, ...] = ()

    def __init__(self, core: ServerCore) -> None:
        self.core = core
        self.store = core.store
        self.hub = core.hub
        self.config = core.config

    def _uid_and_list(self, p: Params, key: str, limit: int) -> tuple[int, list[int]]:
        uid, values = p.int_("uid"), p.ints(key)
        check_id("uid", uid)
        check_ids(key, values)
        check_list(key, values, limit)
        return uid, values

    def _xid_uid(self, p: Params, key: str) -> tuple[int, int]:
        xid, uid = p.int_(key), p.int_("uid")
        check_id(key, xid)
        check_id("uid", uid)
        return xid, uid


    @staticmethod
    def _xid_or_all(p: Params, key: str) -> int:
        """``gid``/``rid`` of a ban quest: absent or nil = every group/room (the wildcard 0,
        spec current §4.7); when present it must be > 0 (200001)."""
        if not p.present(key):
            return 0
        xid = p.int_(key)
        check_id(key, xid)
        return xid

    @staticmethod
    def _infos(p: Params) -> tuple[str | None, str | None]:
        """``oinfo``/``pinfo`` of a set*info quest: absent or nil = leave unchanged; each at
        most 65535 bytes (200030)."""
        oinfo = p.str_("oinfo") if p.present("oinfo") else None
        pinfo = p.str_("pinfo") if p.present("pinfo") else None
        for key, value in (("oinfo", oinfo), ("pinfo", pinfo)):
            if value is not None:
                check_size(key, value, codes.MAX_INFO_BYTES)
        return oinfo, pinfo
