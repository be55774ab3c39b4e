"""Data store (spec current §4.11): one string value per (uid, key), kept by RTM."""

from __future__ import annotations

from rtm.api.answers import (
    _parse_data,
    _parse_none,
)
from rtm.api.args import (
    _callback,
    _i64,
    _str,
    _timeout,
)
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.methods._base import AreaBase


class DataMethods(AreaBase):
    """Data store methods."""

    @api_method
    def get_data(
        self,
        uid: int,
        key: str,
        *,
        timeout: float | None = None,
        callback: ResultCallback[str | None] | None = None,
    ) -> Call[str | None]:
        """The value stored under ``key`` for ``uid``, or ``None`` when there is none (Go
        returns ``""`` for both; ``""`` here is a stored empty value)."""
        fn = "get_data"
        params = {"uid": _i64(fn, "uid", uid), "key": _str(fn, "key", key)}
        return Call(
            "dataget", params, _parse_data, None, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def set_data(
        self,
        uid: int,
        key: str,
        value: str,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Store ``value`` (up to 65535 bytes) under ``key`` (1..128 bytes) for ``uid``,
        replacing any previous value."""
        fn = "set_data"
        params = {
            "uid": _i64(fn, "uid", uid),
            "key": _str(fn, "key", key),
            "val": _str(fn, "value", value),
        }
        return Call(
            "dataset", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def del_data(
        self,
        uid: int,
        key: str,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Delete the value under ``key`` for ``uid`` (a missing key is not an error)."""
        fn = "del_data"
        params = {"uid": _i64(fn, "uid", uid), "key": _str(fn, "key", key)}
        return Call(
            "datadel", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip
