"""Users, tokens, infos and sessions (spec current §4.9)."""

from __future__ import annotations

from rtm.api.answers import (
    _INFO,
    _PARSE_ONLINE,
    _parse_none,
    _parse_public_infos,
    _parse_token,
)
from rtm.api.args import (
    INFO_UIDS_MAX,
    ONLINE_MAX,
    SESSIONS_MAX,
    _callback,
    _i64,
    _ids,
    _info_params,
    _timeout,
)
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.methods._base import AreaBase
from rtm.api.models import ObjectInfo


class UsersMethods(AreaBase):
    """Users, tokens and sessions"""

    @api_method
    def get_token(
        self,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[str] | None = None,
    ) -> Call[str]:
        """A login token for ``uid`` on the client gate (earlier tokens stay valid until they
        expire or ``remove_token``)."""
        fn = "get_token"
        return Call(
            "gettoken", {"uid": _i64(fn, "uid", uid)}, _parse_token, "", True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_online_users(
        self,
        uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: ResultCallback[list[int]] | None = None,
    ) -> Call[list[int]]:
        """The subset of ``uids`` (1..200 ids) that are online."""
        fn = "get_online_users"
        params = {"uids": _ids(fn, "uids", uids, ONLINE_MAX, required=True)}
        return Call(
            "getonlineusers", params, _PARSE_ONLINE, [], True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def remove_token(
        self,
        uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Invalidate every login token of ``uid``: it cannot log in again until it gets a new
        one. Connections already logged in stay up (``kickout`` ends them)."""
        fn = "remove_token"
        return Call(
            "removetoken", {"uid": _i64(fn, "uid", uid)}, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def set_user_info(
        self,
        uid: int,
        public_info: str | None = None,
        private_info: str | None = None,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Set the public and/or private info of a user (each up to 65535 bytes); ``None``
        leaves that value unchanged, ``""`` clears it."""
        fn = "set_user_info"
        params = {"uid": _i64(fn, "uid", uid), **_info_params(fn, public_info, private_info)}
        return Call(
            "setuserinfo", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_user_info(
        self,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[ObjectInfo] | None = None,
    ) -> Call[ObjectInfo]:
        """The public and private info of a user (``""`` for a value never set)."""
        fn = "get_user_info"
        return Call(
            "getuserinfo", {"uid": _i64(fn, "uid", uid)}, _INFO["getuserinfo"],
            ObjectInfo("", ""), True, _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_user_public_info(
        self,
        uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: ResultCallback[dict[int, str]] | None = None,
    ) -> Call[dict[int, str]]:
        """uid -> public info, for those of 1..100 ``uids`` that have an info record."""
        fn = "get_user_public_info"
        params = {"uids": _ids(fn, "uids", uids, INFO_UIDS_MAX, required=True)}
        return Call(
            "getuseropeninfo", params, _parse_public_infos, {}, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def add_sessions(
        self,
        uid: int,
        peer_uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Add conversations with 1..100 ``peer_uids`` to ``uid``'s session list."""
        fn = "add_sessions"
        params = {
            "uid": _i64(fn, "uid", uid),
            "uids": _ids(fn, "peer_uids", peer_uids, SESSIONS_MAX, required=True),
        }
        return Call(
            "addsessions", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def remove_sessions(
        self,
        uid: int,
        peer_uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Remove conversations with 1..100 ``peer_uids`` from ``uid``'s session list."""
        fn = "remove_sessions"
        params = {
            "uid": _i64(fn, "uid", uid),
            "uids": _ids(fn, "peer_uids", peer_uids, SESSIONS_MAX, required=True),
        }
        return Call(
            "removesessions", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip
