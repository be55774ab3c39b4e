"""Devices and push options (spec §4.12)."""

from __future__ import annotations

from rtm.api.answers import (
    _parse_none,
)
from rtm.api.args import (
    _callback,
    _i64,
    _str,
    _timeout,
)
from rtm.api.call import Call, StatusCallback, api_method
from rtm.api.methods._base import AreaBase


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
