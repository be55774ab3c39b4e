"""Groups (spec current §4.7): members, bans (also on every group), infos, counts."""

from __future__ import annotations

from rtm.api.answers import (
    _INFO,
    _OK,
    _PARSE_MEMBERS,
    _PARSE_USER_GROUPS,
    _parse_group_count,
    _parse_none,
)
from rtm.api.args import (
    _I32,
    MEMBERS_MAX,
    _ban_target,
    _callback,
    _i64,
    _ids,
    _info_params,
    _int,
    _timeout,
)
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.methods._base import AreaBase
from rtm.api.models import ObjectInfo


class GroupsMethods(AreaBase):
    """Groups"""

    @api_method
    def add_group_members(
        self,
        group_id: int,
        uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Add 1..100 users to a group (created on first use)."""
        fn = "add_group_members"
        params = {
            "gid": _i64(fn, "group_id", group_id),
            "uids": _ids(fn, "uids", uids, MEMBERS_MAX, required=True),
        }
        return Call(
            "addgroupmembers", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def del_group_members(
        self,
        group_id: int,
        uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Remove 1..100 users from a group."""
        fn = "del_group_members"
        params = {
            "gid": _i64(fn, "group_id", group_id),
            "uids": _ids(fn, "uids", uids, MEMBERS_MAX, required=True),
        }
        return Call(
            "delgroupmembers", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def del_group(
        self,
        group_id: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Delete a group."""
        fn = "del_group"
        return Call(
            "delgroup", {"gid": _i64(fn, "group_id", group_id)}, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_group_members(
        self,
        group_id: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[list[int]] | None = None,
    ) -> Call[list[int]]:
        """The member uids of a group."""
        fn = "get_group_members"
        return Call(
            "getgroupmembers", {"gid": _i64(fn, "group_id", group_id)}, _PARSE_MEMBERS, [],
            True, _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def is_group_member(
        self,
        group_id: int,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[bool] | None = None,
    ) -> Call[bool]:
        """Whether ``uid`` is a member of the group."""
        fn = "is_group_member"
        params = {"gid": _i64(fn, "group_id", group_id), "uid": _i64(fn, "uid", uid)}
        return Call(
            "isgroupmember", params, _OK["isgroupmember"], False, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_user_groups(
        self,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[list[int]] | None = None,
    ) -> Call[list[int]]:
        """The ids of the groups ``uid`` belongs to."""
        fn = "get_user_groups"
        return Call(
            "getusergroups", {"uid": _i64(fn, "uid", uid)}, _PARSE_USER_GROUPS, [], True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def add_group_ban(
        self,
        group_id: int | None,
        uid: int,
        banned_seconds: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Mute ``uid`` in a group for ``banned_seconds`` (int32; <= 0 = permanent).
        ``group_id`` None (or <= 0) mutes it in every group, also groups joined later."""
        fn = "add_group_ban"
        params = {
            **_ban_target(self._protocol, fn, "gid", "group_id", group_id),
            "uid": _i64(fn, "uid", uid),
            "btime": _int(fn, "banned_seconds", banned_seconds, _I32),
        }
        return Call(
            "addgroupban", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def remove_group_ban(
        self,
        group_id: int | None,
        uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Lift the group ban of ``uid``. ``group_id`` None (or <= 0) lifts its ban in every
        group and all of its group bans."""
        fn = "remove_group_ban"
        params = {
            **_ban_target(self._protocol, fn, "gid", "group_id", group_id),
            "uid": _i64(fn, "uid", uid),
        }
        return Call(
            "removegroupban", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def is_ban_of_group(
        self,
        group_id: int,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[bool] | None = None,
    ) -> Call[bool]:
        """Whether ``uid`` is currently muted in the group (by a ban there or in every
        group)."""
        fn = "is_ban_of_group"
        params = {"gid": _i64(fn, "group_id", group_id), "uid": _i64(fn, "uid", uid)}
        return Call(
            "isbanofgroup", params, _OK["isbanofgroup"], False, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_group_count(
        self,
        group_id: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """The number of members of a group (0 for an unknown group)."""
        fn = "get_group_count"
        return Call(
            "getgroupcount", {"gid": _i64(fn, "group_id", group_id)}, _parse_group_count, 0,
            True, _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def set_group_info(
        self,
        group_id: int,
        public_info: str | None = None,
        private_info: str | None = None,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Set the public and/or private info of a group (each up to 65535 bytes); ``None``
        leaves that value unchanged, ``""`` clears it."""
        fn = "set_group_info"
        params = {
            "gid": _i64(fn, "group_id", group_id),
            **_info_params(fn, public_info, private_info),
        }
        return Call(
            "setgroupinfo", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_group_info(
        self,
        group_id: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[ObjectInfo] | None = None,
    ) -> Call[ObjectInfo]:
        """The public and private info of a group (``""`` for a value never set)."""
        fn = "get_group_info"
        return Call(
            "getgroupinfo", {"gid": _i64(fn, "group_id", group_id)}, _INFO["getgroupinfo"],
            ObjectInfo("", ""), True, _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def clear_project_group(
        self,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Delete every group of the project: members, bans and infos (not the group
        history; ``clear_project_message`` clears that)."""
        fn = "clear_project_group"
        return Call(
            "clearprojectgroup", {}, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip
