"""System (spec §3.10): connection attributes, debug logs, devices and push options."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rtm.api.answers import _parse_push_options, _want
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.models import DevicePushOptions, PushOptionType
from rtm.enduser.commands import system as cmd
from rtm.enduser.methods._base import EndUserAreaBase


@dataclass(frozen=True, slots=True)
class SessionAttrs:
    """One live session of the caller: its attrs (from ``auth`` and ``add_attrs``), when it
    logged in (ms) and whether it is the session that asked."""

    attrs: dict[str, str]
    login_ms: int
    mine: bool


def _session(value: Any, mine: bool | None) -> SessionAttrs:
    if not isinstance(value, dict):
        raise ValueError(f"getattrs: a session's attrs is not a map: {value!r}")
    attrs = {str(k): str(v) for k, v in value.items()}
    login = attrs.pop("login", "0")
    is_mine = "my" in attrs if mine is None else mine
    attrs.pop("my", None)
    return SessionAttrs(attrs, int(login) if login.isdigit() else 0, is_mine)


def _sessions(answer: dict[str, Any]) -> list[SessionAttrs]:
    """Both forms of spec §3.10: one map (the calling session) or one map per session."""
    value = _want("getattrs", answer, "attrs")
    if isinstance(value, list):
        return [_session(item, None) for item in value]
    return [_session(value, True)]


class SystemMethods(EndUserAreaBase):
    """System"""

    @api_method
    def add_attrs(self, attrs: dict[str, str], *, timeout: float | None = None,
                  callback: StatusCallback | None = None) -> Call[None]:
        """Add ``attrs`` to this session's attributes (a key sent again takes the new
        value)."""
        return self._status_call(cmd.ADDATTRS, "add_attrs", timeout=timeout, callback=callback,
                                 attrs=attrs)

    @api_method
    def get_attrs(self, *, timeout: float | None = None,
                  callback: ResultCallback[list[SessionAttrs]] | None = None
                  ) -> Call[list[SessionAttrs]]:
        """The attributes of the caller's sessions: every live one for an ``Android-…``
        version, else only this one."""
        return self._call(cmd.GETATTRS, "get_attrs", _sessions, [], timeout=timeout,
                          callback=callback)

    @api_method
    def add_debug_log(self, message: str, attrs: str = "", *, timeout: float | None = None,
                      callback: StatusCallback | None = None) -> Call[None]:
        """Leave a debug log on the server (the console shows it)."""
        return self._status_call(cmd.ADDDEBUGLOG, "add_debug_log", timeout=timeout,
                                 callback=callback, message=message, attrs=attrs)

    @api_method
    def add_device(self, app_type: str, device_token: str, *, tag: str | None = None,
                   timeout: float | None = None,
                   callback: StatusCallback | None = None) -> Call[None]:
        """Register a device token for offline pushes (``app_type`` e.g. ``"fcm"``)."""
        return self._status_call(cmd.ADDDEVICE, "add_device", timeout=timeout,
                                 callback=callback, app_type=app_type,
                                 device_token=device_token, tag=tag)

    @api_method
    def remove_device(self, device_token: str, *, tag: str | None = None,
                      timeout: float | None = None,
                      callback: StatusCallback | None = None) -> Call[None]:
        """Unregister a device token."""
        return self._status_call(cmd.REMOVEDEVICE, "remove_device", timeout=timeout,
                                 callback=callback, device_token=device_token, tag=tag)

    @api_method
    def add_device_push_option(self, option_type: PushOptionType | int, xid: int,
                               mtypes: list[int] | tuple[int, ...] | None = None, *,
                               timeout: float | None = None,
                               callback: StatusCallback | None = None) -> Call[None]:
        """No offline push for messages from peer ``xid`` (type 0) or in group ``xid``
        (type 1); only of ``mtypes`` when given, else of every mtype."""
        return self._status_call(cmd.ADDOPTION, "add_device_push_option", timeout=timeout,
                                 callback=callback, option_type=option_type, xid=xid,
                                 mtypes=mtypes or None)

    @api_method
    def remove_device_push_option(self, option_type: PushOptionType | int, xid: int,
                                  mtypes: list[int] | tuple[int, ...] | None = None, *,
                                  timeout: float | None = None,
                                  callback: StatusCallback | None = None) -> Call[None]:
        """Lift the option of (type, ``xid``): only ``mtypes`` when given, else entirely."""
        return self._status_call(cmd.REMOVEOPTION, "remove_device_push_option",
                                 timeout=timeout, callback=callback, option_type=option_type,
                                 xid=xid, mtypes=mtypes or None)

    @api_method
    def get_device_push_option(self, *, timeout: float | None = None,
                               callback: ResultCallback[DevicePushOptions] | None = None
                               ) -> Call[DevicePushOptions]:
        """The caller's push options (an empty mtype list means every mtype)."""
        return self._call(cmd.GETOPTION, "get_device_push_option", _parse_push_options,
                          DevicePushOptions({}, {}), timeout=timeout, callback=callback)
