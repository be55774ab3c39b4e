"""Files (spec §3.4, §4): each method is ``filetoken`` on the client gate, then the file
quest on a separate plain connection to the file gate endpoint that ``filetoken`` answered
(the step's :attr:`~rtm.api.call.Call.endpoint`), over the client's own transport: TCP, or
WebSocket for a ``transport="ws"`` client as the web SDK does. The client keeps a few such
connections for later sends and closes them when idle.

The file quest carries ``pid, from, token, mtype, mid, file, attrs`` and the target; its
``attrs`` is the JSON ``{"custom": <attrs>, "rtm": {"sign", "filename"?, "ext"?}}`` with
``sign = md5hex(md5hex(file) + ":" + token)`` (:func:`rtm.api.files.file_attrs_current`).
A received file message has ``msg`` = JSON ``{"url", "size"[, "surl"]}``; its ``url``
downloads the file over HTTP while the message is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rtm.api import args as _a
from rtm.api.call import Call, ResultCallback, api_method
from rtm.api.files import file_attrs_current, file_sign
from rtm.enduser.commands import files as cmd
from rtm.enduser.methods._base import EndUserAreaBase
from rtm.enduser.spec import Command

#: Message types of files (client spec §3.1): 40 image, 41 audio, 42 video, 50 file.
FILE_MTYPES = range(40, 51)


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """Where ``upload_file`` stored a file: ``url`` downloads it (HTTP); ``mtime`` (ms)."""

    mtime: int
    url: str
    size: int


def _ticket(answer: dict[str, Any]) -> tuple[str, str]:
    token, endpoint = answer.get("token"), answer.get("endpoint")
    return (token if isinstance(token, str) else "",
            endpoint if isinstance(endpoint, str) else "")


def _mtime(answer: dict[str, Any]) -> int:
    mtime = answer.get("mtime", 0)
    return mtime if isinstance(mtime, int) else 0


def _uploaded(answer: dict[str, Any]) -> UploadedFile:
    url, size = answer.get("url"), answer.get("size")
    return UploadedFile(_mtime(answer), url if isinstance(url, str) else "",
                        size if isinstance(size, int) else 0)


class FilesMethods(EndUserAreaBase):
    """Files"""

    def _file_call(self, fn: str, command: Command, target: dict[str, Any], mtype: Any,
                   data: Any, filename: Any, ext: Any, attrs: Any, mid: Any, timeout: Any,
                   callback: Any, parse: Callable[[dict[str, Any]], Any], zero: Any
                   ) -> Call[Any]:
        """``filetoken`` for ``command`` to ``target`` (python arg name -> value), then
        ``command`` on the file gate with the token."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"{fn}(): 'data' must be bytes, got {type(data).__name__}")
        content = bytes(data)
        if not content:
            raise ValueError(f"{fn}(): 'data' must not be empty")
        if isinstance(mtype, bool) or not isinstance(mtype, int) or mtype not in FILE_MTYPES:
            raise ValueError(f"{fn}(): 'mtype' must be a file type in 40..50 (40 image, 41 "
                             f"audio, 42 video, 50 file), got {mtype!r}")
        name = _a._str(fn, "filename", filename)
        extension = None if ext is None else _a._str(fn, "ext", ext)
        if extension is None and "." in name.strip("."):
            # the client SDKs' attrs: the whole file name, and the extension after its dot
            extension = name.rsplit(".", 1)[1]
        custom = _a._str(fn, "attrs", attrs)
        mid = self._mids.next() if mid is None else _a._i64(fn, "mid", mid)
        pid, uid = self._pid, self._uid

        def then(ticket: tuple[str, str]) -> Call[Any]:
            token, endpoint = ticket
            file_attrs = file_attrs_current(file_sign(content, token), name, extension, custom)
            step = self._call(command, fn, parse, zero, timeout=timeout, pid=pid, from_uid=uid,
                              token=token, mtype=int(mtype), mid=mid, data=content,
                              attrs=file_attrs, **target)
            step.endpoint = endpoint
            return step

        first: Call[Any] = self._call(cmd.FILETOKEN, fn, _ticket, zero, timeout=timeout,
                                      callback=callback, cmd=command.method, **target)
        first.then = then
        return first

    @api_method
    def send_file(self, to_uid: int, mtype: int, data: bytes, *, filename: str = "",
                  ext: str | None = None, attrs: str = "", mid: int | None = None,
                  timeout: float | None = None,
                  callback: ResultCallback[int] | None = None) -> Call[int]:
        """Send the file ``data`` to ``to_uid`` as a message of ``mtype`` (40 image, 41
        audio, 42 video, 50 file); returns the mtime. ``filename`` (whole, as the client SDKs
        send it) and ``ext`` (default: the part of ``filename`` after its last dot) go into
        the message's attrs under ``rtm``, ``attrs`` (your own, a JSON object text or any
        string) under ``custom``."""
        return self._file_call("send_file", cmd.SENDFILE, {"to_uid": to_uid}, mtype, data,
                               filename, ext, attrs, mid, timeout, callback, _mtime, 0)

    @api_method
    def send_group_file(self, gid: int, mtype: int, data: bytes, *, filename: str = "",
                        ext: str | None = None, attrs: str = "", mid: int | None = None,
                        timeout: float | None = None,
                        callback: ResultCallback[int] | None = None) -> Call[int]:
        """Send a file to group ``gid`` (the caller must be a member; see ``send_file``)."""
        return self._file_call("send_group_file", cmd.SENDGROUPFILE, {"gid": gid}, mtype,
                               data, filename, ext, attrs, mid, timeout, callback, _mtime, 0)

    @api_method
    def send_room_file(self, rid: int, mtype: int, data: bytes, *, filename: str = "",
                       ext: str | None = None, attrs: str = "", mid: int | None = None,
                       timeout: float | None = None,
                       callback: ResultCallback[int] | None = None) -> Call[int]:
        """Send a file to room ``rid`` (the caller must be in it; see ``send_file``)."""
        return self._file_call("send_room_file", cmd.SENDROOMFILE, {"rid": rid}, mtype,
                               data, filename, ext, attrs, mid, timeout, callback, _mtime, 0)

    @api_method
    def upload_file(self, mtype: int, data: bytes, *, filename: str = "",
                    ext: str | None = None, attrs: str = "", mid: int | None = None,
                    timeout: float | None = None,
                    callback: ResultCallback[UploadedFile] | None = None
                    ) -> Call[UploadedFile]:
        """Store a file without sending a message (the Unity SDK's ``uploadfile``); returns
        its URL (an HTTP download), size and the time."""
        return self._file_call("upload_file", cmd.UPLOADFILE, {}, mtype, data, filename,
                               ext, attrs, mid, timeout, callback, _uploaded,
                               UploadedFile(0, "", 0))
