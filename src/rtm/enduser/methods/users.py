"""Users (spec §3.8)."""

from __future__ import annotations

from typing import Any

from rtm.api.answers import _info_parser, _parse_public_infos, _want_int
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.models import ObjectInfo
from rtm.enduser.commands import users as cmd
from rtm.enduser.methods._base import EndUserAreaBase


def _uids(answer: dict[str, Any]) -> list[int]:
    return [int(uid) for uid in answer.get("uids") or []]


def _server_time(answer: dict[str, Any]) -> int:
    return _want_int("getservertime", answer, "mts")


class UsersMethods(EndUserAreaBase):
    """Users"""

    @api_method
    def get_online_users(self, uids: list[int] | tuple[int, ...], *,
                         timeout: float | None = None,
                         callback: ResultCallback[list[int]] | None = None
                         ) -> Call[list[int]]:
        """Which of ``uids`` (1..200) are online."""
        return self._call(cmd.GETONLINEUSERS, "get_online_users", _uids, [], timeout=timeout,
                          callback=callback, uids=uids)

    @api_method
    def set_user_info(self, public_info: str | None = None, private_info: str | None = None,
                      *, timeout: float | None = None,
                      callback: StatusCallback | None = None) -> Call[None]:
        """Set the caller's public and/or private info (each ≤ 65535 bytes; None leaves it
        unchanged)."""
        return self._status_call(cmd.SETUSERINFO, "set_user_info", timeout=timeout,
                                 callback=callback, public_info=public_info,
                                 private_info=private_info)

    @api_method
    def get_user_info(self, *, timeout: float | None = None,
                      callback: ResultCallback[ObjectInfo] | None = None) -> Call[ObjectInfo]:
        """The caller's public and private info."""
        return self._call(cmd.GETUSERINFO, "get_user_info", _info_parser("getuserinfo"),
                          ObjectInfo("", ""), timeout=timeout, callback=callback)

    @api_method
    def get_user_public_info(self, uids: list[int] | tuple[int, ...], *,
                             timeout: float | None = None,
                             callback: ResultCallback[dict[int, str]] | None = None
                             ) -> Call[dict[int, str]]:
        """uid -> public info of ``uids`` (1..100), for the users that have infos."""
        return self._call(cmd.GETUSEROPENINFO, "get_user_public_info", _parse_public_infos,
                          {}, timeout=timeout, callback=callback, uids=uids)

    @api_method
    def get_server_time(self, *, timeout: float | None = None,
                        callback: ResultCallback[int] | None = None) -> Call[int]:
        """The server's clock (ms since the epoch)."""
        return self._call(cmd.GETSERVERTIME, "get_server_time", _server_time, 0,
                          timeout=timeout, callback=callback)
