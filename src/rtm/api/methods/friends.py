"""Friends (spec §4.5)."""

from __future__ import annotations

from rtm.api.answers import (
    _OK,
    _PARSE_FRIENDS,
    _PARSE_IS_FRIENDS,
    _parse_none,
)
from rtm.api.args import (
    FRIENDS_MAX,
    _callback,
    _i64,
    _ids,
    _timeout,
)
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.methods._base import AreaBase


class FriendsMethods(AreaBase):
    """Friends"""

    @api_method
    def add_friends(
        self,
        uid: int,
        friend_uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Make ``friend_uids`` (1..100 ids) friends of ``uid``."""
        fn = "add_friends"
        params = {
            "uid": _i64(fn, "uid", uid),
            "friends": _ids(fn, "friend_uids", friend_uids, FRIENDS_MAX, required=True),
        }
        return Call(
            "addfriends", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def del_friends(
        self,
        uid: int,
        friend_uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Remove ``friend_uids`` (1..100 ids) from the friends of ``uid``."""
        fn = "del_friends"
        params = {
            "uid": _i64(fn, "uid", uid),
            "friends": _ids(fn, "friend_uids", friend_uids, FRIENDS_MAX, required=True),
        }
        return Call(
            "delfriends", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_friends(
        self,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[list[int]] | None = None,
    ) -> Call[list[int]]:
        """The friend uids of ``uid``."""
        fn = "get_friends"
        return Call(
            "getfriends", {"uid": _i64(fn, "uid", uid)}, _PARSE_FRIENDS, [], True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def is_friend(
        self,
        uid: int,
        peer_uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[bool] | None = None,
    ) -> Call[bool]:
        """Whether ``peer_uid`` is a friend of ``uid``."""
        fn = "is_friend"
        params = {"uid": _i64(fn, "uid", uid), "fuid": _i64(fn, "peer_uid", peer_uid)}
        return Call(
            "isfriend", params, _OK["isfriend"], False, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def is_friends(
        self,
        uid: int,
        uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: ResultCallback[list[int]] | None = None,
    ) -> Call[list[int]]:
        """The subset of ``uids`` (1..100 ids) that are friends of ``uid``."""
        fn = "is_friends"
        params = {
            "uid": _i64(fn, "uid", uid),
            "fuids": _ids(fn, "uids", uids, FRIENDS_MAX, required=True),
        }
        return Call(
            "isfriends", params, _PARSE_IS_FRIENDS, [], True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip
