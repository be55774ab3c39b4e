"""RTC rooms (spec §4.15): voice/video rooms managed from the server side."""

from __future__ import annotations

from typing import Any

from rtm.api.answers import (
    _PARSE_RTC_COUNT,
    _PARSE_RTC_ROOMS,
    _parse_none,
    _parse_rtc_members,
)
from rtm.api.args import (
    _I32,
    RTC_UIDS_MAX,
    _bool,
    _callback,
    _i64,
    _ids,
    _int,
    _member,
    _timeout,
)
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.methods._base import AreaBase
from rtm.api.models import RTCAdminCommand, RTCRoomMembers, RTCRoomType

_ROOM_TYPES = (int(RTCRoomType.VOICE), int(RTCRoomType.VIDEO))
_COMMANDS = tuple(int(c) for c in RTCAdminCommand)


def _silent(fn: str, method: str, params: dict[str, Any], timeout: Any,
            callback: Any) -> Call[None]:
    return Call(method, params, _parse_none, None, False, _timeout(fn, timeout),
                _callback(fn, callback))


class RTCMethods(AreaBase):
    """RTC rooms"""

    @api_method
    def invite_user_into_rtc_room(
        self,
        room_id: int,
        from_uid: int,
        uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Invite ``uids`` (1..100) into an RTC room on behalf of ``from_uid``, who must be
        in the room."""
        fn = "invite_user_into_rtc_room"
        params = {
            "rid": _i64(fn, "room_id", room_id),
            "toUids": _ids(fn, "uids", uids, RTC_UIDS_MAX, required=True),
            "fromUid": _i64(fn, "from_uid", from_uid),
        }
        return _silent(fn, "inviteUserIntoRTCRoom", params, timeout, callback)

    @api_method
    def close_rtc_room(
        self,
        room_id: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Close (destroy) an RTC room; closing an unknown room succeeds."""
        fn = "close_rtc_room"
        params = {"rid": _i64(fn, "room_id", room_id)}
        return _silent(fn, "closeRTCRoom", params, timeout, callback)

    @api_method
    def kickout_from_rtc_room(
        self,
        room_id: int,
        uid: int,
        from_uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Remove ``uid`` from an RTC room (``from_uid``: who kicks)."""
        fn = "kickout_from_rtc_room"
        params = {
            "rid": _i64(fn, "room_id", room_id),
            "fromUid": _i64(fn, "from_uid", from_uid),
            "uid": _i64(fn, "uid", uid),
        }
        return _silent(fn, "kickoutFromRTCRoom", params, timeout, callback)

    @api_method
    def get_rtc_room_list(
        self,
        *,
        timeout: float | None = None,
        callback: ResultCallback[list[int]] | None = None,
    ) -> Call[list[int]]:
        """The ids of the project's RTC rooms."""
        fn = "get_rtc_room_list"
        return Call(
            "getRTCRoomList", {}, _PARSE_RTC_ROOMS, [], True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_rtc_room_members(
        self,
        room_id: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[RTCRoomMembers] | None = None,
    ) -> Call[RTCRoomMembers]:
        """Members, administrators and owner of an RTC room (empty and 0 when unknown)."""
        fn = "get_rtc_room_members"
        params = {"rid": _i64(fn, "room_id", room_id)}
        return Call(
            "getRTCRoomMembers", params, _parse_rtc_members, RTCRoomMembers([], [], 0), True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_rtc_room_member_count(
        self,
        room_id: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """The number of members of an RTC room."""
        fn = "get_rtc_room_member_count"
        params = {"rid": _i64(fn, "room_id", room_id)}
        return Call(
            "getRTCRoomMemberCount", params, _PARSE_RTC_COUNT, 0, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def set_rtc_room_mic_status(
        self,
        room_id: int,
        status: bool,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """The default microphone state (on/off) of users joining the room."""
        fn = "set_rtc_room_mic_status"
        params = {"rid": _i64(fn, "room_id", room_id), "status": _bool(fn, "status", status)}
        return _silent(fn, "setRTCRoomMicStatus", params, timeout, callback)

    @api_method
    def pull_user_into_rtc_room(
        self,
        room_id: int,
        uids: list[int] | tuple[int, ...],
        room_type: RTCRoomType | int,
        voice_range: int = 0,
        max_receive_streams: int = 0,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Put ``uids`` (1..100) into an RTC room, creating it (``room_type`` 1 voice, 2
        video; the first uid becomes the owner) when it does not exist. ``voice_range`` and
        ``max_receive_streams`` are passed through (Go always sends them). Wire
        ``pullIntoRTCRoom``."""
        fn = "pull_user_into_rtc_room"
        params = {
            "rid": _i64(fn, "room_id", room_id),
            "toUids": _ids(fn, "uids", uids, RTC_UIDS_MAX, required=True),
            "type": _member(fn, "room_type", room_type, _ROOM_TYPES,
                            "1 (RTCRoomType.VOICE) or 2 (RTCRoomType.VIDEO)"),
            "voiceRange": _int(fn, "voice_range", voice_range, _I32),
            "maxReceiveStreams": _int(fn, "max_receive_streams", max_receive_streams, _I32),
        }
        return _silent(fn, "pullIntoRTCRoom", params, timeout, callback)

    @api_method
    def admin_command(
        self,
        room_id: int,
        uids: list[int] | tuple[int, ...],
        command: RTCAdminCommand | int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Apply an :class:`RTCAdminCommand` (0..7: appoint/dismiss administrators, forbid/
        allow audio or video, close others' microphone or camera) to ``uids`` (1..100)."""
        fn = "admin_command"
        params = {
            "rid": _i64(fn, "room_id", room_id),
            "uids": _ids(fn, "uids", uids, RTC_UIDS_MAX, required=True),
            "command": _member(fn, "command", command, _COMMANDS, "an RTCAdminCommand, 0..7"),
        }
        return _silent(fn, "adminCommand", params, timeout, callback)
