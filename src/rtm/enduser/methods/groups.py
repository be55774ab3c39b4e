"""Groups (spec §3.6)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rtm.api.answers import (
    _as_int,
    _ids_parser,
    _info_parser,
    _parse_public_infos,
    _want_int,
    _want_text,
)
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.models import ObjectInfo
from rtm.enduser.commands import groups as cmd
from rtm.enduser.methods._base import EndUserAreaBase

_members = _ids_parser("getgroupmembers", "uids")
_onlines = _ids_parser("getgroupmembers", "onlines")


@dataclass(frozen=True, slots=True)
class GroupMembers:
    """A group's members, ascending, and (when asked with ``online=True``) those online."""

    uids: list[int]
    online_uids: list[int]


@dataclass(frozen=True, slots=True)
class GroupCount:
    """A group's member count and (when asked with ``online=True``) how many are online."""

    count: int
    online: int


def _group_members(answer: dict[str, Any]) -> GroupMembers:
    return GroupMembers(_members(answer), _onlines(answer) if "onlines" in answer else [])


def _group_count(answer: dict[str, Any]) -> GroupCount:
    online = answer.get("online")
    return GroupCount(_want_int("getgroupcount", answer, "cn"),
                      0 if online is None else _as_int("getgroupcount", "online", online))


def _open_info(answer: dict[str, Any]) -> str:
    return _want_text("getgroupopeninfo", answer, "oinfo")


class GroupsMethods(EndUserAreaBase):
    """Groups"""

    @api_method
    def add_group_members(self, gid: int, uids: list[int] | tuple[int, ...], *,
                          timeout: float | None = None,
                          callback: StatusCallback | None = None) -> Call[None]:
        """Add ``uids`` (1..100) to group ``gid``: the caller must be a member, or the group
        must have no members yet (the caller then joins it too)."""
        return self._status_call(cmd.ADDGROUPMEMBERS, "add_group_members", timeout=timeout,
                                 callback=callback, gid=gid, uids=uids)

    @api_method
    def del_group_members(self, gid: int, uids: list[int] | tuple[int, ...], *,
                          timeout: float | None = None,
                          callback: StatusCallback | None = None) -> Call[None]:
        """Remove ``uids`` (1..100) from group ``gid`` (the caller must be a member)."""
        return self._status_call(cmd.DELGROUPMEMBERS, "del_group_members", timeout=timeout,
                                 callback=callback, gid=gid, uids=uids)

    @api_method
    def get_group_members(self, gid: int, *, online: bool | None = None,
                          timeout: float | None = None,
                          callback: ResultCallback[GroupMembers] | None = None
                          ) -> Call[GroupMembers]:
        """The members of group ``gid`` (the caller must be one); with ``online=True`` also
        the online ones."""
        return self._call(cmd.GETGROUPMEMBERS, "get_group_members", _group_members,
                          GroupMembers([], []), timeout=timeout, callback=callback, gid=gid,
                          online=online)

    @api_method
    def get_group_count(self, gid: int, *, online: bool | None = None,
                        timeout: float | None = None,
                        callback: ResultCallback[GroupCount] | None = None
                        ) -> Call[GroupCount]:
        """How many members group ``gid`` has (the caller must be one); with ``online=True``
        also how many are online."""
        return self._call(cmd.GETGROUPCOUNT, "get_group_count", _group_count, GroupCount(0, 0),
                          timeout=timeout, callback=callback, gid=gid, online=online)

    @api_method
    def get_user_groups(self, *, timeout: float | None = None,
                        callback: ResultCallback[list[int]] | None = None) -> Call[list[int]]:
        """The groups the caller is a member of, ascending."""
        return self._call(cmd.GETUSERGROUPS, "get_user_groups",
                          _ids_parser("getusergroups", "gids"), [], timeout=timeout,
                          callback=callback)

    @api_method
    def set_group_info(self, gid: int, public_info: str | None = None,
                       private_info: str | None = None, *, timeout: float | None = None,
                       callback: StatusCallback | None = None) -> Call[None]:
        """Set the public and/or private info of group ``gid`` (each ≤ 65535 bytes; None
        leaves it unchanged); the caller must be a member."""
        return self._status_call(cmd.SETGROUPINFO, "set_group_info", timeout=timeout,
                                 callback=callback, gid=gid, public_info=public_info,
                                 private_info=private_info)

    @api_method
    def get_group_info(self, gid: int, *, timeout: float | None = None,
                       callback: ResultCallback[ObjectInfo] | None = None
                       ) -> Call[ObjectInfo]:
        """The public and private info of group ``gid`` (the caller must be a member)."""
        return self._call(cmd.GETGROUPINFO, "get_group_info", _info_parser("getgroupinfo"),
                          ObjectInfo("", ""), timeout=timeout, callback=callback, gid=gid)

    @api_method
    def get_group_open_info(self, gid: int, *, timeout: float | None = None,
                            callback: ResultCallback[str] | None = None) -> Call[str]:
        """The public info of group ``gid`` (anyone may read it)."""
        return self._call(cmd.GETGROUPOPENINFO, "get_group_open_info", _open_info, "",
                          timeout=timeout, callback=callback, gid=gid)

    @api_method
    def get_groups_open_info(self, gids: list[int] | tuple[int, ...], *,
                             timeout: float | None = None,
                             callback: ResultCallback[dict[int, str]] | None = None
                             ) -> Call[dict[int, str]]:
        """gid -> public info of ``gids`` (1..100), for the groups that have infos."""
        return self._call(cmd.GETGROUPSOPENINFO, "get_groups_open_info", _parse_public_infos,
                          {}, timeout=timeout, callback=callback, gids=gids)
