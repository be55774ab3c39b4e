"""Data (spec §3.9): the caller's key/value store."""

from __future__ import annotations

from rtm.api.answers import _parse_data
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.enduser.commands import data as cmd
from rtm.enduser.methods._base import EndUserAreaBase


class DataMethods(EndUserAreaBase):
    """Data"""

    @api_method
    def set_data(self, key: str, value: str, *, timeout: float | None = None,
                 callback: StatusCallback | None = None) -> Call[None]:
        """Store ``value`` (≤ 65535 bytes) under ``key`` (1..128 bytes)."""
        return self._status_call(cmd.DATASET, "set_data", timeout=timeout, callback=callback,
                                 key=key, value=value)

    @api_method
    def get_data(self, key: str, *, timeout: float | None = None,
                 callback: ResultCallback[str | None] | None = None) -> Call[str | None]:
        """The value stored under ``key``; None when there is none."""
        return self._call(cmd.DATAGET, "get_data", _parse_data, None, timeout=timeout,
                          callback=callback, key=key)

    @api_method
    def del_data(self, key: str, *, timeout: float | None = None,
                 callback: StatusCallback | None = None) -> Call[None]:
        """Delete the value under ``key`` (a missing key is not an error)."""
        return self._status_call(cmd.DATADEL, "del_data", timeout=timeout, callback=callback,
                                 key=key)
