"""Sending (spec §3.1)."""

from __future__ import annotations

from rtm.api.call import Call, ResultCallback, api_method
from rtm.enduser.commands import messages as cmd
from rtm.enduser.methods._base import EndUserAreaBase


def _mtime(answer: dict[str, object]) -> int:
    mtime = answer.get("mtime", 0)
    return mtime if isinstance(mtime, int) else 0


class MessagesMethods(EndUserAreaBase):
    """Sending"""

    @api_method
    def send_message(self, to_uid: int, mtype: int, message: str | bytes, *, attrs: str = "",
                     mid: int | None = None, timeout: float | None = None,
                     callback: ResultCallback[int] | None = None) -> Call[int]:
        """Send ``message`` to ``to_uid``; returns the server's mtime (ms)."""
        return self._call(cmd.SENDMSG, "send_message", _mtime, 0, timeout=timeout,
                          callback=callback, to_uid=to_uid, mtype=mtype, message=message,
                          attrs=attrs, mid=self._mids.next() if mid is None else mid)

    @api_method
    def send_messages(self, to_uids: list[int] | tuple[int, ...], mtype: int,
                      message: str | bytes, *, attrs: str = "", mid: int | None = None,
                      timeout: float | None = None,
                      callback: ResultCallback[int] | None = None) -> Call[int]:
        """Send ``message`` to several users at once (the legacy ``sendmsgs``)."""
        return self._call(cmd.SENDMSGS, "send_messages", _mtime, 0, timeout=timeout,
                          callback=callback, to_uids=to_uids, mtype=mtype, message=message,
                          attrs=attrs, mid=self._mids.next() if mid is None else mid)

    @api_method
    def send_group_message(self, gid: int, mtype: int, message: str | bytes, *,
                           attrs: str = "", mid: int | None = None,
                           timeout: float | None = None,
                           callback: ResultCallback[int] | None = None) -> Call[int]:
        """Send ``message`` to group ``gid`` (the caller must be a member)."""
        return self._call(cmd.SENDGROUPMSG, "send_group_message", _mtime, 0, timeout=timeout,
                          callback=callback, gid=gid, mtype=mtype, message=message,
                          attrs=attrs, mid=self._mids.next() if mid is None else mid)

    @api_method
    def send_room_message(self, rid: int, mtype: int, message: str | bytes, *,
                          attrs: str = "", mid: int | None = None,
                          timeout: float | None = None,
                          callback: ResultCallback[int] | None = None) -> Call[int]:
        """Send ``message`` to room ``rid`` (the caller must be in it)."""
        return self._call(cmd.SENDROOMMSG, "send_room_message", _mtime, 0, timeout=timeout,
                          callback=callback, rid=rid, mtype=mtype, message=message,
                          attrs=attrs, mid=self._mids.next() if mid is None else mid)
