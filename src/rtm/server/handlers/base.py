"""What every area's handlers share: the server core, store, hub and config."""

from __future__ import annotations

from rtm.server.core import ServerCore
from rtm.server.params import (
    Params,
    check_id,
    check_ids,
    check_list,
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

