"""History and message management (spec §4.3)."""

from __future__ import annotations

from typing import Any

from rtm.api.answers import (
    _HISTORY,
    _empty_history,
    _history_parser,
    _parse_none,
)
from rtm.api.args import (
    _bool,
    _callback,
    _i64,
    _num,
    _timeout,
)
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.methods._base import AreaBase
from rtm.api.models import HistoryMessageResult, MessageType


class HistoryMethods(AreaBase):
    """History and message management"""

    @staticmethod
    def _rtm_history_params(
        fn: str, desc: Any, num: Any, begin: Any, end: Any, lastid: Any
    ) -> dict[str, Any]:
        return {
            "desc": _bool(fn, "desc", desc),
            "num": _num(fn, num),
            "begin": _i64(fn, "begin", begin),
            "end": _i64(fn, "end", end),
            "lastid": _i64(fn, "lastid", lastid),
        }

    @api_method
    def get_group_message(
        self,
        group_id: int,
        desc: bool,
        num: int,
        begin: int,
        end: int,
        lastid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[HistoryMessageResult] | None = None,
    ) -> Call[HistoryMessageResult]:
        """A page of group history. ``desc=False`` pages forward from ``begin``, ``True``
        backwards from ``end`` (ms, 0 = default); ``num`` 1..20; ``lastid`` 0 at first."""
        fn = "get_group_message"
        params = {"gid": _i64(fn, "group_id", group_id)}
        params.update(self._rtm_history_params(fn, desc, num, begin, end, lastid))
        return Call(
            "getgroupmsg", params, _HISTORY["getgroupmsg"], _empty_history(), True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_room_message(
        self,
        room_id: int,
        desc: bool,
        num: int,
        begin: int,
        end: int,
        lastid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[HistoryMessageResult] | None = None,
    ) -> Call[HistoryMessageResult]:
        """A page of room history (see ``get_group_message``)."""
        fn = "get_room_message"
        params = {"rid": _i64(fn, "room_id", room_id)}
        params.update(self._rtm_history_params(fn, desc, num, begin, end, lastid))
        return Call(
            "getroommsg", params, _HISTORY["getroommsg"], _empty_history(), True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_broadcast_message(
        self,
        desc: bool,
        num: int,
        begin: int,
        end: int,
        lastid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[HistoryMessageResult] | None = None,
    ) -> Call[HistoryMessageResult]:
        """A page of broadcast history (see ``get_group_message``)."""
        fn = "get_broadcast_message"
        params = self._rtm_history_params(fn, desc, num, begin, end, lastid)
        return Call(
            "getbroadcastmsg", params, _HISTORY["getbroadcastmsg"], _empty_history(), True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_p2p_message(
        self,
        uid: int,
        peer_uid: int,
        desc: bool,
        num: int,
        begin: int,
        end: int,
        lastid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[HistoryMessageResult] | None = None,
    ) -> Call[HistoryMessageResult]:
        """A page of the P2P history between ``uid`` and ``peer_uid``; each entry's
        ``from_uid`` is the real sender (the server's direction code 1/2 is resolved)."""
        fn = "get_p2p_message"
        uid = _i64(fn, "uid", uid)
        peer_uid = _i64(fn, "peer_uid", peer_uid)
        params = {"uid": uid, "ouid": peer_uid}
        params.update(self._rtm_history_params(fn, desc, num, begin, end, lastid))
        return Call(
            "getp2pmsg", params, _history_parser("getp2pmsg", (uid, peer_uid)),
            _empty_history(), True, _timeout(fn, timeout), _callback(fn, callback),
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
        """Delete (recall) a stored message. ``xid`` is the receiver uid (P2P), the group id
        or the room id (ignored for broadcast); ``message_type`` a :class:`MessageType` (or
        its wire value 1..4)."""
        fn = "del_message"
        if isinstance(message_type, bool) or not isinstance(message_type, int):
            raise TypeError(
                f"{fn}(): 'message_type' must be a MessageType, got {type(message_type).__name__}"
            )
        if message_type not in (1, 2, 3, 4):
            raise ValueError(
                f"{fn}(): 'message_type' must be a MessageType (P2P=1, GROUP=2, ROOM=3, "
                f"BROADCAST=4), got {message_type!r}"
            )
        params = {
            "mid": _i64(fn, "mid", mid),
            "from": _i64(fn, "from_uid", from_uid),
            "xid": _i64(fn, "xid", xid),
            "type": int(message_type),
        }
        return Call(
            "delmsg", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip
