"""IM library (spec §4.16): the ``imserver_*`` commands of Go 0.9.20 (user and group profiles,
IM groups, apply and invite grants)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rtm.api.answers import (
    _PARSE_APPLY_GRANT,
    _PARSE_IM_GROUP_INFOS,
    _PARSE_IM_USER_INFOS,
    _parse_invite_grant,
    _parse_none,
)
from rtm.api.args import (
    IM_IDS_MAX,
    MEMBERS_MAX,
    _callback,
    _i64,
    _ids,
    _member,
    _str,
    _str_map,
    _timeout,
)
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.methods._base import AreaBase
from rtm.api.models import IMApplyGrant, IMInviteGrant, IMObjectType

_OBJECT_TYPES = tuple(int(t) for t in IMObjectType)
_OBJECT_LABEL = "an IMObjectType: 0 user, 1 group, 2 room"
_INVITE_OBJECT_TYPES = (int(IMObjectType.GROUP), int(IMObjectType.ROOM))
_INVITE_OBJECT_LABEL = "1 (IMObjectType.GROUP) or 2 (IMObjectType.ROOM)"
_GRANTS = tuple(int(g) for g in IMApplyGrant)
_FLAGS = (0, 1)


def _silent(fn: str, method: str, params: dict[str, Any], timeout: Any,
            callback: Any) -> Call[None]:
    return Call(method, params, _parse_none, None, False, _timeout(fn, timeout),
                _callback(fn, callback))


class IMLibMethods(AreaBase):
    """IM library"""

    @api_method
    def imserver_set_user_infos(
        self,
        uid: int,
        infos: Mapping[str, str],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Merge ``infos`` (e.g. ``nick``, ``portraitUrl``, ``profile``, ``level``,
        ``customData``) into the IM profile of ``uid``."""
        fn = "imserver_set_user_infos"
        params = {"uid": _i64(fn, "uid", uid), "infos": _str_map(fn, "infos", infos)}
        return _silent(fn, "imserver_setuserinfos", params, timeout, callback)

    @api_method
    def imserver_get_user_infos(
        self,
        uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: ResultCallback[dict[int, dict[str, str]]] | None = None,
    ) -> Call[dict[int, dict[str, str]]]:
        """The IM profiles of ``uids`` (1..100): ``{uid: {key: value}}``; users without a
        profile are left out."""
        fn = "imserver_get_user_infos"
        params = {"uids": _ids(fn, "uids", uids, IM_IDS_MAX, required=True)}
        return Call(
            "imserver_getuserinfos", params, _PARSE_IM_USER_INFOS, {}, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def imserver_set_group_infos(
        self,
        group_id: int,
        infos: Mapping[str, str],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Merge ``infos`` (e.g. ``name``, ``portraitUrl``, ``profile``, ``customData``) into
        the IM profile of a group."""
        fn = "imserver_set_group_infos"
        params = {"gid": _i64(fn, "group_id", group_id), "infos": _str_map(fn, "infos", infos)}
        return _silent(fn, "imserver_setgroupinfos", params, timeout, callback)

    @api_method
    def imserver_get_group_infos(
        self,
        group_ids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: ResultCallback[dict[int, dict[str, str]]] | None = None,
    ) -> Call[dict[int, dict[str, str]]]:
        """The IM profiles of ``group_ids`` (1..100): ``{gid: {key: value}}``."""
        fn = "imserver_get_group_infos"
        params = {"gids": _ids(fn, "group_ids", group_ids, IM_IDS_MAX, required=True)}
        return Call(
            "imserver_getgroupinfos", params, _PARSE_IM_GROUP_INFOS, {}, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def imserver_create_group(
        self,
        group_id: int,
        owner_uid: int,
        infos: Mapping[str, str],
        permissions: Mapping[str, str] | None = None,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Create an IM group owned by ``owner_uid`` (who joins the RTM group) with its
        profile ``infos``. ``permissions``: ``{"type": "0".."3"}`` is the apply grant (see
        :class:`IMApplyGrant`), ``"extra"`` the password of grant 3; ``None`` = grant 0."""
        fn = "imserver_create_group"
        params = {
            "gid": _i64(fn, "group_id", group_id),
            "owner_uid": _i64(fn, "owner_uid", owner_uid),
            "infos": _str_map(fn, "infos", infos),
            # Go sends a nil map as msgpack nil
            "permissions": None if permissions is None else _str_map(fn, "permissions",
                                                                     permissions),
        }
        return _silent(fn, "imserver_creategroup", params, timeout, callback)

    @api_method
    def imserver_dismiss_group(
        self,
        group_id: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Dismiss an IM group: the RTM group (members, bans, history) and its IM records."""
        fn = "imserver_dismiss_group"
        params = {"gid": _i64(fn, "group_id", group_id)}
        return _silent(fn, "imserver_dismissgroup", params, timeout, callback)

    @api_method
    def imserver_add_group_members(
        self,
        group_id: int,
        uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Add 1..100 members to an IM group (as ``add_group_members``)."""
        fn = "imserver_add_group_members"
        params = {
            "gid": _i64(fn, "group_id", group_id),
            "uids": _ids(fn, "uids", uids, MEMBERS_MAX, required=True),
        }
        return _silent(fn, "imserver_addgroupmembers", params, timeout, callback)

    @api_method
    def imserver_set_apply_grant(
        self,
        object_type: IMObjectType | int,
        xid: int,
        grant_type: IMApplyGrant | int,
        extra: str = "",
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Who may join user/group/room ``xid``: an :class:`IMApplyGrant` (0 anyone,
        1 approval, 2 nobody, 3 password = ``extra``, which must then be non-empty)."""
        fn = "imserver_set_apply_grant"
        grant = _member(fn, "grant_type", grant_type, _GRANTS, "an IMApplyGrant, 0..3")
        password = _str(fn, "extra", extra)
        if grant == IMApplyGrant.PASSWORD and not password:
            raise ValueError(f"{fn}(): 'extra' (the password) must not be empty with "
                             "IMApplyGrant.PASSWORD")
        params: dict[str, Any] = {
            "type": _member(fn, "object_type", object_type, _OBJECT_TYPES, _OBJECT_LABEL),
            "xid": _i64(fn, "xid", xid),
            "grant_type": grant,
        }
        if password:  # Go sends extra only when non-empty
            params["extra"] = password
        return _silent(fn, "imserver_setapplygrant", params, timeout, callback)

    @api_method
    def imserver_get_apply_grant(
        self,
        object_type: IMObjectType | int,
        xid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """The apply grant of user/group/room ``xid`` (an :class:`IMApplyGrant` value)."""
        fn = "imserver_get_apply_grant"
        params = {
            "type": _member(fn, "object_type", object_type, _OBJECT_TYPES, _OBJECT_LABEL),
            "xid": _i64(fn, "xid", xid),
        }
        return Call(
            "imserver_getapplygrant", params, _PARSE_APPLY_GRANT, -1, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def imserver_set_invite_grant(
        self,
        object_type: IMObjectType | int,
        xid: int,
        invite_type: int,
        invite_manage_type: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Invitation rules of group/room ``xid``: ``invite_type`` 0 members may not
        invite, 1 may; ``invite_manage_type`` 0 an admin approves, 1 the invitee joins."""
        fn = "imserver_set_invite_grant"
        params = {
            "type": _member(fn, "object_type", object_type, _INVITE_OBJECT_TYPES,
                            _INVITE_OBJECT_LABEL),
            "xid": _i64(fn, "xid", xid),
            "invite_type": _member(fn, "invite_type", invite_type, _FLAGS, "0 or 1"),
            "invite_manage_type": _member(fn, "invite_manage_type", invite_manage_type, _FLAGS,
                                          "0 or 1"),
        }
        return _silent(fn, "imserver_setinvitegrant", params, timeout, callback)

    @api_method
    def imserver_get_invite_grant(
        self,
        object_type: IMObjectType | int,
        xid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[IMInviteGrant] | None = None,
    ) -> Call[IMInviteGrant]:
        """The invitation rules of group/room ``xid`` (defaults 0, 0)."""
        fn = "imserver_get_invite_grant"
        params = {
            "type": _member(fn, "object_type", object_type, _INVITE_OBJECT_TYPES,
                            _INVITE_OBJECT_LABEL),
            "xid": _i64(fn, "xid", xid),
        }
        return Call(
            "imserver_getinvitegrant", params, _parse_invite_grant, IMInviteGrant(-1, -1), True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip
