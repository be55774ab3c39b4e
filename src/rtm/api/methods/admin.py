"""Admin (spec current §4.10): kickout, project black list (no login), project bans (no
sending)."""

from __future__ import annotations

from typing import Any

from rtm.api.answers import (
    _OK,
    _parse_none,
)
from rtm.api.args import (
    _I32,
    _callback,
    _i64,
    _int,
    _str,
    _timeout,
)
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.methods._base import AreaBase


class AdminMethods(AreaBase):
    """Admin"""

    @api_method
    def add_project_black(
        self,
        uid: int,
        banned_seconds: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Block ``uid`` from logging in for ``banned_seconds`` (int32; <= 0 = permanent);
        an online user is kicked out."""
        fn = "add_project_black"
        params = {
            "uid": _i64(fn, "uid", uid),
            "btime": _int(fn, "banned_seconds", banned_seconds, _I32),
        }
        return Call(
            "addprojectblack", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def remove_project_black(
        self,
        uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Take ``uid`` off the project black list."""
        fn = "remove_project_black"
        return Call(
            "removeprojectblack", {"uid": _i64(fn, "uid", uid)}, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def is_project_black(
        self,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[bool] | None = None,
    ) -> Call[bool]:
        """Whether ``uid`` is on the project black list."""
        fn = "is_project_black"
        return Call(
            "isprojectblack", {"uid": _i64(fn, "uid", uid)}, _OK["isprojectblack"], False,
            True, _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def kickout(
        self,
        uid: int,
        *,
        client_endpoint: str = "",
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Disconnect ``uid`` from the client gate: every connection, or only the one whose
        ``"ip:port"`` is ``client_endpoint``. The current wire (Go 0.9.20) has no endpoint, so
        ``ce`` is only sent when given, or always with ``protocol="0.1.0"``."""
        fn = "kickout"
        params: dict[str, Any] = {"uid": _i64(fn, "uid", uid)}
        ce = _str(fn, "client_endpoint", client_endpoint)
        if ce or self._protocol == "0.1.0":
            params["ce"] = ce
        return Call(
            "kickout", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def add_project_ban(
        self,
        uid: int,
        banned_seconds: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Mute ``uid`` in the whole project for ``banned_seconds`` (int32; <= 0 =
        permanent): its sends are refused, but it can still log in and receive."""
        fn = "add_project_ban"
        params = {
            "uid": _i64(fn, "uid", uid),
            "btime": _int(fn, "banned_seconds", banned_seconds, _I32),
        }
        return Call(
            "addprojectban", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def remove_project_ban(
        self,
        uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Lift the project ban of ``uid``."""
        fn = "remove_project_ban"
        return Call(
            "removeprojectban", {"uid": _i64(fn, "uid", uid)}, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def is_project_ban(
        self,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[bool] | None = None,
    ) -> Call[bool]:
        """Whether ``uid`` is currently muted in the project."""
        fn = "is_project_ban"
        return Call(
            "isprojectban", {"uid": _i64(fn, "uid", uid)}, _OK["isprojectban"], False, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip
