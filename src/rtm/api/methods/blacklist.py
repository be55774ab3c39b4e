"""Blacklist: user-level blocks (spec current §4.6).

When A blocks B, B can no longer send P2P messages to A (RTM refuses them on the client gate);
A can still message B. The server API is not filtered by default: check ``is_black`` /
``is_blacks`` before sending on a user's behalf.
"""

from __future__ import annotations

from rtm.api.answers import (
    _OK,
    _PARSE_BLACKS,
    _PARSE_IS_BLACKS,
    _parse_none,
)
from rtm.api.args import (
    BLACKS_MAX,
    _callback,
    _i64,
    _ids,
    _timeout,
)
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.methods._base import AreaBase


class BlacklistMethods(AreaBase):
    """Blacklist methods."""

    @api_method
    def add_blacks(
        self,
        uid: int,
        blocked_uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """``uid`` blocks ``blocked_uids`` (1..100 ids): they can no longer send it P2P
        messages. ``uid`` itself in the list is ignored."""
        fn = "add_blacks"
        params = {
            "uid": _i64(fn, "uid", uid),
            "blacks": _ids(fn, "blocked_uids", blocked_uids, BLACKS_MAX, required=True),
        }
        return Call(
            "addblacks", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def del_blacks(
        self,
        uid: int,
        blocked_uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """``uid`` unblocks ``blocked_uids`` (1..100 ids); ids not on its list are ignored."""
        fn = "del_blacks"
        params = {
            "uid": _i64(fn, "uid", uid),
            "blacks": _ids(fn, "blocked_uids", blocked_uids, BLACKS_MAX, required=True),
        }
        return Call(
            "delblacks", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_blacks(
        self,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[list[int]] | None = None,
    ) -> Call[list[int]]:
        """The uids ``uid`` has blocked."""
        fn = "get_blacks"
        return Call(
            "getblacks", {"uid": _i64(fn, "uid", uid)}, _PARSE_BLACKS, [], True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def is_black(
        self,
        uid: int,
        blocker_uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[bool] | None = None,
    ) -> Call[bool]:
        """Whether ``blocker_uid`` has blocked ``uid`` (so ``uid`` may not send it P2P
        messages)."""
        fn = "is_black"
        params = {"uid": _i64(fn, "uid", uid), "buid": _i64(fn, "blocker_uid", blocker_uid)}
        return Call(
            "isblack", params, _OK["isblack"], False, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def is_blacks(
        self,
        uid: int,
        blocker_uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: ResultCallback[list[int]] | None = None,
    ) -> Call[list[int]]:
        """The subset of ``blocker_uids`` (1..100 ids) that have blocked ``uid``."""
        fn = "is_blacks"
        params = {
            "uid": _i64(fn, "uid", uid),
            "buids": _ids(fn, "blocker_uids", blocker_uids, BLACKS_MAX, required=True),
        }
        return Call(
            "isblacks", params, _PARSE_IS_BLACKS, [], True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip
