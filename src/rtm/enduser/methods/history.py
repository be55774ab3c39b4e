"""History and message management (spec §3.2).

Results reuse the server SDK's history types (:class:`~rtm.api.models.HistoryMessageResult`,
:class:`~rtm.api.models.HistoryMessageUnit`): a P2P entry's ``from_uid`` is the real sender
(the gate's direction code 1/2 resolved against the caller), a file message has its
``file_info``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rtm.api.answers import _empty_history, _history_parser, _message_parser
from rtm.api.args import HISTORY_MAX_NUM, _message_type, _mtypes, _num
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.models import HistoryMessageResult, HistoryMessageUnit, MessageType
from rtm.enduser.commands import history as cmd
from rtm.enduser.methods._base import EndUserAreaBase
from rtm.enduser.spec import Command

_Page = Call[HistoryMessageResult]
_PageCallback = ResultCallback[HistoryMessageResult] | None


def _count(answer: dict[str, Any]) -> int:
    count = answer.get("count", 0)
    return count if isinstance(count, int) else 0


def _filter(fn: str, mtypes: Sequence[int] | None) -> list[int] | None:
    return None if mtypes is None else _mtypes(fn, "mtypes", mtypes)


class HistoryMethods(EndUserAreaBase):
    """History and message management"""

    def _page(self, command: Command, fn: str, p2p_peer: int | None, timeout: Any,
              callback: Any, **values: Any) -> _Page:
        values["num"] = _num(fn, values["num"])
        values["mtypes"] = _filter(fn, values["mtypes"])
        parse: Callable[[dict[str, Any]], HistoryMessageResult] = _history_parser(
            command.method, None if p2p_peer is None else (self._uid, p2p_peer))
        return self._call(command, fn, parse, _empty_history(), timeout=timeout,
                          callback=callback, **values)

    # ------------------------------------------------------------------ history pages

    @api_method
    def get_group_message(self, gid: int, desc: bool = True, num: int = HISTORY_MAX_NUM,
                          begin: int = 0, end: int = 0, lastid: int = 0, *,
                          mtypes: Sequence[int] | None = None, timeout: float | None = None,
                          callback: _PageCallback = None) -> _Page:
        """A page of group ``gid``'s history (the caller must be a member). ``desc=True``
        pages backwards from ``end``, ``False`` forward from ``begin`` (ms, 0 = unbounded /
        now); ``num`` 1..20; ``lastid`` 0 first, then the result's ``lastid`` (with its
        ``begin``/``end``); ``mtypes`` keeps only those message types."""
        return self._page(cmd.GETGROUPMSG, "get_group_message", None, timeout, callback,
                          gid=gid, desc=desc, num=num, begin=begin, end=end, lastid=lastid,
                          mtypes=mtypes)

    @api_method
    def get_room_message(self, rid: int, desc: bool = True, num: int = HISTORY_MAX_NUM,
                         begin: int = 0, end: int = 0, lastid: int = 0, *,
                         mtypes: Sequence[int] | None = None, timeout: float | None = None,
                         callback: _PageCallback = None) -> _Page:
        """A page of room ``rid``'s history (the caller must be in it); paging as in
        ``get_group_message``."""
        return self._page(cmd.GETROOMMSG, "get_room_message", None, timeout, callback,
                          rid=rid, desc=desc, num=num, begin=begin, end=end, lastid=lastid,
                          mtypes=mtypes)

    @api_method
    def get_broadcast_message(self, desc: bool = True, num: int = HISTORY_MAX_NUM,
                              begin: int = 0, end: int = 0, lastid: int = 0, *,
                              mtypes: Sequence[int] | None = None,
                              timeout: float | None = None,
                              callback: _PageCallback = None) -> _Page:
        """A page of the project's broadcast history; paging as in ``get_group_message``."""
        return self._page(cmd.GETBROADCASTMSG, "get_broadcast_message", None, timeout,
                          callback, desc=desc, num=num, begin=begin, end=end, lastid=lastid,
                          mtypes=mtypes)

    @api_method
    def get_p2p_message(self, peer_uid: int, desc: bool = True, num: int = HISTORY_MAX_NUM,
                        begin: int = 0, end: int = 0, lastid: int = 0, *,
                        mtypes: Sequence[int] | None = None, timeout: float | None = None,
                        callback: _PageCallback = None) -> _Page:
        """A page of the caller's P2P history with ``peer_uid``; each entry's ``from_uid``
        is the real sender. Paging as in ``get_group_message``."""
        return self._page(cmd.GETP2PMSG, "get_p2p_message", peer_uid, timeout, callback,
                          peer_uid=peer_uid, desc=desc, num=num, begin=begin, end=end,
                          lastid=lastid, mtypes=mtypes)

    # ------------------------------------------------------------------ from a message on

    @api_method
    def get_group_message_by_message_id(
            self, gid: int, mid: int, desc: bool = True, num: int = HISTORY_MAX_NUM,
            begin: int = 0, end: int = 0, *, mtypes: Sequence[int] | None = None,
            timeout: float | None = None, callback: _PageCallback = None) -> _Page:
        """The page of group ``gid``'s history that starts with the message ``mid`` (itself
        included) and goes back (``desc``) or forward in time; next pages as in
        ``get_group_message``. No such message: ``MessageNotFoundError``."""
        return self._page(cmd.GETGROUPMSGBYMESSAGEID, "get_group_message_by_message_id",
                          None, timeout, callback, gid=gid, mid=mid, desc=desc, num=num,
                          begin=begin, end=end, mtypes=mtypes)

    @api_method
    def get_room_message_by_message_id(
            self, rid: int, mid: int, desc: bool = True, num: int = HISTORY_MAX_NUM,
            begin: int = 0, end: int = 0, *, mtypes: Sequence[int] | None = None,
            timeout: float | None = None, callback: _PageCallback = None) -> _Page:
        """As ``get_group_message_by_message_id``, in room ``rid``."""
        return self._page(cmd.GETROOMMSGBYMESSAGEID, "get_room_message_by_message_id",
                          None, timeout, callback, rid=rid, mid=mid, desc=desc, num=num,
                          begin=begin, end=end, mtypes=mtypes)

    @api_method
    def get_broadcast_message_by_message_id(
            self, mid: int, desc: bool = True, num: int = HISTORY_MAX_NUM, begin: int = 0,
            end: int = 0, *, mtypes: Sequence[int] | None = None,
            timeout: float | None = None, callback: _PageCallback = None) -> _Page:
        """As ``get_group_message_by_message_id``, in the broadcast history."""
        return self._page(cmd.GETBROADCASTMSGBYMESSAGEID,
                          "get_broadcast_message_by_message_id", None, timeout, callback,
                          mid=mid, desc=desc, num=num, begin=begin, end=end, mtypes=mtypes)

    @api_method
    def get_p2p_message_by_message_id(
            self, peer_uid: int, mid: int, desc: bool = True, num: int = HISTORY_MAX_NUM,
            begin: int = 0, end: int = 0, *, mtypes: Sequence[int] | None = None,
            timeout: float | None = None, callback: _PageCallback = None) -> _Page:
        """As ``get_group_message_by_message_id``, in the P2P history with ``peer_uid``."""
        return self._page(cmd.GETP2PMSGBYMESSAGEID, "get_p2p_message_by_message_id",
                          peer_uid, timeout, callback, peer_uid=peer_uid, mid=mid, desc=desc,
                          num=num, begin=begin, end=end, mtypes=mtypes)

    # ------------------------------------------------------------------ counts

    def _count(self, command: Command, fn: str, timeout: Any, callback: Any,
               **values: Any) -> Call[int]:
        values["mtypes"] = _filter(fn, values["mtypes"])
        return self._call(command, fn, _count, 0, timeout=timeout, callback=callback,
                          **values)

    @api_method
    def get_group_message_count(self, gid: int, begin: int = 0, end: int = 0, *,
                                mtypes: Sequence[int] | None = None,
                                timeout: float | None = None,
                                callback: ResultCallback[int] | None = None) -> Call[int]:
        """How many (non-deleted) messages group ``gid`` has in ``begin..end`` (ms,
        inclusive, 0 = open), of ``mtypes`` when given."""
        return self._count(cmd.GETGROUPMSGCOUNT, "get_group_message_count", timeout,
                           callback, gid=gid, begin=begin, end=end, mtypes=mtypes)

    @api_method
    def get_room_message_count(self, rid: int, begin: int = 0, end: int = 0, *,
                               mtypes: Sequence[int] | None = None,
                               timeout: float | None = None,
                               callback: ResultCallback[int] | None = None) -> Call[int]:
        """As ``get_group_message_count``, in room ``rid``."""
        return self._count(cmd.GETROOMMSGCOUNT, "get_room_message_count", timeout, callback,
                           rid=rid, begin=begin, end=end, mtypes=mtypes)

    @api_method
    def get_broadcast_message_count(self, begin: int = 0, end: int = 0, *,
                                    mtypes: Sequence[int] | None = None,
                                    timeout: float | None = None,
                                    callback: ResultCallback[int] | None = None
                                    ) -> Call[int]:
        """As ``get_group_message_count``, in the broadcast history."""
        return self._count(cmd.GETBROADCASTMSGCOUNT, "get_broadcast_message_count", timeout,
                           callback, begin=begin, end=end, mtypes=mtypes)

    @api_method
    def get_p2p_message_count(self, peer_uid: int, begin: int = 0, end: int = 0, *,
                              mtypes: Sequence[int] | None = None,
                              timeout: float | None = None,
                              callback: ResultCallback[int] | None = None) -> Call[int]:
        """As ``get_group_message_count``, in the P2P history with ``peer_uid``."""
        return self._count(cmd.GETP2PMSGCOUNT, "get_p2p_message_count", timeout, callback,
                           peer_uid=peer_uid, begin=begin, end=end, mtypes=mtypes)

    # ------------------------------------------------------------------ one message

    @api_method
    def get_message(self, mid: int, from_uid: int, xid: int, message_type: MessageType, *,
                    timeout: float | None = None,
                    callback: ResultCallback[HistoryMessageUnit | None] | None = None
                    ) -> Call[HistoryMessageUnit | None]:
        """The stored message ``mid`` sent by ``from_uid`` in conversation ``xid`` (the
        receiver uid for P2P, gid, rid, 0 for broadcast) of ``message_type``; None when there
        is none or it was deleted. The caller must belong to the conversation."""
        fn = "get_message"
        kind = _message_type(fn, message_type)
        parse_unit = _message_parser(from_uid, mid)

        def parse(answer: dict[str, Any]) -> HistoryMessageUnit | None:
            return parse_unit(answer) if answer else None

        return self._call(cmd.GETMSG, fn, parse, None, timeout=timeout, callback=callback,
                          mid=mid, from_uid=from_uid, xid=xid, message_type=kind)

    @api_method
    def del_message(self, mid: int, from_uid: int, xid: int, message_type: MessageType, *,
                    timeout: float | None = None,
                    callback: StatusCallback | None = None) -> Call[None]:
        """Mark the caller's message ``mid`` deleted (identified as in ``get_message``;
        ``from_uid`` must be the caller)."""
        fn = "del_message"
        return self._status_call(cmd.DELMSG, fn, timeout=timeout, callback=callback, mid=mid,
                                 from_uid=from_uid, xid=xid,
                                 message_type=_message_type(fn, message_type))
