"""Users, tokens and sessions (spec §4.9)."""

from __future__ import annotations

from rtm.api.answers import (
    _PARSE_ONLINE,
    _parse_token,
)
from rtm.api.args import (
    ONLINE_MAX,
    _callback,
    _i64,
    _ids,
    _timeout,
)
from rtm.api.call import Call, ResultCallback, api_method
from rtm.api.methods._base import AreaBase


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
        """A login token for ``uid`` on the client gate."""
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
