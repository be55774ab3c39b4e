"""Rooms (spec §3.7)."""

from __future__ import annotations

from typing import Any

from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.enduser.commands import rooms as cmd
from rtm.enduser.methods._base import EndUserAreaBase


def _rooms(answer: dict[str, Any]) -> list[int]:
    return [int(rid) for rid in answer.get("rooms") or []]


class RoomsMethods(EndUserAreaBase):
    """Rooms"""

    @api_method
    def enter_room(self, rid: int, *, timeout: float | None = None,
                   callback: StatusCallback | None = None) -> Call[None]:
        """Enter room ``rid`` (room messages are pushed to the caller from now on)."""
        return self._status_call(cmd.ENTERROOM, "enter_room", timeout=timeout,
                                 callback=callback, rid=rid)

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
