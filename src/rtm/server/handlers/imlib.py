"""IM library (spec §4.16, §11.9): profiles, IM groups, apply and invite grants.

Check order: parameter presence and types, ids and lists, the IM-library service switch
(200060), then the values and the stored state (200034, 200030).
"""

from __future__ import annotations

from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.core import Answer, ServerCore
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import (
    Params,
    byte_len,
    check_ids,
    check_list,
    read_str_map,
)
from rtm.server.store import ApplyGrant

IM_IDS_MAX = 100  # (E)
OBJECT_TYPES = (0, 1, 2)  # user, group, room
INVITE_OBJECT_TYPES = (1, 2)
APPLY_GRANTS = (0, 1, 2, 3)  # anyone, approval, nobody, password
PASSWORD_GRANT = 3
#: emulator choices (E), like the RTM info limits: key <= 128 bytes, value <= 65535 bytes
MAX_INFO_KEY_BYTES = 128
MAX_INFO_VALUE_BYTES = 65535


def _invalid(message: str) -> Exception:
    return codes.rtm_error(codes.INVALID_PARAMETER, message)


def _checked_infos(infos: dict[str, str]) -> dict[str, str]:
    for key, value in infos.items():
        if byte_len(key) > MAX_INFO_KEY_BYTES:
            raise codes.rtm_error(codes.LARGE_MESSAGE_OR_ATTRS,
                                  f"infos key {key[:40]!r}... is longer than "
                                  f"{MAX_INFO_KEY_BYTES} bytes")
        if byte_len(value) > MAX_INFO_VALUE_BYTES:
            raise codes.rtm_error(codes.LARGE_MESSAGE_OR_ATTRS,
                                  f"infos[{key!r}] is longer than {MAX_INFO_VALUE_BYTES} bytes")
    return infos


def _apply_grant(grant_type: int, extra: str) -> ApplyGrant:
    if grant_type not in APPLY_GRANTS:
        raise _invalid(f"invalid grant_type {grant_type}: expected 0..3")
    if grant_type == PASSWORD_GRANT and not extra:
        raise _invalid("grant_type 3 (password) needs a non-empty extra (the password)")
    return ApplyGrant(grant_type, extra if grant_type == PASSWORD_GRANT else "")


def _object_type(kind: int, allowed: tuple[int, ...]) -> int:
    if kind not in allowed:
        names = {0: "0 (user)", 1: "1 (group)", 2: "2 (room)"}
        raise _invalid(f"invalid type {kind}: expected "
                       f"{' or '.join(names[k] for k in allowed)}")
    return kind


def check_imlib_enabled(core: ServerCore, pid: int) -> None:
    """200060 when the IM library is switched off for project ``pid``."""
    if not core.services.get(pid).enabled("imlib"):
        raise codes.rtm_error(codes.NO_CONFIG_IN_CONSOLE,
                              f"the IM library is switched off for project {pid}")


class IMLibHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "imserver_setuserinfos",
        "imserver_getuserinfos",
        "imserver_setgroupinfos",
        "imserver_getgroupinfos",
        "imserver_creategroup",
        "imserver_dismissgroup",
        "imserver_addgroupmembers",
        "imserver_setapplygrant",
        "imserver_getapplygrant",
        "imserver_setinvitegrant",
        "imserver_getinvitegrant",
    )

    def _imlib_enabled(self, pid: int) -> None:
        check_imlib_enabled(self.core, pid)

    def _ids(self, p: Params, key: str, limit: int) -> list[int]:
        ids = p.ints(key)
        check_ids(key, ids)
        check_list(key, ids, limit)
        return ids

    def _im_infos(self, p: Params) -> dict[str, str]:
        infos = read_str_map(p, "infos")
        assert infos is not None
        return infos

    async def imserver_setuserinfos(self, conn: ServerConnection, p: Params,
                                    pid: int) -> Answer:
        uid, infos = p.id_("uid"), self._im_infos(p)
        self._imlib_enabled(pid)
        await self.store.im_set_user_infos(pid, uid, _checked_infos(infos))
        return {}

    async def imserver_getuserinfos(self, conn: ServerConnection, p: Params,
                                    pid: int) -> Answer:
        uids = self._ids(p, "uids", IM_IDS_MAX)
        self._imlib_enabled(pid)
        infos = await self.store.im_user_infos(pid, uids)
        return {"infos": {str(uid): values for uid, values in infos.items()}}

    async def imserver_setgroupinfos(self, conn: ServerConnection, p: Params,
                                     pid: int) -> Answer:
        gid, infos = p.id_("gid"), self._im_infos(p)
        self._imlib_enabled(pid)
        await self.store.im_set_group_infos(pid, gid, _checked_infos(infos))
        return {}

    async def imserver_getgroupinfos(self, conn: ServerConnection, p: Params,
                                     pid: int) -> Answer:
        gids = self._ids(p, "gids", IM_IDS_MAX)
        self._imlib_enabled(pid)
        infos = await self.store.im_group_infos(pid, gids)
        return {"infos": {str(gid): values for gid, values in infos.items()}}

    async def imserver_creategroup(self, conn: ServerConnection, p: Params,
                                   pid: int) -> Answer:
        gid, owner = p.id_("gid"), p.id_("owner_uid")
        infos = self._im_infos(p)
        # GO always sends permissions, nil when the caller passed none: grant 0
        permissions = read_str_map(p, "permissions", required=False) or {}
        self._imlib_enabled(pid)
        text = permissions.get("type", "0").strip() or "0"
        if not text.isdigit():
            raise _invalid(f"invalid permissions type {text!r}: expected '0'..'3'")
        grant = _apply_grant(int(text), permissions.get("extra", ""))
        await self.store.im_create_group(pid, gid, owner, _checked_infos(infos), grant)
        return {}

    async def imserver_dismissgroup(self, conn: ServerConnection, p: Params,
                                    pid: int) -> Answer:
        gid = p.id_("gid")
        self._imlib_enabled(pid)
        await self.store.del_group(pid, gid)  # the RTM group and its IM record
        return {}

    async def imserver_addgroupmembers(self, conn: ServerConnection, p: Params,
                                       pid: int) -> Answer:
        gid = p.id_("gid")
        uids = self._ids(p, "uids", codes.MAX_LIST_ITEMS)
        self._imlib_enabled(pid)
        await self.store.add_group_members(pid, gid, uids)
        return {}

    async def imserver_setapplygrant(self, conn: ServerConnection, p: Params,
                                     pid: int) -> Answer:
        kind, xid = p.int_("type", "i32"), p.id_("xid")
        grant_type, extra = p.int_("grant_type", "i32"), p.opt_str("extra")
        self._imlib_enabled(pid)
        _object_type(kind, OBJECT_TYPES)
        await self.store.im_set_apply_grant(pid, kind, xid, _apply_grant(grant_type, extra))
        return {}

    async def imserver_getapplygrant(self, conn: ServerConnection, p: Params,
                                     pid: int) -> Answer:
        kind, xid = p.int_("type", "i32"), p.id_("xid")
        self._imlib_enabled(pid)
        _object_type(kind, OBJECT_TYPES)
        grant = await self.store.im_apply_grant(pid, kind, xid)
        return {"grant_type": grant.grant_type}

    async def imserver_setinvitegrant(self, conn: ServerConnection, p: Params,
                                      pid: int) -> Answer:
        kind, xid = p.int_("type", "i32"), p.id_("xid")
        invite_type = p.int_("invite_type", "i32")
        manage_type = p.int_("invite_manage_type", "i32")
        self._imlib_enabled(pid)
        _object_type(kind, INVITE_OBJECT_TYPES)
        for name, value in (("invite_type", invite_type), ("invite_manage_type", manage_type)):
            if value not in (0, 1):
                raise _invalid(f"invalid {name} {value}: expected 0 or 1")
        await self.store.im_set_invite_grant(pid, kind, xid, invite_type, manage_type)
        return {}

    async def imserver_getinvitegrant(self, conn: ServerConnection, p: Params,
                                      pid: int) -> Answer:
        kind, xid = p.int_("type", "i32"), p.id_("xid")
        self._imlib_enabled(pid)
        _object_type(kind, INVITE_OBJECT_TYPES)
        invite_type, manage_type = await self.store.im_invite_grant(pid, kind, xid)
        return {"invite_type": invite_type, "invite_manage_type": manage_type}
