"""The IM library, client side (spec §3.13): friend requests, IM profiles, IM groups and
IM rooms as the caller. Group and room methods are the same set, named after each."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from rtm.api.answers import _want
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.enduser.commands import imclient as cmd
from rtm.enduser.methods._base import EndUserAreaBase

IDs = list[int] | tuple[int, ...]


@dataclass(frozen=True, slots=True)
class IMUserInfo:
    """A user's IM profile and its apply grant (0 anyone, 1 verify, 2 nobody, 3 password)."""

    uid: int
    name: str
    portrait_url: str
    profile: str
    attrs: str
    apply_grant: int


@dataclass(frozen=True, slots=True)
class IMSpaceInfo:
    """An IM group's or room's profile, owner (0: none), grants and managers; ``extra`` is
    a room's (``""`` for a group)."""

    xid: int
    owner_uid: int
    name: str
    portrait_url: str
    profile: str
    attrs: str
    extra: str
    apply_grant: int
    invite_grant: int
    manager_uids: list[int]


@dataclass(frozen=True, slots=True)
class IMApplication:
    """An application to the caller (friend) or to a group/room: who, invited by whom (0:
    itself), status (0 pending, 1 accepted, 2 refused), its extra and attrs, when (ms)."""

    uid: int
    invite_uid: int
    status: int
    extra: str
    attrs: str
    create_time: int


@dataclass(frozen=True, slots=True)
class IMRequest:
    """A pending request of the caller: to user/group/room ``xid``, when (ms), its attrs."""

    xid: int
    create_time: int
    attrs: str


@dataclass(frozen=True, slots=True)
class IMInvitation:
    """An invitation of the caller into group/room ``xid`` by ``from_uid``."""

    xid: int
    from_uid: int
    create_time: int
    attrs: str


@dataclass(frozen=True, slots=True)
class IMMember:
    """A member of an IM group/room: role 0 owner, 1 manager, 2 member; ``online`` for a
    group's members (None for a room's)."""

    uid: int
    role: int
    online: bool | None


def _column(method: str, answer: dict[str, Any], key: str) -> list[Any]:
    value = _want(method, answer, key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{method}: answer key {key!r} is not an array: {value!r}")
    return value


def _columns(method: str, answer: dict[str, Any], *keys: str) -> list[tuple[Any, ...]]:
    columns = [_column(method, answer, key) for key in keys]
    return list(zip(*columns, strict=False))


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def _user_info(uid: int, values: dict[str, Any]) -> IMUserInfo:
    return IMUserInfo(uid, _text(values.get("name")), _text(values.get("portraitUrl")),
                      _text(values.get("profile")), _text(values.get("attrs")),
                      int(values.get("applyGrant") or 0))


def _parse_user_infos(answer: dict[str, Any]) -> list[IMUserInfo]:
    keys = ("uid", "name", "portraitUrl", "profile", "attrs", "applyGrant")
    return [_user_info(int(row[0]), dict(zip(keys, row, strict=True)))
            for row in _columns("imclient_getuserinfos", answer, *keys)]


def _space_info(xid: int, values: dict[str, Any]) -> IMSpaceInfo:
    return IMSpaceInfo(xid, int(values.get("ownerUid") or 0), _text(values.get("name")),
                       _text(values.get("portraitUrl")), _text(values.get("profile")),
                       _text(values.get("attrs")), _text(values.get("extra")),
                       int(values.get("applyGrant") or 0), int(values.get("inviteGrant") or 0),
                       [int(uid) for uid in values.get("managerUids") or []])


def _parse_space_infos(answer: dict[str, Any]) -> list[IMSpaceInfo]:
    keys = ["xid", "ownerUid", "name", "portraitUrl", "profile", "attrs", "applyGrant",
            "inviteGrant", "managerUids"]
    if "extra" in answer:
        keys.append("extra")
    return [_space_info(int(row[0]), dict(zip(keys, row, strict=True)))
            for row in _columns("imclient_get…infos", answer, *keys)]


def _parse_friend_applies(answer: dict[str, Any]) -> list[IMApplication]:
    return [IMApplication(int(uid), 0, int(status), _text(extra), _text(attrs), int(created))
            for uid, status, extra, created, attrs in _columns(
                "imclient_getfriendapplylist", answer, "fromUid", "status", "grantExtra",
                "createTime", "attrs")]


def _parse_applies(answer: dict[str, Any]) -> list[IMApplication]:
    return [IMApplication(int(uid), int(inviter), int(status), _text(extra), _text(attrs),
                          int(created))
            for uid, status, extra, created, inviter, attrs in _columns(
                "imclient_get…applylist", answer, "fromUid", "status", "grantExtra",
                "createTime", "inviteUid", "attrs")]


def _parse_requests(answer: dict[str, Any]) -> list[IMRequest]:
    return [IMRequest(int(xid), int(created), _text(attrs))
            for xid, created, attrs in _columns("imclient_get…requestlist", answer,
                                                "targetXid", "createTime", "attrs")]


def _parse_invitations(answer: dict[str, Any]) -> list[IMInvitation]:
    return [IMInvitation(int(xid), int(inviter), int(created), _text(attrs))
            for xid, created, inviter, attrs in _columns(
                "imclient_get…invitelist", answer, "targetXid", "createTime", "fromXid",
                "attrs")]


def _parse_members(answer: dict[str, Any]) -> list[IMMember]:
    members = []
    for entry in _column("imclient_get…members", answer, "data"):
        if not isinstance(entry, dict):
            raise ValueError(f"imclient_get…members: a member is not a map: {entry!r}")
        online = entry.get("online")
        members.append(IMMember(int(_text(entry.get("uid")) or 0),
                                int(_text(entry.get("role")) or 2),
                                None if online is None else _text(online) == "1"))
    return members


def _parse_count(answer: dict[str, Any]) -> int:
    return int(_want("imclient_get…membercount", answer, "cn"))


def _parse_alias(answer: dict[str, Any]) -> str:
    return _text(_want("imclient_getfriendalias", answer, "val"))


def _parse_nicks(answer: dict[str, Any]) -> dict[int, str]:
    data = _want("imclient_getgrouproomnick", answer, "data") or {}
    return {int(_text(uid)): _text(nick) for uid, nick in data.items()}


_NO_INFO = IMSpaceInfo(0, 0, "", "", "", "", "", 0, 0, [])


class IMClientMethods(EndUserAreaBase):
    """IM library (client side)"""

    @api_method
    def imclient_add_friend(self, uid: int, *, extra: str = "",
                            attrs: str = "", timeout: float | None = None,
                            callback: StatusCallback | None = None) -> Call[None]:
        """Ask ``uid`` to be friends (``extra``: the message, or the password of grant 3);
        friends at once when ``uid``'s apply grant lets anyone in."""
        return self._status_call(cmd.ADDFRIEND, "imclient_add_friend", timeout=timeout,
                                 callback=callback, uid=uid, extra=extra, attrs=attrs)

    @api_method
    def imclient_ack_add_friend(self, uid: int, agree: bool, *, attrs: str = "",
                                timeout: float | None = None,
                                callback: StatusCallback | None = None) -> Call[None]:
        """Accept or refuse ``uid``'s pending friend request."""
        return self._status_call(cmd.ACKADDFRIEND, "imclient_ack_add_friend", timeout=timeout,
                                 callback=callback, uid=uid, agree=agree, attrs=attrs)

    @api_method
    def imclient_set_friend_alias(self, uid: int, alias: str, *,
                                  timeout: float | None = None,
                                  callback: StatusCallback | None = None) -> Call[None]:
        """The caller's alias for its friend ``uid``."""
        return self._status_call(cmd.SETFRIENDALIAS, "imclient_set_friend_alias",
                                 timeout=timeout, callback=callback, uid=uid, alias=alias)

    @api_method
    def imclient_get_friend_alias(self, uid: int, *, timeout: float | None = None,
                                  callback: ResultCallback[str] | None = None) -> Call[str]:
        """The caller's alias for ``uid`` (``""``: none)."""
        return self._call(cmd.GETFRIENDALIAS, "imclient_get_friend_alias", _parse_alias, "",
                          timeout=timeout, callback=callback, uid=uid)

    @api_method
    def imclient_get_friend_apply_list(
            self, *, timeout: float | None = None,
            callback: ResultCallback[list[IMApplication]] | None = None
    ) -> Call[list[IMApplication]]:
        """The friend requests made to the caller, with their status."""
        return self._call(cmd.GETFRIENDAPPLYLIST, "imclient_get_friend_apply_list",
                          _parse_friend_applies, [], timeout=timeout, callback=callback)

    @api_method
    def imclient_get_friend_request_list(
            self, *, timeout: float | None = None,
            callback: ResultCallback[list[IMRequest]] | None = None) -> Call[list[IMRequest]]:
        """The caller's pending friend requests."""
        return self._call(cmd.GETFRIENDREQUESTLIST, "imclient_get_friend_request_list",
                          _parse_requests, [], timeout=timeout, callback=callback)

    @api_method
    def imclient_get_user_info(self, uid: int, *, timeout: float | None = None,
                               callback: ResultCallback[IMUserInfo] | None = None
                               ) -> Call[IMUserInfo]:
        """``uid``'s IM profile."""
        return self._call(cmd.GETUSERINFO, "imclient_get_user_info",
                          functools.partial(_user_info, uid),
                          IMUserInfo(0, "", "", "", "", 0), timeout=timeout, callback=callback,
                          uid=uid)

    @api_method
    def imclient_get_user_infos(self, uids: IDs, *, timeout: float | None = None,
                                callback: ResultCallback[list[IMUserInfo]] | None = None
                                ) -> Call[list[IMUserInfo]]:
        """The IM profiles of ``uids`` (1..100)."""
        return self._call(cmd.GETUSERINFOS, "imclient_get_user_infos", _parse_user_infos, [],
                          timeout=timeout, callback=callback, uids=uids)

    @api_method
    def imclient_get_group_room_nick(self, xid_type: int, xid: int, uids: IDs, *,
                                     timeout: float | None = None,
                                     callback: ResultCallback[dict[int, str]] | None = None
                                     ) -> Call[dict[int, str]]:
        """uid -> nickname of the members among ``uids`` of group (``xid_type`` 1) or room
        (2) ``xid``; the caller must be a member."""
        return self._call(cmd.GETGROUPROOMNICK, "imclient_get_group_room_nick", _parse_nicks,
                          {}, timeout=timeout, callback=callback, xid_type=xid_type, xid=xid,
                          uids=uids)

    # ------------------------------------------------------------------ groups

    @api_method
    def imclient_get_group_info(self, gid: int, *, timeout: float | None = None,
                              callback: ResultCallback[IMSpaceInfo] | None = None
                              ) -> Call[IMSpaceInfo]:
        """The IM info of group ``gid``."""
        return self._call(cmd.GROUP["info"], "imclient_get_group_info",
                          functools.partial(_space_info, gid), _NO_INFO, timeout=timeout,
                          callback=callback, gid=gid)

    @api_method
    def imclient_get_group_infos(self, gids: IDs, *, timeout: float | None = None,
                               callback: ResultCallback[list[IMSpaceInfo]] | None = None
                               ) -> Call[list[IMSpaceInfo]]:
        """The IM infos of groups ``gids`` (1..100)."""
        return self._call(cmd.GROUP["infos"], "imclient_get_group_infos", _parse_space_infos, [],
                          timeout=timeout, callback=callback, gids=gids)

    @api_method
    def imclient_join_group(self, gid: int, *, extra: str = "",
                          attrs: str = "", timeout: float | None = None,
                          callback: StatusCallback | None = None) -> Call[None]:
        """Join group ``gid``, or apply to (its apply grant decides)."""
        return self._status_call(cmd.GROUP["join"], "imclient_join_group", timeout=timeout,
                                 callback=callback, gid=gid, extra=extra, attrs=attrs)

    @api_method
    def imclient_ack_join_group(self, gid: int, from_uid: int, agree: bool, *,
                              attrs: str = "", timeout: float | None = None,
                              callback: StatusCallback | None = None) -> Call[None]:
        """Accept or refuse ``from_uid``'s application (owner or manager)."""
        return self._status_call(cmd.GROUP["ackjoin"], "imclient_ack_join_group", timeout=timeout,
                                 callback=callback, gid=gid, from_uid=from_uid, agree=agree,
                                 attrs=attrs)

    @api_method
    def imclient_invite_into_group(self, gid: int, uids: IDs, *, extra: str = "",
                                 attrs: str = "", timeout: float | None = None,
                                 callback: StatusCallback | None = None) -> Call[None]:
        """Invite ``uids`` (1..100) into group ``gid``."""
        return self._status_call(cmd.GROUP["invite"], "imclient_invite_into_group",
                                 timeout=timeout, callback=callback, gid=gid, uids=uids,
                                 extra=extra, attrs=attrs)

    @api_method
    def imclient_ack_invite_into_group(self, gid: int, from_uid: int, agree: bool, *,
                                     attrs: str = "", timeout: float | None = None,
                                     callback: StatusCallback | None = None) -> Call[None]:
        """Accept or refuse ``from_uid``'s invitation into group ``gid``."""
        return self._status_call(cmd.GROUP["ackinvite"], "imclient_ack_invite_into_group",
                                 timeout=timeout, callback=callback, gid=gid,
                                 from_uid=from_uid, agree=agree, attrs=attrs)

    @api_method
    def imclient_dismiss_group(self, gid: int, *, timeout: float | None = None,
                             callback: StatusCallback | None = None) -> Call[None]:
        """Dismiss group ``gid`` (its owner)."""
        return self._status_call(cmd.GROUP["dismiss"], "imclient_dismiss_group", timeout=timeout,
                                 callback=callback, gid=gid)

    @api_method
    def imclient_leave_group(self, gid: int, *, timeout: float | None = None,
                           callback: StatusCallback | None = None) -> Call[None]:
        """Leave group ``gid`` (not its owner)."""
        return self._status_call(cmd.GROUP["leave"], "imclient_leave_group", timeout=timeout,
                                 callback=callback, gid=gid)

    @api_method
    def imclient_remove_group_members(self, gid: int, uids: IDs, *,
                                    timeout: float | None = None,
                                    callback: StatusCallback | None = None) -> Call[None]:
        """Remove ``uids`` from group ``gid`` (owner or manager)."""
        return self._status_call(cmd.GROUP["remove"], "imclient_remove_group_members",
                                 timeout=timeout, callback=callback, gid=gid, uids=uids)

    @api_method
    def imclient_transfer_group(self, gid: int, to_uid: int, *, timeout: float | None = None,
                              callback: StatusCallback | None = None) -> Call[None]:
        """Make member ``to_uid`` the owner of group ``gid`` (its owner)."""
        return self._status_call(cmd.GROUP["transfer"], "imclient_transfer_group",
                                 timeout=timeout, callback=callback, gid=gid, to_uid=to_uid)

    @api_method
    def imclient_add_group_managers(self, gid: int, uids: IDs, *,
                                  timeout: float | None = None,
                                  callback: StatusCallback | None = None) -> Call[None]:
        """Make members ``uids`` managers of group ``gid`` (its owner)."""
        return self._status_call(cmd.GROUP["addmanagers"], "imclient_add_group_managers",
                                 timeout=timeout, callback=callback, gid=gid, uids=uids)

    @api_method
    def imclient_remove_group_managers(self, gid: int, uids: IDs, *,
                                     timeout: float | None = None,
                                     callback: StatusCallback | None = None) -> Call[None]:
        """``uids`` are no longer managers of group ``gid`` (its owner)."""
        return self._status_call(cmd.GROUP["removemanagers"], "imclient_remove_group_managers",
                                 timeout=timeout, callback=callback, gid=gid, uids=uids)

    @api_method
    def imclient_add_group_member_ban(self, gid: int, to_uid: int, ban_time: int, *,
                                    timeout: float | None = None,
                                    callback: StatusCallback | None = None) -> Call[None]:
        """Mute ``to_uid`` in group ``gid`` for ``ban_time`` seconds (≤ 0: for good)."""
        return self._status_call(cmd.GROUP["ban"], "imclient_add_group_member_ban",
                                 timeout=timeout, callback=callback, gid=gid, to_uid=to_uid,
                                 ban_time=ban_time)

    @api_method
    def imclient_remove_group_member_ban(self, gid: int, to_uid: int, *,
                                       timeout: float | None = None,
                                       callback: StatusCallback | None = None) -> Call[None]:
        """Lift the mute of ``to_uid`` in group ``gid``."""
        return self._status_call(cmd.GROUP["unban"], "imclient_remove_group_member_ban",
                                 timeout=timeout, callback=callback, gid=gid, to_uid=to_uid)

    @api_method
    def imclient_get_group_members(self, gid: int, *, timeout: float | None = None,
                                 callback: ResultCallback[list[IMMember]] | None = None
                                 ) -> Call[list[IMMember]]:
        """The members of group ``gid`` with their roles (the caller must be one)."""
        return self._call(cmd.GROUP["members"], "imclient_get_group_members", _parse_members, [],
                          timeout=timeout, callback=callback, gid=gid)

    @api_method
    def imclient_get_group_member_count(self, gid: int, *, timeout: float | None = None,
                                      callback: ResultCallback[int] | None = None
                                      ) -> Call[int]:
        """How many members group ``gid`` has (the caller must be one)."""
        return self._call(cmd.GROUP["count"], "imclient_get_group_member_count", _parse_count, 0,
                          timeout=timeout, callback=callback, gid=gid)

    @api_method
    def imclient_get_group_apply_list(self, gid: int, *, timeout: float | None = None,
                                    callback: ResultCallback[list[IMApplication]] | None = None
                                    ) -> Call[list[IMApplication]]:
        """The applications to group ``gid`` (owner or manager)."""
        return self._call(cmd.GROUP["applies"], "imclient_get_group_apply_list", _parse_applies,
                          [], timeout=timeout, callback=callback, gid=gid)

    @api_method
    def imclient_get_group_invite_list(self, *, timeout: float | None = None,
                                     callback: ResultCallback[list[IMInvitation]] | None = None
                                     ) -> Call[list[IMInvitation]]:
        """The caller's pending invitations into groups."""
        return self._call(cmd.GROUP["invites"], "imclient_get_group_invite_list",
                          _parse_invitations, [], timeout=timeout, callback=callback)

    @api_method
    def imclient_get_group_request_list(self, *, timeout: float | None = None,
                                      callback: ResultCallback[list[IMRequest]] | None = None
                                      ) -> Call[list[IMRequest]]:
        """The caller's pending applications to groups."""
        return self._call(cmd.GROUP["requests"], "imclient_get_group_request_list",
                          _parse_requests, [], timeout=timeout, callback=callback)

    # ------------------------------------------------------------------ rooms

    @api_method
    def imclient_get_room_info(self, rid: int, *, timeout: float | None = None,
                              callback: ResultCallback[IMSpaceInfo] | None = None
                              ) -> Call[IMSpaceInfo]:
        """The IM info of room ``rid``."""
        return self._call(cmd.ROOM["info"], "imclient_get_room_info",
                          functools.partial(_space_info, rid), _NO_INFO, timeout=timeout,
                          callback=callback, rid=rid)

    @api_method
    def imclient_get_room_infos(self, rids: IDs, *, timeout: float | None = None,
                               callback: ResultCallback[list[IMSpaceInfo]] | None = None
                               ) -> Call[list[IMSpaceInfo]]:
        """The IM infos of rooms ``rids`` (1..100)."""
        return self._call(cmd.ROOM["infos"], "imclient_get_room_infos", _parse_space_infos, [],
                          timeout=timeout, callback=callback, rids=rids)

    @api_method
    def imclient_join_room(self, rid: int, *, extra: str = "",
                          attrs: str = "", timeout: float | None = None,
                          callback: StatusCallback | None = None) -> Call[None]:
        """Join room ``rid``, or apply to (its apply grant decides)."""
        return self._status_call(cmd.ROOM["join"], "imclient_join_room", timeout=timeout,
                                 callback=callback, rid=rid, extra=extra, attrs=attrs)

    @api_method
    def imclient_ack_join_room(self, rid: int, from_uid: int, agree: bool, *,
                              attrs: str = "", timeout: float | None = None,
                              callback: StatusCallback | None = None) -> Call[None]:
        """Accept or refuse ``from_uid``'s application (owner or manager)."""
        return self._status_call(cmd.ROOM["ackjoin"], "imclient_ack_join_room", timeout=timeout,
                                 callback=callback, rid=rid, from_uid=from_uid, agree=agree,
                                 attrs=attrs)

    @api_method
    def imclient_invite_into_room(self, rid: int, uids: IDs, *, extra: str = "",
                                 attrs: str = "", timeout: float | None = None,
                                 callback: StatusCallback | None = None) -> Call[None]:
        """Invite ``uids`` (1..100) into room ``rid``."""
        return self._status_call(cmd.ROOM["invite"], "imclient_invite_into_room",
                                 timeout=timeout, callback=callback, rid=rid, uids=uids,
                                 extra=extra, attrs=attrs)

    @api_method
    def imclient_ack_invite_into_room(self, rid: int, from_uid: int, agree: bool, *,
                                     attrs: str = "", timeout: float | None = None,
                                     callback: StatusCallback | None = None) -> Call[None]:
        """Accept or refuse ``from_uid``'s invitation into room ``rid``."""
        return self._status_call(cmd.ROOM["ackinvite"], "imclient_ack_invite_into_room",
                                 timeout=timeout, callback=callback, rid=rid,
                                 from_uid=from_uid, agree=agree, attrs=attrs)

    @api_method
    def imclient_dismiss_room(self, rid: int, *, timeout: float | None = None,
                             callback: StatusCallback | None = None) -> Call[None]:
        """Dismiss room ``rid`` (its owner)."""
        return self._status_call(cmd.ROOM["dismiss"], "imclient_dismiss_room", timeout=timeout,
                                 callback=callback, rid=rid)

    @api_method
    def imclient_leave_room(self, rid: int, *, timeout: float | None = None,
                           callback: StatusCallback | None = None) -> Call[None]:
        """Leave room ``rid`` (not its owner)."""
        return self._status_call(cmd.ROOM["leave"], "imclient_leave_room", timeout=timeout,
                                 callback=callback, rid=rid)

    @api_method
    def imclient_remove_room_members(self, rid: int, uids: IDs, *,
                                    timeout: float | None = None,
                                    callback: StatusCallback | None = None) -> Call[None]:
        """Remove ``uids`` from room ``rid`` (owner or manager)."""
        return self._status_call(cmd.ROOM["remove"], "imclient_remove_room_members",
                                 timeout=timeout, callback=callback, rid=rid, uids=uids)

    @api_method
    def imclient_transfer_room(self, rid: int, to_uid: int, *, timeout: float | None = None,
                              callback: StatusCallback | None = None) -> Call[None]:
        """Make member ``to_uid`` the owner of room ``rid`` (its owner)."""
        return self._status_call(cmd.ROOM["transfer"], "imclient_transfer_room",
                                 timeout=timeout, callback=callback, rid=rid, to_uid=to_uid)

    @api_method
    def imclient_add_room_managers(self, rid: int, uids: IDs, *,
                                  timeout: float | None = None,
                                  callback: StatusCallback | None = None) -> Call[None]:
        """Make members ``uids`` managers of room ``rid`` (its owner)."""
        return self._status_call(cmd.ROOM["addmanagers"], "imclient_add_room_managers",
                                 timeout=timeout, callback=callback, rid=rid, uids=uids)

    @api_method
    def imclient_remove_room_managers(self, rid: int, uids: IDs, *,
                                     timeout: float | None = None,
                                     callback: StatusCallback | None = None) -> Call[None]:
        """``uids`` are no longer managers of room ``rid`` (its owner)."""
        return self._status_call(cmd.ROOM["removemanagers"], "imclient_remove_room_managers",
                                 timeout=timeout, callback=callback, rid=rid, uids=uids)

    @api_method
    def imclient_add_room_member_ban(self, rid: int, to_uid: int, ban_time: int, *,
                                    timeout: float | None = None,
                                    callback: StatusCallback | None = None) -> Call[None]:
        """Mute ``to_uid`` in room ``rid`` for ``ban_time`` seconds (≤ 0: for good)."""
        return self._status_call(cmd.ROOM["ban"], "imclient_add_room_member_ban",
                                 timeout=timeout, callback=callback, rid=rid, to_uid=to_uid,
                                 ban_time=ban_time)

    @api_method
    def imclient_remove_room_member_ban(self, rid: int, to_uid: int, *,
                                       timeout: float | None = None,
                                       callback: StatusCallback | None = None) -> Call[None]:
        """Lift the mute of ``to_uid`` in room ``rid``."""
        return self._status_call(cmd.ROOM["unban"], "imclient_remove_room_member_ban",
                                 timeout=timeout, callback=callback, rid=rid, to_uid=to_uid)

    @api_method
    def imclient_get_room_members(self, rid: int, *, timeout: float | None = None,
                                 callback: ResultCallback[list[IMMember]] | None = None
                                 ) -> Call[list[IMMember]]:
        """The members of room ``rid`` with their roles (the caller must be one)."""
        return self._call(cmd.ROOM["members"], "imclient_get_room_members", _parse_members, [],
                          timeout=timeout, callback=callback, rid=rid)

    @api_method
    def imclient_get_room_member_count(self, rid: int, *, timeout: float | None = None,
                                      callback: ResultCallback[int] | None = None
                                      ) -> Call[int]:
        """How many members room ``rid`` has (the caller must be one)."""
        return self._call(cmd.ROOM["count"], "imclient_get_room_member_count", _parse_count, 0,
                          timeout=timeout, callback=callback, rid=rid)

    @api_method
    def imclient_get_room_apply_list(self, rid: int, *, timeout: float | None = None,
                                    callback: ResultCallback[list[IMApplication]] | None = None
                                    ) -> Call[list[IMApplication]]:
        """The applications to room ``rid`` (owner or manager)."""
        return self._call(cmd.ROOM["applies"], "imclient_get_room_apply_list", _parse_applies,
                          [], timeout=timeout, callback=callback, rid=rid)

    @api_method
    def imclient_get_room_invite_list(self, *, timeout: float | None = None,
                                     callback: ResultCallback[list[IMInvitation]] | None = None
                                     ) -> Call[list[IMInvitation]]:
        """The caller's pending invitations into rooms."""
        return self._call(cmd.ROOM["invites"], "imclient_get_room_invite_list",
                          _parse_invitations, [], timeout=timeout, callback=callback)

    @api_method
    def imclient_get_room_request_list(self, *, timeout: float | None = None,
                                      callback: ResultCallback[list[IMRequest]] | None = None
                                      ) -> Call[list[IMRequest]]:
        """The caller's pending applications to rooms."""
        return self._call(cmd.ROOM["requests"], "imclient_get_room_request_list",
                          _parse_requests, [], timeout=timeout, callback=callback)
