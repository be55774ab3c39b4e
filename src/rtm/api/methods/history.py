"""History and message management (spec §4.3).

History methods take Go 0.9.20's positional order with Pythonic defaults for the paging
arguments (newest first, 20 per page, no time bounds, first page). In the current profile the
group/room/broadcast quests carry the reader ``uid`` and, when given, the ``mtypes`` filter;
the 0.1.0 profile sends the 0.1.0 quest and refuses ``mtypes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rtm.api.answers import (
    _HISTORY,
    _empty_history,
    _history_parser,
    _message_parser,
    _parse_msgnum,
    _parse_none,
)
from rtm.api.args import (
    HISTORY_MAX_NUM,
    _bool,
    _callback,
    _clear_type,
    _current_only,
    _i64,
    _message_type,
    _mtypes,
    _num,
    _str,
    _timeout,
)
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.methods._base import AreaBase
from rtm.api.models import (
    CHAT_MTYPES,
    ClearType,
    HistoryMessageResult,
    HistoryMessageUnit,
    MessageCount,
    MessageType,
)

_P2P, _GROUP, _ROOM, _BROADCAST = (int(t) for t in MessageType)


def _empty_unit() -> HistoryMessageUnit:
    return HistoryMessageUnit(0, 0, 0, 0, False, "", "", 0)


class HistoryMethods(AreaBase):
    """History and message management"""

    # ------------------------------------------------------------------ history pages

    def _rtm_history(
        self,
        fn: str,
        method: str,
        target: dict[str, int],
        desc: Any,
        num: Any,
        begin: Any,
        end: Any,
        lastid: Any,
        uid: Any,
        mtypes: Any,
        timeout: Any,
        callback: Any,
        p2p: tuple[int, int] | None = None,
    ) -> Call[HistoryMessageResult]:
        params: dict[str, Any] = dict(target)
        params["desc"] = _bool(fn, "desc", desc)
        params["num"] = _num(fn, num)
        params["begin"] = _i64(fn, "begin", begin)
        params["end"] = _i64(fn, "end", end)
        params["lastid"] = _i64(fn, "lastid", lastid)
        current = self._protocol == "current"
        if uid is not None:  # the reader (group/room/broadcast): Go 0.9.20 always sends it
            uid = _i64(fn, "uid", uid)
            if current:
                params["uid"] = uid
        if mtypes is not None:
            _current_only(fn, self._protocol, "the 'mtypes' filter")
            params["mtypes"] = _mtypes(fn, "mtypes", mtypes)
        parse = _HISTORY[method] if p2p is None else _history_parser(method, p2p)
        return Call(
            method, params, parse, _empty_history(), True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_group_message(
        self,
        group_id: int,
        desc: bool = True,
        num: int = HISTORY_MAX_NUM,
        begin: int = 0,
        end: int = 0,
        lastid: int = 0,
        uid: int = 0,
        *,
        mtypes: Sequence[int] | None = None,
        timeout: float | None = None,
        callback: ResultCallback[HistoryMessageResult] | None = None,
    ) -> Call[HistoryMessageResult]:
        """A page of group history. ``desc=True`` pages backwards from ``end``, ``False``
        forward from ``begin`` (ms, 0 = unbounded / now); ``num`` 1..20; ``lastid`` 0 for the
        first page, then the result's ``lastid`` (with its ``begin``/``end``). ``uid`` is the
        reader (sent, not checked); ``mtypes`` keeps only those message types."""
        fn = "get_group_message"
        return self._rtm_history(
            fn, "getgroupmsg", {"gid": _i64(fn, "group_id", group_id)}, desc, num, begin, end,
            lastid, uid, mtypes, timeout, callback,
        )  # fmt: skip

    @api_method
    def get_room_message(
        self,
        room_id: int,
        desc: bool = True,
        num: int = HISTORY_MAX_NUM,
        begin: int = 0,
        end: int = 0,
        lastid: int = 0,
        uid: int = 0,
        *,
        mtypes: Sequence[int] | None = None,
        timeout: float | None = None,
        callback: ResultCallback[HistoryMessageResult] | None = None,
    ) -> Call[HistoryMessageResult]:
        """A page of room history (see ``get_group_message``)."""
        fn = "get_room_message"
        return self._rtm_history(
            fn, "getroommsg", {"rid": _i64(fn, "room_id", room_id)}, desc, num, begin, end,
            lastid, uid, mtypes, timeout, callback,
        )  # fmt: skip

    @api_method
    def get_broadcast_message(
        self,
        desc: bool = True,
        num: int = HISTORY_MAX_NUM,
        begin: int = 0,
        end: int = 0,
        lastid: int = 0,
        uid: int = 0,
        *,
        mtypes: Sequence[int] | None = None,
        timeout: float | None = None,
        callback: ResultCallback[HistoryMessageResult] | None = None,
    ) -> Call[HistoryMessageResult]:
        """A page of broadcast history (see ``get_group_message``)."""
        return self._rtm_history(
            "get_broadcast_message", "getbroadcastmsg", {}, desc, num, begin, end, lastid,
            uid, mtypes, timeout, callback,
        )  # fmt: skip

    @api_method
    def get_p2p_message(
        self,
        uid: int,
        peer_uid: int,
        desc: bool = True,
        num: int = HISTORY_MAX_NUM,
        begin: int = 0,
        end: int = 0,
        lastid: int = 0,
        *,
        mtypes: Sequence[int] | None = None,
        timeout: float | None = None,
        callback: ResultCallback[HistoryMessageResult] | None = None,
    ) -> Call[HistoryMessageResult]:
        """A page of the P2P history between ``uid`` and ``peer_uid`` (paging as in
        ``get_group_message``); each entry's ``from_uid`` is the real sender (the server's
        direction code 1/2 is resolved)."""
        fn = "get_p2p_message"
        uid = _i64(fn, "uid", uid)
        peer_uid = _i64(fn, "peer_uid", peer_uid)
        return self._rtm_history(
            fn, "getp2pmsg", {"uid": uid, "ouid": peer_uid}, desc, num, begin, end, lastid,
            None, mtypes, timeout, callback, p2p=(uid, peer_uid),
        )  # fmt: skip

    # The chat forms: the same quests with Go 0.9.20's chat filter (text, cmd and files).

    @api_method
    def get_group_chat(
        self,
        group_id: int,
        desc: bool = True,
        num: int = HISTORY_MAX_NUM,
        begin: int = 0,
        end: int = 0,
        lastid: int = 0,
        uid: int = 0,
        *,
        timeout: float | None = None,
        callback: ResultCallback[HistoryMessageResult] | None = None,
    ) -> Call[HistoryMessageResult]:
        """``get_group_message`` of the chat types only (mtypes 30, 32, 40, 41, 42, 50)."""
        fn = "get_group_chat"
        return self._rtm_history(
            fn, "getgroupmsg", {"gid": _i64(fn, "group_id", group_id)}, desc, num, begin, end,
            lastid, uid, CHAT_MTYPES, timeout, callback,
        )  # fmt: skip

    @api_method
    def get_room_chat(
        self,
        room_id: int,
        desc: bool = True,
        num: int = HISTORY_MAX_NUM,
        begin: int = 0,
        end: int = 0,
        lastid: int = 0,
        uid: int = 0,
        *,
        timeout: float | None = None,
        callback: ResultCallback[HistoryMessageResult] | None = None,
    ) -> Call[HistoryMessageResult]:
        """``get_room_message`` of the chat types only (see ``get_group_chat``)."""
        fn = "get_room_chat"
        return self._rtm_history(
            fn, "getroommsg", {"rid": _i64(fn, "room_id", room_id)}, desc, num, begin, end,
            lastid, uid, CHAT_MTYPES, timeout, callback,
        )  # fmt: skip

    @api_method
    def get_broadcast_chat(
        self,
        desc: bool = True,
        num: int = HISTORY_MAX_NUM,
        begin: int = 0,
        end: int = 0,
        lastid: int = 0,
        uid: int = 0,
        *,
        timeout: float | None = None,
        callback: ResultCallback[HistoryMessageResult] | None = None,
    ) -> Call[HistoryMessageResult]:
        """``get_broadcast_message`` of the chat types only (see ``get_group_chat``)."""
        return self._rtm_history(
            "get_broadcast_chat", "getbroadcastmsg", {}, desc, num, begin, end, lastid, uid,
            CHAT_MTYPES, timeout, callback,
        )  # fmt: skip

    @api_method
    def get_p2p_chat(
        self,
        uid: int,
        peer_uid: int,
        desc: bool = True,
        num: int = HISTORY_MAX_NUM,
        begin: int = 0,
        end: int = 0,
        lastid: int = 0,
        *,
        timeout: float | None = None,
        callback: ResultCallback[HistoryMessageResult] | None = None,
    ) -> Call[HistoryMessageResult]:
        """``get_p2p_message`` of the chat types only (see ``get_group_chat``)."""
        fn = "get_p2p_chat"
        uid = _i64(fn, "uid", uid)
        peer_uid = _i64(fn, "peer_uid", peer_uid)
        return self._rtm_history(
            fn, "getp2pmsg", {"uid": uid, "ouid": peer_uid}, desc, num, begin, end, lastid,
            None, CHAT_MTYPES, timeout, callback, p2p=(uid, peer_uid),
        )  # fmt: skip

    # ------------------------------------------------------------------ one stored message

    @staticmethod
    def _message_ref(
        fn: str, mid: Any, from_uid: Any, xid: Any, message_type: Any
    ) -> dict[str, Any]:
        return {
            "mid": _i64(fn, "mid", mid),
            "from": _i64(fn, "from_uid", from_uid),
            "xid": _i64(fn, "xid", xid),
            "type": _message_type(fn, message_type),
        }

    def _silent(self, fn: str, method: str, params: dict[str, Any], timeout: Any,
                callback: Any) -> Call[None]:
        return Call(
            method, params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def del_message(
        self,
        mid: int,
        from_uid: int,
        xid: int,
        message_type: MessageType,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Delete (recall) a stored message: it stays in history, marked deleted. ``xid`` is
        the receiver uid (P2P), the group id or the room id (0 for broadcast);
        ``message_type`` a :class:`MessageType` (or its wire value 1..4)."""
        fn = "del_message"
        return self._silent(fn, "delmsg", self._message_ref(fn, mid, from_uid, xid,
                                                            message_type), timeout, callback)

    def _del(self, fn: str, mid: Any, from_uid: Any, xid: Any, kind: int, timeout: Any,
             callback: Any, xid_name: str = "xid") -> Call[None]:
        params = self._message_ref(fn, mid, from_uid, _i64(fn, xid_name, xid), kind)
        return self._silent(fn, "delmsg", params, timeout, callback)

    @api_method
    def del_p2p_message(
        self,
        mid: int,
        from_uid: int,
        to_uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """``del_message`` of a P2P message ``from_uid`` sent to ``to_uid``."""
        return self._del("del_p2p_message", mid, from_uid, to_uid, _P2P, timeout, callback,
                         "to_uid")

    @api_method
    def del_group_message(
        self,
        mid: int,
        from_uid: int,
        group_id: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """``del_message`` of a group message."""
        return self._del("del_group_message", mid, from_uid, group_id, _GROUP, timeout,
                         callback, "group_id")

    @api_method
    def del_room_message(
        self,
        mid: int,
        from_uid: int,
        room_id: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """``del_message`` of a room message."""
        return self._del("del_room_message", mid, from_uid, room_id, _ROOM, timeout, callback,
                         "room_id")

    @api_method
    def del_broadcast_message(
        self,
        mid: int,
        from_uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """``del_message`` of a broadcast message."""
        return self._del("del_broadcast_message", mid, from_uid, 0, _BROADCAST, timeout,
                         callback)

    @api_method
    def del_p2p_chat(
        self,
        mid: int,
        from_uid: int,
        to_uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Same as ``del_p2p_message`` (Go's chat name)."""
        return self._del("del_p2p_chat", mid, from_uid, to_uid, _P2P, timeout, callback,
                         "to_uid")

    @api_method
    def del_group_chat(
        self,
        mid: int,
        from_uid: int,
        group_id: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Same as ``del_group_message`` (Go's chat name)."""
        return self._del("del_group_chat", mid, from_uid, group_id, _GROUP, timeout, callback,
                         "group_id")

    @api_method
    def del_room_chat(
        self,
        mid: int,
        from_uid: int,
        room_id: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Same as ``del_room_message`` (Go's chat name)."""
        return self._del("del_room_chat", mid, from_uid, room_id, _ROOM, timeout, callback,
                         "room_id")

    @api_method
    def del_broadcast_chat(
        self,
        mid: int,
        from_uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Same as ``del_broadcast_message`` (Go's chat name)."""
        return self._del("del_broadcast_chat", mid, from_uid, 0, _BROADCAST, timeout, callback)

    def _get(self, fn: str, mid: Any, from_uid: Any, xid: Any, message_type: Any,
             timeout: Any, callback: Any) -> Call[HistoryMessageUnit]:
        params = self._message_ref(fn, mid, from_uid, xid, message_type)
        return Call(
            "getmsg", params, _message_parser(params["from"], params["mid"]), _empty_unit(),
            True, _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_message(
        self,
        mid: int,
        from_uid: int,
        xid: int,
        message_type: MessageType,
        *,
        timeout: float | None = None,
        callback: ResultCallback[HistoryMessageUnit] | None = None,
    ) -> Call[HistoryMessageUnit]:
        """Read one stored message (identified like ``del_message``). ``id`` is its cursor id;
        a file message has its ``file_info``. Unknown or deleted: ``MessageNotFoundError``."""
        return self._get("get_message", mid, from_uid, xid, message_type, timeout, callback)

    @api_method
    def get_chat(
        self,
        mid: int,
        from_uid: int,
        xid: int,
        message_type: MessageType,
        *,
        timeout: float | None = None,
        callback: ResultCallback[HistoryMessageUnit] | None = None,
    ) -> Call[HistoryMessageUnit]:
        """Same as ``get_message`` (Go's chat name)."""
        return self._get("get_chat", mid, from_uid, xid, message_type, timeout, callback)

    # ------------------------------------------------------------------ hard deletes

    @api_method
    def clean_message(
        self,
        from_uid: int,
        xid: int,
        message_type: MessageType,
        begin: int = 0,
        end: int = 0,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Erase every message of one conversation stored at ``begin <= mtime <= end`` (ms,
        0 = unbounded). P2P: the conversation of ``from_uid`` and ``xid``; group/room: ``xid``
        (``from_uid`` is not used, pass 0); broadcast: every broadcast message."""
        fn = "clean_message"
        return self._clean(fn, _i64(fn, "from_uid", from_uid), _i64(fn, "xid", xid),
                           _message_type(fn, message_type), begin, end, timeout, callback)

    def _clean(self, fn: str, from_uid: int, xid: int, kind: int, begin: Any, end: Any,
               timeout: Any, callback: Any) -> Call[None]:
        params = {"from": from_uid, "xid": xid, "type": kind, "begin": _i64(fn, "begin", begin),
                  "end": _i64(fn, "end", end)}
        return self._silent(fn, "cleanmsg", params, timeout, callback)

    @api_method
    def clean_p2p_message(
        self,
        from_uid: int,
        to_uid: int,
        begin: int = 0,
        end: int = 0,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """``clean_message`` of the P2P conversation of ``from_uid`` and ``to_uid``."""
        fn = "clean_p2p_message"
        return self._clean(fn, _i64(fn, "from_uid", from_uid), _i64(fn, "to_uid", to_uid),
                           _P2P, begin, end, timeout, callback)

    @api_method
    def clean_group_message(
        self,
        group_id: int,
        begin: int = 0,
        end: int = 0,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """``clean_message`` of a group's history."""
        fn = "clean_group_message"
        return self._clean(fn, 0, _i64(fn, "group_id", group_id), _GROUP, begin, end, timeout,
                           callback)

    @api_method
    def clean_room_message(
        self,
        room_id: int,
        begin: int = 0,
        end: int = 0,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """``clean_message`` of a room's history."""
        fn = "clean_room_message"
        return self._clean(fn, 0, _i64(fn, "room_id", room_id), _ROOM, begin, end, timeout,
                           callback)

    @api_method
    def clean_broadcast_message(
        self,
        from_uid: int,
        begin: int = 0,
        end: int = 0,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """``clean_message`` of the broadcast history (``from_uid`` is sent, as Go does)."""
        fn = "clean_broadcast_message"
        return self._clean(fn, _i64(fn, "from_uid", from_uid), 0, _BROADCAST, begin, end,
                           timeout, callback)

    @api_method
    def clear_project_message(
        self,
        clear_type: ClearType,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Erase all history of one kind in the project: a :class:`ClearType` (P2P=0, ROOM=1,
        GROUP=2, BROADCAST=3, ALL=4; not the :class:`MessageType` numbering)."""
        fn = "clear_project_message"
        return self._silent(fn, "clearprojectmsg", {"type": _clear_type(fn, clear_type)},
                            timeout, callback)

    @api_method
    def get_msg_count(
        self,
        message_type: MessageType,
        xid: int,
        begin: int = 0,
        end: int = 0,
        mtypes: Sequence[int] | None = None,
        *,
        timeout: float | None = None,
        callback: ResultCallback[MessageCount] | None = None,
    ) -> Call[MessageCount]:
        """How many (non-deleted) messages group or room ``xid`` has, and from how many
        distinct senders, within ``begin``..``end`` (ms, 0 = unbounded), optionally of the
        ``mtypes`` only. ``message_type`` is ``MessageType.GROUP`` or ``MessageType.ROOM``."""
        fn = "get_msg_count"
        params: dict[str, Any] = {
            "type": _message_type(fn, message_type, (_GROUP, _ROOM)),
            "xid": _i64(fn, "xid", xid),
        }
        types = [] if mtypes is None else _mtypes(fn, "mtypes", mtypes)
        begin = _i64(fn, "begin", begin)
        end = _i64(fn, "end", end)
        # Go 0.9.20 sends each optional key only when it restricts something
        if types:
            params["mtypes"] = types
        if begin > 0:
            params["begin"] = begin
        if end > 0:
            params["end"] = end
        return Call(
            "getmsgnum", params, _parse_msgnum, MessageCount(0, 0), True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def delete_conversation_messages(
        self,
        from_uid: int,
        xid: int,
        message_type: MessageType,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Erase every message ``from_uid`` sent in one conversation: to user ``xid`` (P2P),
        in group or room ``xid``."""
        fn = "delete_conversation_messages"
        params = {
            "from": _i64(fn, "from_uid", from_uid),
            "xid": _i64(fn, "xid", xid),
            "type": _message_type(fn, message_type, (_P2P, _GROUP, _ROOM)),
        }
        return self._silent(fn, "delconversationmsgs", params, timeout, callback)

    @api_method
    def edit_message(
        self,
        mid: int,
        from_uid: int,
        xid: int,
        message_type: MessageType,
        message: str,
        attrs: str = "",
        time_limit: int = 0,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Replace the text and attrs of a stored message (its cursor id and mtime stay).
        ``time_limit`` (ms, 0 = none): refuse (``PermissionDeniedError``) when the message is
        older than that. Unknown or deleted: ``MessageNotFoundError``."""
        fn = "edit_message"
        params = self._message_ref(fn, mid, from_uid, xid, message_type)
        params["msg"] = _str(fn, "message", message)
        params["attrs"] = _str(fn, "attrs", attrs)
        params["timeLimit"] = _i64(fn, "time_limit", time_limit)
        return self._silent(fn, "editmsg", params, timeout, callback)

    @api_method
    def clear_user_message(
        self,
        uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Erase every message ``uid`` sent (any kind) and every P2P message it received."""
        fn = "clear_user_message"
        return self._silent(fn, "clearusermsg", {"uid": _i64(fn, "uid", uid)}, timeout,
                            callback)
