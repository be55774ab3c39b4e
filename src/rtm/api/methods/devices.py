"""Devices and push options (spec current §4.12)."""

from __future__ import annotations

from typing import Any

from rtm.api.answers import (
    _parse_none,
    _parse_push_options,
)
from rtm.api.args import (
    _callback,
    _enum_value,
    _i64,
    _mtypes,
    _str,
    _timeout,
)
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.methods._base import AreaBase
from rtm.api.models import DevicePushOptions, PushOptionType

_OPTION_TYPES = {t.value: t.name for t in PushOptionType}


def _option_params(fn: str, uid: Any, option_type: Any, xid: Any,
                   mtypes: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "uid": _i64(fn, "uid", uid),
        "type": _enum_value(fn, "option_type", option_type, _OPTION_TYPES, "PushOptionType"),
        "xid": _i64(fn, "xid", xid),
    }
    wanted = _mtypes(fn, "mtypes", mtypes)
    if wanted:  # Go sends the list only when it is non-empty: absent = every mtype
        params["mtypes"] = wanted
    return params


class DevicesMethods(AreaBase):
    """Devices and push options"""

    @api_method
    def add_device(
        self,
        uid: int,
        app_type: str,
        device_token: str,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Register a push-notification device (``app_type`` e.g. ``"apns"``/``"fcm"``)."""
        fn = "add_device"
        params = {
            "uid": _i64(fn, "uid", uid),
            "apptype": _str(fn, "app_type", app_type),
            "devicetoken": _str(fn, "device_token", device_token),
        }
        return Call(
            "adddevice", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def remove_device(
        self,
        uid: int,
        device_token: str,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Unregister a push-notification device."""
        fn = "remove_device"
        params = {
            "uid": _i64(fn, "uid", uid),
            "devicetoken": _str(fn, "device_token", device_token),
        }
        return Call(
            "removedevice", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def add_device_push_option(
        self,
        uid: int,
        option_type: PushOptionType,
        xid: int,
        mtypes: list[int] | tuple[int, ...] | None = None,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Stop offline pushes to ``uid`` for messages from peer ``xid``
        (``PushOptionType.P2P``) or in group ``xid`` (``PushOptionType.GROUP``): only those of
        ``mtypes``, or of every mtype when it is empty or ``None``. Options add up."""
        fn = "add_device_push_option"
        return Call(
            "addoption", _option_params(fn, uid, option_type, xid, mtypes), _parse_none, None,
            False, _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def remove_device_push_option(
        self,
        uid: int,
        option_type: PushOptionType,
        xid: int,
        mtypes: list[int] | tuple[int, ...] | None = None,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Undo ``add_device_push_option``: these ``mtypes``, or the whole (type, xid) option
        when it is empty or ``None``."""
        fn = "remove_device_push_option"
        return Call(
            "removeoption", _option_params(fn, uid, option_type, xid, mtypes), _parse_none,
            None, False, _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_device_push_option(
        self,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[DevicePushOptions] | None = None,
    ) -> Call[DevicePushOptions]:
        """The push options of ``uid``: peer uid / group id -> muted mtypes (``[]`` = every
        mtype)."""
        fn = "get_device_push_option"
        return Call(
            "getoption", {"uid": _i64(fn, "uid", uid)}, _parse_push_options,
            DevicePushOptions({}, {}), True, _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip
