"""Rooms (spec §3.7)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rtm.api.answers import (
    _as_int,
    _ids_parser,
    _info_parser,
    _map,
    _parse_public_infos,
    _parse_room_count,
    _want_text,
)
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.files import parse_file_info
from rtm.api.models import HistoryMessageUnit, ObjectInfo, is_file_mtype
from rtm.enduser.commands import rooms as cmd
from rtm.enduser.methods._base import EndUserAreaBase


@dataclass(frozen=True, slots=True)
class EnterRoomsResult:
    """``enter_rooms``: the rooms entered and the rooms refused (the room limit)."""

    entered: list[int]
    failed: list[int]


def _rooms(answer: dict[str, Any]) -> list[int]:
    return [int(rid) for rid in answer.get("rooms") or []]


def _enter_rooms(answer: dict[str, Any]) -> EnterRoomsResult:
    return EnterRoomsResult(_ids_parser("enterrooms", "successedRids")(answer),
                            _ids_parser("enterrooms", "failedRids")(answer))


def _room_message(row: Any) -> HistoryMessageUnit:
    """A room's newest message: the history row of spec §3, as history pages give it."""
    if not isinstance(row, (list, tuple)) or len(row) < 8:
        raise ValueError(f"getuserroomsandlastmsg: a row is not an 8-element array: {row!r}")
    m = "getuserroomsandlastmsg"
    mtype, msg, attrs = _as_int(m, "mtype", row[2]), row[5], row[6]
    info = parse_file_info(mtype, msg, attrs) if is_file_mtype(mtype) else None
    return HistoryMessageUnit(_as_int(m, "id", row[0]), _as_int(m, "from", row[1]), mtype,
                              _as_int(m, "mid", row[3]), bool(row[4]), msg, attrs,
                              _as_int(m, "mtime", row[7]), info)


def _last_messages(answer: dict[str, Any]) -> dict[int, HistoryMessageUnit]:
    return {int(rid): _room_message(row)
            for rid, row in _map("getuserroomsandlastmsg", answer, "rooms").items()}


def _open_info(answer: dict[str, Any]) -> str:
    return _want_text("getroomopeninfo", answer, "oinfo")


class RoomsMethods(EndUserAreaBase):
    """Rooms"""

    @api_method
    def enter_room(self, rid: int, *, timeout: float | None = None,
                   callback: StatusCallback | None = None) -> Call[None]:
        """Enter room ``rid`` (room messages are pushed to the caller from now on)."""
        return self._status_call(cmd.ENTERROOM, "enter_room", timeout=timeout,
                                 callback=callback, rid=rid)

    @api_method
    def enter_rooms(self, rids: list[int] | tuple[int, ...], *, timeout: float | None = None,
                    callback: ResultCallback[EnterRoomsResult] | None = None
                    ) -> Call[EnterRoomsResult]:
        """Enter each of ``rids`` (1..100): which were entered and which refused."""
        return self._call(cmd.ENTERROOMS, "enter_rooms", _enter_rooms,
                          EnterRoomsResult([], []), timeout=timeout, callback=callback,
                          rids=rids)

    @api_method
    def leave_room(self, rid: int, *, timeout: float | None = None,
                   callback: StatusCallback | None = None) -> Call[None]:
        """Leave room ``rid``."""
        return self._status_call(cmd.LEAVEROOM, "leave_room", timeout=timeout,
                                 callback=callback, rid=rid)

    @api_method
    def get_user_rooms(self, *, timeout: float | None = None,
                       callback: ResultCallback[list[int]] | None = None) -> Call[list[int]]:
        """The rooms the caller is in."""
        return self._call(cmd.GETUSERROOMS, "get_user_rooms", _rooms, [], timeout=timeout,
                          callback=callback)

    @api_method
    def get_room_members(self, rid: int, *, timeout: float | None = None,
                         callback: ResultCallback[list[int]] | None = None
                         ) -> Call[list[int]]:
        """The members of room ``rid``, ascending (the caller must be in it)."""
        return self._call(cmd.GETROOMMEMBERS, "get_room_members",
                          _ids_parser("getroommembers", "uids"), [], timeout=timeout,
                          callback=callback, rid=rid)

    @api_method
    def get_room_count(self, rids: list[int] | tuple[int, ...], *,
                       timeout: float | None = None,
                       callback: ResultCallback[dict[int, int]] | None = None
                       ) -> Call[dict[int, int]]:
        """rid -> member count of ``rids`` (1..100; 0 for an empty or unknown room)."""
        return self._call(cmd.GETROOMCOUNT, "get_room_count", _parse_room_count, {},
                          timeout=timeout, callback=callback, rids=rids)

    @api_method
    def set_room_info(self, rid: int, public_info: str | None = None,
                      private_info: str | None = None, *, timeout: float | None = None,
                      callback: StatusCallback | None = None) -> Call[None]:
        """Set the public and/or private info of room ``rid`` (each ≤ 65535 bytes; None
        leaves it unchanged); the caller must be in the room."""
        return self._status_call(cmd.SETROOMINFO, "set_room_info", timeout=timeout,
                                 callback=callback, rid=rid, public_info=public_info,
                                 private_info=private_info)

    @api_method
    def get_room_info(self, rid: int, *, timeout: float | None = None,
                      callback: ResultCallback[ObjectInfo] | None = None) -> Call[ObjectInfo]:
        """The public and private info of room ``rid`` (the caller must be in it)."""
        return self._call(cmd.GETROOMINFO, "get_room_info", _info_parser("getroominfo"),
                          ObjectInfo("", ""), timeout=timeout, callback=callback, rid=rid)

    @api_method
    def get_room_open_info(self, rid: int, *, timeout: float | None = None,
                           callback: ResultCallback[str] | None = None) -> Call[str]:
        """The public info of room ``rid`` (anyone may read it)."""
        return self._call(cmd.GETROOMOPENINFO, "get_room_open_info", _open_info, "",
                          timeout=timeout, callback=callback, rid=rid)

    @api_method
    def get_rooms_open_info(self, rids: list[int] | tuple[int, ...], *,
                            timeout: float | None = None,
                            callback: ResultCallback[dict[int, str]] | None = None
                            ) -> Call[dict[int, str]]:
        """rid -> public info of ``rids`` (1..100), for the rooms that have infos."""
        return self._call(cmd.GETROOMSOPENINFO, "get_rooms_open_info", _parse_public_infos,
                          {}, timeout=timeout, callback=callback, rids=rids)

    @api_method
    def get_user_rooms_and_last_message(
            self, mtypes: list[int] | tuple[int, ...] | None = None, *,
            timeout: float | None = None,
            callback: ResultCallback[dict[int, HistoryMessageUnit]] | None = None
    ) -> Call[dict[int, HistoryMessageUnit]]:
        """rid -> the newest message (of ``mtypes`` when given) of each room the caller is
        in; rooms without one are left out."""
        return self._call(cmd.GETUSERROOMSANDLASTMSG, "get_user_rooms_and_last_message",
                          _last_messages, {}, timeout=timeout, callback=callback,
                          mtypes=mtypes)
