"""Rooms (spec current §4.8): members, bans (also on every room), infos, counts."""

from __future__ import annotations

from rtm.api.answers import (
    _INFO,
    _OK,
    _PARSE_ADDED_ROOM_MEMBERS,
    _PARSE_REMOVED_ROOM_MEMBERS,
    _PARSE_ROOM_MEMBERS,
    _parse_none,
    _parse_room_count,
)
from rtm.api.args import (
    _I32,
    MEMBERS_MAX,
    ROOM_IDS_MAX,
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


class RoomsMethods(AreaBase):
    """Rooms"""

    @api_method
    def add_room_member(
        self,
        room_id: int,
        uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Put ``uid`` into a room (created on first use)."""
        fn = "add_room_member"
        params = {"rid": _i64(fn, "room_id", room_id), "uid": _i64(fn, "uid", uid)}
        return Call(
            "addroommember", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def del_room_member(
        self,
        room_id: int,
        uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Remove ``uid`` from a room."""
        fn = "del_room_member"
        params = {"rid": _i64(fn, "room_id", room_id), "uid": _i64(fn, "uid", uid)}
        return Call(
            "delroommember", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def add_room_ban(
        self,
        room_id: int | None,
        uid: int,
        banned_seconds: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Mute ``uid`` in a room for ``banned_seconds`` (int32; <= 0 = permanent).
        ``room_id`` None (or <= 0) mutes it in every room."""
        fn = "add_room_ban"
        params = {
            **_ban_target(self._protocol, fn, "rid", "room_id", room_id),
            "uid": _i64(fn, "uid", uid),
            "btime": _int(fn, "banned_seconds", banned_seconds, _I32),
        }
        return Call(
            "addroomban", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def remove_room_ban(
        self,
        room_id: int | None,
        uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Lift the room ban of ``uid``. ``room_id`` None (or <= 0) lifts its ban in every
        room and all of its room bans."""
        fn = "remove_room_ban"
        params = {
            **_ban_target(self._protocol, fn, "rid", "room_id", room_id),
            "uid": _i64(fn, "uid", uid),
        }
        return Call(
            "removeroomban", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def is_ban_of_room(
        self,
        room_id: int,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[bool] | None = None,
    ) -> Call[bool]:
        """Whether ``uid`` is currently muted in the room (by a ban there or in every
        room)."""
        fn = "is_ban_of_room"
        params = {"rid": _i64(fn, "room_id", room_id), "uid": _i64(fn, "uid", uid)}
        return Call(
            "isbanofroom", params, _OK["isbanofroom"], False, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def add_room_members(
        self,
        room_id: int,
        uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: ResultCallback[list[int]] | None = None,
    ) -> Call[list[int]]:
        """Put 1..100 users into a room; returns the uids that are members afterwards (a user
        already in 10 rooms is left out)."""
        fn = "add_room_members"
        params = {
            "rid": _i64(fn, "room_id", room_id),
            "uids": _ids(fn, "uids", uids, MEMBERS_MAX, required=True),
        }
        return Call(
            "addroommembers", params, _PARSE_ADDED_ROOM_MEMBERS, [], True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def del_room_members(
        self,
        room_id: int,
        uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: ResultCallback[list[int]] | None = None,
    ) -> Call[list[int]]:
        """Take 1..100 users out of a room; returns the uids no longer in it."""
        fn = "del_room_members"
        params = {
            "rid": _i64(fn, "room_id", room_id),
            "uids": _ids(fn, "uids", uids, MEMBERS_MAX, required=True),
        }
        return Call(
            "delroommembers", params, _PARSE_REMOVED_ROOM_MEMBERS, [], True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def set_room_info(
        self,
        room_id: int,
        public_info: str | None = None,
        private_info: str | None = None,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Set the public and/or private info of a room (each up to 65535 bytes); ``None``
        leaves that value unchanged, ``""`` clears it."""
        fn = "set_room_info"
        params = {
            "rid": _i64(fn, "room_id", room_id),
            **_info_params(fn, public_info, private_info),
        }
        return Call(
            "setroominfo", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_room_info(
        self,
        room_id: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[ObjectInfo] | None = None,
    ) -> Call[ObjectInfo]:
        """The public and private info of a room (``""`` for a value never set)."""
        fn = "get_room_info"
        return Call(
            "getroominfo", {"rid": _i64(fn, "room_id", room_id)}, _INFO["getroominfo"],
            ObjectInfo("", ""), True, _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_room_members(
        self,
        room_id: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[list[int]] | None = None,
    ) -> Call[list[int]]:
        """The member uids of a room."""
        fn = "get_room_members"
        return Call(
            "getroommembers", {"rid": _i64(fn, "room_id", room_id)}, _PARSE_ROOM_MEMBERS, [],
            True, _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_room_count(
        self,
        room_ids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: ResultCallback[dict[int, int]] | None = None,
    ) -> Call[dict[int, int]]:
        """Room id -> number of members, for 1..100 rooms (0 for an empty or unknown one)."""
        fn = "get_room_count"
        params = {"rids": _ids(fn, "room_ids", room_ids, ROOM_IDS_MAX, required=True)}
        return Call(
            "getroomcount", params, _parse_room_count, {}, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def add_user_rooms(
        self,
        room_ids: list[int] | tuple[int, ...],
        uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Put ``uid`` into each of 1..100 rooms, all or nothing (a user is in at most 10
        rooms)."""
        fn = "add_user_rooms"
        params = {
            "rids": _ids(fn, "room_ids", room_ids, ROOM_IDS_MAX, required=True),
            "uid": _i64(fn, "uid", uid),
        }
        return Call(
            "adduserrooms", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def delete_user_rooms(
        self,
        room_ids: list[int] | tuple[int, ...],
        uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Take ``uid`` out of each of 1..100 rooms."""
        fn = "delete_user_rooms"
        params = {
            "rids": _ids(fn, "room_ids", room_ids, ROOM_IDS_MAX, required=True),
            "uid": _i64(fn, "uid", uid),
        }
        return Call(
            "deleteuserrooms", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip
