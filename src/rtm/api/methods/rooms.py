"""Rooms (spec §4.8): members, bans, infos."""

from __future__ import annotations

from rtm.api.answers import (
    _OK,
    _parse_none,
)
from rtm.api.args import (
    _I32,
    _callback,
    _i64,
    _int,
    _timeout,
)
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.methods._base import AreaBase


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
        room_id: int,
        uid: int,
        banned_seconds: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Mute ``uid`` in a room for ``banned_seconds`` (int32; <= 0 = permanent)."""
        fn = "add_room_ban"
        params = {
            "rid": _i64(fn, "room_id", room_id),
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
        room_id: int,
        uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Lift the room ban of ``uid``."""
        fn = "remove_room_ban"
        params = {"rid": _i64(fn, "room_id", room_id), "uid": _i64(fn, "uid", uid)}
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
        """Whether ``uid`` is currently muted in the room."""
        fn = "is_ban_of_room"
        params = {"rid": _i64(fn, "room_id", room_id), "uid": _i64(fn, "uid", uid)}
        return Call(
            "isbanofroom", params, _OK["isbanofroom"], False, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip
