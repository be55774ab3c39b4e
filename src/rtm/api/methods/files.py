"""Files (spec §4.4, §5): file token, then the file-gate quest."""

from __future__ import annotations

import logging
from typing import Any

from rtm.api.answers import (
    _MTIME,
    _PARSE_FILETOKEN,
)
from rtm.api.args import (
    _I32,
    TOS_MAX,
    _callback,
    _file_bytes,
    _i64,
    _ids,
    _int,
    _mtype,
    _str,
    _timeout,
)
from rtm.api.call import Call, ResultCallback, api_method
from rtm.api.files import FILE_MTYPE_DEFAULT, file_attrs, file_attrs_current, file_sign
from rtm.api.methods._base import AreaBase
from rtm.api.models import AudioInfo

log = logging.getLogger("rtm.api")


def _audio_info(fn: str, value: Any) -> AudioInfo | None:
    if value is None:
        return None
    if not isinstance(value, AudioInfo):
        raise TypeError(f"{fn}(): 'audio_info' must be an AudioInfo or None, "
                        f"got {type(value).__name__}")
    _str(fn, "audio_info.codec", value.codec)
    _str(fn, "audio_info.lang", value.lang)
    _int(fn, "audio_info.srate", value.srate, _I32)
    _int(fn, "audio_info.duration", value.duration, _I32)
    return value

class FilesMethods(AreaBase):
    """Files"""

    def _rtm_file(
        self,
        fn: str,
        cmd: str,
        target_key: str | None,
        target: Any,
        from_uid: Any,
        file_content: Any,
        filename: Any,
        mtype: Any,
        extension: Any,
        attrs: Any,
        audio_info: Any,
        mid: Any,
        timeout: Any,
        callback: Any,
    ) -> Call[int]:
        from_uid = _i64(fn, "from_uid", from_uid)
        content = _file_bytes(fn, file_content)
        filename = _str(fn, "filename", filename)
        mtype = _mtype(fn, mtype)
        if extension is not None:
            extension = _str(fn, "extension", extension)
        custom = _str(fn, "attrs", attrs)
        audio = _audio_info(fn, audio_info)
        legacy = self._legacy_file_attrs
        if legacy and audio is not None:
            raise ValueError(f"{fn}(): 'audio_info' needs protocol='current' (the 0.1.0 "
                             "file attrs have no place for it)")
        if legacy and custom:
            log.warning(
                "%s(): 'attrs' is not sent: the 0.1.0 file quest has no slot for user attrs", fn
            )
        mid = self._mids.next() if mid is None else _i64(fn, "mid", mid)
        timeout = _timeout(fn, timeout)
        callback = _callback(fn, callback)

        token_params: dict[str, Any] = {"from": from_uid, "cmd": cmd}
        gate_params: dict[str, Any] = {
            "pid": self._pid,
            "mtype": mtype,
            "from": from_uid,
            "mid": mid,
            "file": content,
        }
        if target_key is not None:
            token_params[target_key] = target
            gate_params[target_key] = target
        parse_mtime = _MTIME[cmd]

        def then(result: tuple[str, str]) -> Call[int]:
            token, endpoint = result
            params = dict(gate_params)
            params["token"] = token
            sign = file_sign(content, token)
            if legacy:
                params["attrs"] = file_attrs(sign, filename, extension, legacy=True)
            else:
                params["attrs"] = file_attrs_current(sign, filename, extension, custom, audio)
            return Call(cmd, params, parse_mtime, 0, True, timeout, signed=False, endpoint=endpoint)

        return Call(
            "filetoken", token_params, _PARSE_FILETOKEN, 0, True, timeout, callback, then=then
        )

    @api_method
    def send_file(
        self,
        from_uid: int,
        to_uid: int,
        file_content: bytes,
        filename: str,
        *,
        mtype: int = FILE_MTYPE_DEFAULT,
        extension: str | None = None,
        attrs: str = "",
        audio_info: AudioInfo | None = None,
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a file to one user (``filetoken`` quest, then the file gate); returns
        ``mtime``. ``extension`` defaults to the part of ``filename`` after its last dot.
        ``mtype`` 40 image, 41 audio, 42 video, 50 file. ``attrs``: your custom attrs (a JSON
        object text, or any string), sent under ``custom``; ``audio_info`` marks an RTM audio
        message (use ``mtype=41``). With ``protocol="0.1.0"`` the flat 0.1.0 attrs are sent:
        no ``attrs`` (a warning is logged) and no ``audio_info`` (refused)."""
        fn = "send_file"
        return self._rtm_file(
            fn, "sendfile", "to", _i64(fn, "to_uid", to_uid), from_uid, file_content,
            filename, mtype, extension, attrs, audio_info, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_files(
        self,
        from_uid: int,
        to_uids: list[int] | tuple[int, ...],
        file_content: bytes,
        filename: str,
        *,
        mtype: int = FILE_MTYPE_DEFAULT,
        extension: str | None = None,
        attrs: str = "",
        audio_info: AudioInfo | None = None,
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a file to up to 2000 users (see ``send_file``)."""
        fn = "send_files"
        return self._rtm_file(
            fn, "sendfiles", "tos", _ids(fn, "to_uids", to_uids, TOS_MAX, required=True),
            from_uid, file_content, filename, mtype, extension, attrs, audio_info, mid,
            timeout, callback,
        )  # fmt: skip

    @api_method
    def send_group_file(
        self,
        from_uid: int,
        group_id: int,
        file_content: bytes,
        filename: str,
        *,
        mtype: int = FILE_MTYPE_DEFAULT,
        extension: str | None = None,
        attrs: str = "",
        audio_info: AudioInfo | None = None,
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a file to a group (see ``send_file``)."""
        fn = "send_group_file"
        return self._rtm_file(
            fn, "sendgroupfile", "gid", _i64(fn, "group_id", group_id), from_uid,
            file_content, filename, mtype, extension, attrs, audio_info, mid, timeout,
            callback,
        )  # fmt: skip

    @api_method
    def send_room_file(
        self,
        from_uid: int,
        room_id: int,
        file_content: bytes,
        filename: str,
        *,
        mtype: int = FILE_MTYPE_DEFAULT,
        extension: str | None = None,
        attrs: str = "",
        audio_info: AudioInfo | None = None,
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a file to a room (see ``send_file``)."""
        fn = "send_room_file"
        return self._rtm_file(
            fn, "sendroomfile", "rid", _i64(fn, "room_id", room_id), from_uid,
            file_content, filename, mtype, extension, attrs, audio_info, mid, timeout,
            callback,
        )  # fmt: skip

    @api_method
    def send_broadcast_file(
        self,
        from_uid: int,
        file_content: bytes,
        filename: str,
        *,
        mtype: int = FILE_MTYPE_DEFAULT,
        extension: str | None = None,
        attrs: str = "",
        audio_info: AudioInfo | None = None,
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Broadcast a file to every user (see ``send_file``)."""
        fn = "send_broadcast_file"
        return self._rtm_file(
            fn, "broadcastfile", None, None, from_uid, file_content, filename, mtype,
            extension, attrs, audio_info, mid, timeout, callback,
        )  # fmt: skip
