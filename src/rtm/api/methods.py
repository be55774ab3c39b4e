"""The 45 RTM server API methods of Go SDK 0.1.0, each defined once as a Call builder.

Every builder validates its arguments (nothing reaches the wire on bad input: ``TypeError`` /
``ValueError`` naming the argument and the rule) and returns a :class:`~rtm.api.call.Call`
whose params match what Go 0.1.0 puts on the wire (keys, presence, msgpack type families).

Common keyword-only arguments of every method:

* ``timeout``: seconds (> 0) for this call, ``None`` = the client's quest timeout. File sends
  apply it to each of their two quests.
* ``callback``: makes the call non-blocking; the method returns a zero value at once and the
  callback later receives ``(result, error_code, error_info)`` — or ``(error_code,
  error_info)`` for methods without a result; ``error_code`` 0 means success.

Validation rules: integers must be ``int`` (not ``bool``) within the wire type's range —
int64 for ids, mids and times, int8 for ``mtype``, int32 for ban seconds; ``num`` of the
history methods must be in [1, 20] (the server's maximum; 0 would return nothing). Id lists
are lists or tuples of int64, non-empty where the server requires it and at most 100 items
(friends, group members, ``is_friends``), 200 (``get_online_users``) or 2000 (multi-send
recipients). Strings must be ``str``; ``message`` may be ``str`` (sent as msgpack str) or
``bytes`` (sent as bin); ``file_content`` must be non-empty bytes-like.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.core import validate_endpoint
from rtm.api.errors import MalformedAnswerError
from rtm.api.files import FILE_MTYPE_DEFAULT, file_attrs, file_sign
from rtm.api.models import (
    HistoryMessageResult,
    HistoryMessageUnit,
    ListenState,
    MessageType,
)
from rtm.api.signing import MidGenerator
from rtm.fpnn.errors import PROTO_KEY_NOT_FOUND, PROTO_TYPE_CONVERT

__all__ = ["HISTORY_MAX_NUM", "LIST_LIMITS", "RTMMethods"]

log = logging.getLogger("rtm.api")

_I8 = (-(2**7), 2**7 - 1, "int8")
_I16 = (-(2**15), 2**15 - 1, "int16")
_I32 = (-(2**31), 2**31 - 1, "int32")
_I64_MIN = -(2**63)
_I64_MAX = 2**63 - 1
_I64 = (_I64_MIN, _I64_MAX, "int64")

HISTORY_MAX_NUM = 20
FRIENDS_MAX = 100
MEMBERS_MAX = 100
ONLINE_MAX = 200
TOS_MAX = 2000
LIST_LIMITS = {
    "friends": FRIENDS_MAX,
    "members": MEMBERS_MAX,
    "online": ONLINE_MAX,
    "tos": TOS_MAX,
}

# ---------------------------------------------------------------------------------------------
# argument validation (hot path: fast checks inline, error text built only on failure)


def _int_error(fn: str, name: str, value: object, lo: int, hi: int, label: str) -> Exception:
    rule = f"must be an int in [{lo}, {hi}] ({label})"
    if isinstance(value, bool) or not isinstance(value, int):
        return TypeError(f"{fn}(): {name!r} {rule}, got {type(value).__name__}")
    return ValueError(f"{fn}(): {name!r} {rule}, got {value!r}")


def _int(fn: str, name: str, value: Any, spec: tuple[int, int, str]) -> int:
    lo, hi, label = spec
    if type(value) is int:
        if lo <= value <= hi:
            return value
    elif isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi:
        return int(value)  # IntEnum & co.: send a plain int
    raise _int_error(fn, name, value, lo, hi, label)


def _i64(fn: str, name: str, value: Any) -> int:
    if type(value) is int and _I64_MIN <= value <= _I64_MAX:
        return value
    return _int(fn, name, value, _I64)


def _bool(fn: str, name: str, value: Any) -> bool:
    if value is True or value is False:
        return value
    raise TypeError(f"{fn}(): {name!r} must be a bool, got {type(value).__name__}")


def _str(fn: str, name: str, value: Any) -> str:
    if type(value) is str:
        return value
    if isinstance(value, str):
        return str(value)
    raise TypeError(f"{fn}(): {name!r} must be a str, got {type(value).__name__}")


def _msg(fn: str, value: Any) -> str | bytes:
    if type(value) is str or type(value) is bytes:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{fn}(): 'message' must be a str or bytes, got {type(value).__name__}")


def _ids(fn: str, name: str, value: Any, limit: int | None, *, required: bool) -> list[int]:
    if not isinstance(value, (list, tuple)):
        raise TypeError(
            f"{fn}(): {name!r} must be a list or tuple of int64 ids, got {type(value).__name__}"
        )
    n = len(value)
    if n == 0 and required:
        raise ValueError(f"{fn}(): {name!r} must not be empty")
    if limit is not None and n > limit:
        raise ValueError(f"{fn}(): {name!r} must have at most {limit} items, got {n}")
    out = list(value)
    for i, item in enumerate(out):
        if type(item) is not int or not _I64_MIN <= item <= _I64_MAX:
            out[i] = _int(fn, f"{name}[{i}]", item, _I64)
    return out


def _strs(fn: str, name: str, value: Any) -> list[str]:
    if not isinstance(value, (list, tuple)):
        got = type(value).__name__
        raise TypeError(f"{fn}(): {name!r} must be a list or tuple of str, got {got}")
    out = list(value)
    for i, item in enumerate(out):
        if type(item) is not str:
            out[i] = _str(fn, f"{name}[{i}]", item)
    return out


def _timeout(fn: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        got = type(value).__name__
        raise TypeError(f"{fn}(): 'timeout' must be a number of seconds or None, got {got}")
    if not 0 < value < float("inf"):
        raise ValueError(f"{fn}(): 'timeout' must be > 0 and finite, got {value!r}")
    return float(value)


def _callback(fn: str, value: Any) -> Callable[..., None] | None:
    if value is None or callable(value):
        return value  # type: ignore[no-any-return]
    raise TypeError(f"{fn}(): 'callback' must be callable or None, got {type(value).__name__}")


def _num(fn: str, value: Any) -> int:
    num = _int(fn, "num", value, _I16)
    if not 1 <= num <= HISTORY_MAX_NUM:
        raise ValueError(f"{fn}(): 'num' must be in [1, {HISTORY_MAX_NUM}], got {num}")
    return num


def _file_bytes(fn: str, value: Any) -> bytes:
    if type(value) is bytes:
        data: bytes = value
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
    else:
        raise TypeError(f"{fn}(): 'file_content' must be bytes, got {type(value).__name__}")
    if not data:
        raise ValueError(f"{fn}(): 'file_content' must not be empty")
    return data


# ---------------------------------------------------------------------------------------------
# answer parsing


def _malformed(method: str, key: str, problem: str, code: int) -> MalformedAnswerError:
    return MalformedAnswerError(f"{method} answer: {problem} {key!r}", code)


def _want(method: str, answer: dict[str, Any], key: str) -> Any:
    try:
        return answer[key]
    except (KeyError, TypeError, IndexError):
        if not isinstance(answer, dict):
            raise MalformedAnswerError(
                f"{method} answer: expected a map, got {type(answer).__name__}", PROTO_TYPE_CONVERT
            ) from None
        raise _malformed(method, key, "missing key", PROTO_KEY_NOT_FOUND) from None


def _as_int(method: str, key: str, value: Any) -> int:
    if type(value) is int:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    got = type(value).__name__
    raise _malformed(method, key, f"expected an int, got {got} for", PROTO_TYPE_CONVERT)


def _as_text(method: str, key: str, value: Any, *, keep_bytes: bool) -> Any:
    if type(value) is str:
        return value
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            if keep_bytes:
                return bytes(value)
            raise _malformed(method, key, "invalid UTF-8 in", PROTO_TYPE_CONVERT) from None
    if isinstance(value, str):
        return str(value)
    got = type(value).__name__
    raise _malformed(method, key, f"expected a str, got {got} for", PROTO_TYPE_CONVERT)


def _parse_none(answer: dict[str, Any]) -> None:
    return None


def _mtime_parser(method: str) -> Callable[[dict[str, Any]], int]:
    def parse(answer: dict[str, Any]) -> int:
        value = _want(method, answer, "mtime")
        if type(value) is int:
            return value
        return _as_int(method, "mtime", value)

    return parse


def _ok_parser(method: str) -> Callable[[dict[str, Any]], bool]:
    def parse(answer: dict[str, Any]) -> bool:
        value = _want(method, answer, "ok")
        if value is True or value is False:
            return value
        got = type(value).__name__
        raise _malformed(method, "ok", f"expected a bool, got {got} for", PROTO_TYPE_CONVERT)

    return parse


def _ids_parser(method: str, key: str) -> Callable[[dict[str, Any]], list[int]]:
    def parse(answer: dict[str, Any]) -> list[int]:
        value = _want(method, answer, key)
        if value is None:  # a nil Go slice
            return []
        if not isinstance(value, (list, tuple)):
            got = type(value).__name__
            raise _malformed(method, key, f"expected an array, got {got} for", PROTO_TYPE_CONVERT)
        return [_as_int(method, f"{key}[]", item) for item in value]

    return parse


def _parse_token(answer: dict[str, Any]) -> str:
    token = _as_text("gettoken", "token", _want("gettoken", answer, "token"), keep_bytes=False)
    return cast(str, token)


def _parse_filetoken(answer: dict[str, Any]) -> tuple[str, str]:
    token = _as_text("filetoken", "token", _want("filetoken", answer, "token"), keep_bytes=False)
    endpoint = _as_text(
        "filetoken", "endpoint", _want("filetoken", answer, "endpoint"), keep_bytes=False
    )
    try:
        validate_endpoint(endpoint)
    except (TypeError, ValueError):
        raise _malformed(
            "filetoken", "endpoint", f"not a 'host:port' ({endpoint!r}) in", PROTO_TYPE_CONVERT
        ) from None
    return token, endpoint


def _history_parser(
    method: str, p2p: tuple[int, int] | None = None
) -> Callable[[dict[str, Any]], HistoryMessageResult]:
    def parse(answer: dict[str, Any]) -> HistoryMessageResult:
        num = _as_int(method, "num", _want(method, answer, "num"))
        lastid = _as_int(method, "lastid", _want(method, answer, "lastid"))
        begin = _as_int(method, "begin", _want(method, answer, "begin"))
        end = _as_int(method, "end", _want(method, answer, "end"))
        raw = answer.get("msgs")
        if raw is None:
            if num != 0:
                raise _malformed(method, "msgs", f"missing (num={num}) key", PROTO_KEY_NOT_FOUND)
            raw = []
        if not isinstance(raw, (list, tuple)):
            got = type(raw).__name__
            raise _malformed(
                method, "msgs", f"expected an array, got {got} for", PROTO_TYPE_CONVERT
            )
        messages: list[HistoryMessageUnit] = []
        append = messages.append
        for i, entry in enumerate(raw):
            # Fast path: a well-formed entry (what servers send) is checked in one go; anything
            # else takes the full path below, which names the offending field.
            if type(entry) is list and len(entry) == 8:
                id_, from_uid, mtype, mid, deleted, msg, attrs, mtime = entry
                if (
                    type(id_) is int and type(from_uid) is int and type(mtype) is int
                    and type(mid) is int and type(mtime) is int
                    and (deleted is True or deleted is False)
                    and type(msg) is str and type(attrs) is str
                    and (p2p is None or from_uid == 1 or from_uid == 2)
                ):
                    if p2p is not None:
                        from_uid = p2p[0] if from_uid == 1 else p2p[1]
                    append(HistoryMessageUnit(id_, from_uid, mtype, mid, deleted, msg, attrs,
                                              mtime))
                    continue
            where = f"msgs[{i}]"
            if not isinstance(entry, (list, tuple)) or len(entry) != 8:
                raise _malformed(
                    method, where, "expected an 8-element array for", PROTO_TYPE_CONVERT
                )
            deleted = entry[4]
            if deleted is not True and deleted is not False:
                got = type(deleted).__name__
                raise _malformed(
                    method, f"{where}[4]", f"'deleted' expected a bool, got {got} for",
                    PROTO_TYPE_CONVERT,
                )  # fmt: skip
            from_uid = _as_int(method, f"{where}[1]", entry[1])
            if p2p is not None:
                if from_uid == 1:
                    from_uid = p2p[0]
                elif from_uid == 2:
                    from_uid = p2p[1]
                else:
                    log.warning(
                        "%s: unknown P2P direction %d in history entry %d "
                        "(uid=%d, peer=%d); kept as is",
                        method,
                        from_uid,
                        i,
                        p2p[0],
                        p2p[1],
                    )
            messages.append(
                HistoryMessageUnit(
                    _as_int(method, f"{where}[0]", entry[0]),
                    from_uid,
                    _as_int(method, f"{where}[2]", entry[2]),
                    _as_int(method, f"{where}[3]", entry[3]),
                    deleted,
                    _as_text(method, f"{where}[5]", entry[5], keep_bytes=True),
                    _as_text(method, f"{where}[6]", entry[6], keep_bytes=True),
                    _as_int(method, f"{where}[7]", entry[7]),
                )
            )
        return HistoryMessageResult(num, lastid, begin, end, messages)

    return parse


_MTIME = {
    m: _mtime_parser(m)
    for m in (
        "sendmsg",
        "sendmsgs",
        "sendgroupmsg",
        "sendroommsg",
        "broadcastmsg",
        "sendfile",
        "sendfiles",
        "sendgroupfile",
        "sendroomfile",
        "broadcastfile",
    )
}
_HISTORY = {m: _history_parser(m) for m in ("getgroupmsg", "getroommsg", "getbroadcastmsg")}
_OK = {
    m: _ok_parser(m)
    for m in ("isfriend", "isgroupmember", "isbanofgroup", "isbanofroom", "isprojectblack")
}
_PARSE_FRIENDS = _ids_parser("getfriends", "uids")
_PARSE_IS_FRIENDS = _ids_parser("isfriends", "fuids")
_PARSE_MEMBERS = _ids_parser("getgroupmembers", "uids")
_PARSE_USER_GROUPS = _ids_parser("getusergroups", "gids")
_PARSE_ONLINE = _ids_parser("getonlineusers", "uids")
_PARSE_FILETOKEN = cast(Callable[[dict[str, Any]], int], _parse_filetoken)  # step 1 of Call[int]


def _empty_history() -> HistoryMessageResult:
    return HistoryMessageResult(0, 0, 0, 0, [])


# ---------------------------------------------------------------------------------------------


def _listen_args(
    fn: str, group_ids: object, room_ids: object, p2p: object, events: object
) -> tuple[list[int], list[int], bool, list[str]]:
    """Validated (gids, rids, p2p, events) of the three listen methods."""
    return (
        _ids(fn, "group_ids", group_ids, None, required=False),
        _ids(fn, "room_ids", room_ids, None, required=False),
        _bool(fn, "p2p", p2p),
        _strs(fn, "events", events),
    )


def _listen_delta_params(
    gids: list[int], rids: list[int], p2p: bool, evs: list[str]
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if gids:
        params["gids"] = gids
    if rids:
        params["rids"] = rids
    if p2p:
        params["p2p"] = True
    if evs:
        params["events"] = evs
    return params


class RTMMethods:
    """Mixin with every RTM server API method; combine with RTMCore and an executor.

    Reads ``_pid``, ``_mids``, ``_listen`` and ``_legacy_file_attrs`` provided by RTMCore.
    """

    _pid: int
    _mids: MidGenerator
    _listen: ListenState
    _legacy_file_attrs: bool

    # --- sending messages ------------------------------------------------------------------

    def _rtm_send(
        self,
        fn: str,
        method: str,
        target_key: str | None,
        target: Any,
        from_uid: Any,
        mtype: Any,
        message: Any,
        attrs: Any,
        mid: Any,
        timeout: Any,
        callback: Any,
    ) -> Call[int]:
        params: dict[str, Any] = {
            "mtype": _int(fn, "mtype", mtype, _I8),
            "from": _i64(fn, "from_uid", from_uid),
        }
        if target_key is not None:
            params[target_key] = target
        params["mid"] = self._mids.next() if mid is None else _i64(fn, "mid", mid)
        params["msg"] = _msg(fn, message)
        params["attrs"] = attrs if type(attrs) is str else _str(fn, "attrs", attrs)
        if timeout is not None or callback is not None:
            timeout = _timeout(fn, timeout)
            callback = _callback(fn, callback)
        return Call(method, params, _MTIME[method], 0, True, timeout, callback)

    @api_method
    def send_message(
        self,
        from_uid: int,
        to_uid: int,
        mtype: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a P2P message; returns the server ``mtime`` (ms). ``mid`` defaults to a new
        client-generated id."""
        return self._rtm_send(
            "send_message", "sendmsg", "to", _i64("send_message", "to_uid", to_uid),
            from_uid, mtype, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_messages(
        self,
        from_uid: int,
        to_uids: list[int] | tuple[int, ...],
        mtype: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send one P2P message (one mid) to up to 2000 users; returns ``mtime``."""
        tos = _ids("send_messages", "to_uids", to_uids, TOS_MAX, required=True)
        return self._rtm_send(
            "send_messages", "sendmsgs", "tos", tos,
            from_uid, mtype, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_group_message(
        self,
        from_uid: int,
        group_id: int,
        mtype: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a group message (the sender must be a member); returns ``mtime``."""
        return self._rtm_send(
            "send_group_message", "sendgroupmsg", "gid",
            _i64("send_group_message", "group_id", group_id),
            from_uid, mtype, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_room_message(
        self,
        from_uid: int,
        room_id: int,
        mtype: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a room message (the sender must be in the room); returns ``mtime``."""
        return self._rtm_send(
            "send_room_message", "sendroommsg", "rid",
            _i64("send_room_message", "room_id", room_id),
            from_uid, mtype, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_broadcast_message(
        self,
        from_uid: int,
        mtype: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Broadcast a message to every user (``from_uid`` must be an admin uid); returns
        ``mtime``. Also available as ``send_boradcast_message`` (the 0.1.0 doc's spelling)."""
        return self._rtm_send(
            "send_broadcast_message", "broadcastmsg", None, None,
            from_uid, mtype, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    send_boradcast_message = send_broadcast_message

    # --- history ---------------------------------------------------------------------------

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

    # --- friends ---------------------------------------------------------------------------

    @api_method
    def add_friends(
        self,
        uid: int,
        friend_uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Make ``friend_uids`` (1..100 ids) friends of ``uid``."""
        fn = "add_friends"
        params = {
            "uid": _i64(fn, "uid", uid),
            "friends": _ids(fn, "friend_uids", friend_uids, FRIENDS_MAX, required=True),
        }
        return Call(
            "addfriends", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def del_friends(
        self,
        uid: int,
        friend_uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Remove ``friend_uids`` (1..100 ids) from the friends of ``uid``."""
        fn = "del_friends"
        params = {
            "uid": _i64(fn, "uid", uid),
            "friends": _ids(fn, "friend_uids", friend_uids, FRIENDS_MAX, required=True),
        }
        return Call(
            "delfriends", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_friends(
        self,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[list[int]] | None = None,
    ) -> Call[list[int]]:
        """The friend uids of ``uid``."""
        fn = "get_friends"
        return Call(
            "getfriends", {"uid": _i64(fn, "uid", uid)}, _PARSE_FRIENDS, [], True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def is_friend(
        self,
        uid: int,
        peer_uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[bool] | None = None,
    ) -> Call[bool]:
        """Whether ``peer_uid`` is a friend of ``uid``."""
        fn = "is_friend"
        params = {"uid": _i64(fn, "uid", uid), "fuid": _i64(fn, "peer_uid", peer_uid)}
        return Call(
            "isfriend", params, _OK["isfriend"], False, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def is_friends(
        self,
        uid: int,
        uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: ResultCallback[list[int]] | None = None,
    ) -> Call[list[int]]:
        """The subset of ``uids`` (1..100 ids) that are friends of ``uid``."""
        fn = "is_friends"
        params = {
            "uid": _i64(fn, "uid", uid),
            "fuids": _ids(fn, "uids", uids, FRIENDS_MAX, required=True),
        }
        return Call(
            "isfriends", params, _PARSE_IS_FRIENDS, [], True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    # --- groups ----------------------------------------------------------------------------

    @api_method
    def add_group_members(
        self,
        group_id: int,
        uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Add 1..100 users to a group (created on first use)."""
        fn = "add_group_members"
        params = {
            "gid": _i64(fn, "group_id", group_id),
            "uids": _ids(fn, "uids", uids, MEMBERS_MAX, required=True),
        }
        return Call(
            "addgroupmembers", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def del_group_members(
        self,
        group_id: int,
        uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Remove 1..100 users from a group."""
        fn = "del_group_members"
        params = {
            "gid": _i64(fn, "group_id", group_id),
            "uids": _ids(fn, "uids", uids, MEMBERS_MAX, required=True),
        }
        return Call(
            "delgroupmembers", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def del_group(
        self,
        group_id: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Delete a group."""
        fn = "del_group"
        return Call(
            "delgroup", {"gid": _i64(fn, "group_id", group_id)}, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_group_members(
        self,
        group_id: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[list[int]] | None = None,
    ) -> Call[list[int]]:
        """The member uids of a group."""
        fn = "get_group_members"
        return Call(
            "getgroupmembers", {"gid": _i64(fn, "group_id", group_id)}, _PARSE_MEMBERS, [],
            True, _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def is_group_member(
        self,
        group_id: int,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[bool] | None = None,
    ) -> Call[bool]:
        """Whether ``uid`` is a member of the group."""
        fn = "is_group_member"
        params = {"gid": _i64(fn, "group_id", group_id), "uid": _i64(fn, "uid", uid)}
        return Call(
            "isgroupmember", params, _OK["isgroupmember"], False, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_user_groups(
        self,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[list[int]] | None = None,
    ) -> Call[list[int]]:
        """The ids of the groups ``uid`` belongs to."""
        fn = "get_user_groups"
        return Call(
            "getusergroups", {"uid": _i64(fn, "uid", uid)}, _PARSE_USER_GROUPS, [], True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    # --- rooms -----------------------------------------------------------------------------

    @api_method
    def add_room_member(
        self,
        room_id: int,
        uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Put ``uid`` into a room (created on first use)."""
        fn = "add_room_member"
        params = {"rid": _i64(fn, "room_id", room_id), "uid": _i64(fn, "uid", uid)}
        return Call(
            "addroommember", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def del_room_member(
        self,
        room_id: int,
        uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Remove ``uid`` from a room."""
        fn = "del_room_member"
        params = {"rid": _i64(fn, "room_id", room_id), "uid": _i64(fn, "uid", uid)}
        return Call(
            "delroommember", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    # --- bans and black list ---------------------------------------------------------------

    @api_method
    def add_group_ban(
        self,
        group_id: int,
        uid: int,
        banned_seconds: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Mute ``uid`` in a group for ``banned_seconds`` (int32; <= 0 = permanent)."""
        fn = "add_group_ban"
        params = {
            "gid": _i64(fn, "group_id", group_id),
            "uid": _i64(fn, "uid", uid),
            "btime": _int(fn, "banned_seconds", banned_seconds, _I32),
        }
        return Call(
            "addgroupban", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def remove_group_ban(
        self,
        group_id: int,
        uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Lift the group ban of ``uid``."""
        fn = "remove_group_ban"
        params = {"gid": _i64(fn, "group_id", group_id), "uid": _i64(fn, "uid", uid)}
        return Call(
            "removegroupban", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def add_room_ban(
        self,
        room_id: int,
        uid: int,
        banned_seconds: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Mute ``uid`` in a room for ``banned_seconds`` (int32; <= 0 = permanent)."""
        fn = "add_room_ban"
        params = {
            "rid": _i64(fn, "room_id", room_id),
            "uid": _i64(fn, "uid", uid),
            "btime": _int(fn, "banned_seconds", banned_seconds, _I32),
        }
        return Call(
            "addroomban", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def remove_room_ban(
        self,
        room_id: int,
        uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Lift the room ban of ``uid``."""
        fn = "remove_room_ban"
        params = {"rid": _i64(fn, "room_id", room_id), "uid": _i64(fn, "uid", uid)}
        return Call(
            "removeroomban", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def add_project_black(
        self,
        uid: int,
        banned_seconds: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Block ``uid`` from logging in for ``banned_seconds`` (int32; <= 0 = permanent);
        an online user is kicked out."""
        fn = "add_project_black"
        params = {
            "uid": _i64(fn, "uid", uid),
            "btime": _int(fn, "banned_seconds", banned_seconds, _I32),
        }
        return Call(
            "addprojectblack", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def remove_project_black(
        self,
        uid: int,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Take ``uid`` off the project black list."""
        fn = "remove_project_black"
        return Call(
            "removeprojectblack", {"uid": _i64(fn, "uid", uid)}, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def is_ban_of_group(
        self,
        group_id: int,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[bool] | None = None,
    ) -> Call[bool]:
        """Whether ``uid`` is currently muted in the group."""
        fn = "is_ban_of_group"
        params = {"gid": _i64(fn, "group_id", group_id), "uid": _i64(fn, "uid", uid)}
        return Call(
            "isbanofgroup", params, _OK["isbanofgroup"], False, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def is_ban_of_room(
        self,
        room_id: int,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[bool] | None = None,
    ) -> Call[bool]:
        """Whether ``uid`` is currently muted in the room."""
        fn = "is_ban_of_room"
        params = {"rid": _i64(fn, "room_id", room_id), "uid": _i64(fn, "uid", uid)}
        return Call(
            "isbanofroom", params, _OK["isbanofroom"], False, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def is_project_black(
        self,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[bool] | None = None,
    ) -> Call[bool]:
        """Whether ``uid`` is on the project black list."""
        fn = "is_project_black"
        return Call(
            "isprojectblack", {"uid": _i64(fn, "uid", uid)}, _OK["isprojectblack"], False,
            True, _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    # --- messages, users -------------------------------------------------------------------

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

    @api_method
    def kickout(
        self,
        uid: int,
        *,
        client_endpoint: str = "",
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Disconnect ``uid`` from the client gate: every connection, or only the one whose
        ``"ip:port"`` is ``client_endpoint``."""
        fn = "kickout"
        params = {"uid": _i64(fn, "uid", uid), "ce": _str(fn, "client_endpoint", client_endpoint)}
        return Call(
            "kickout", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_token(
        self,
        uid: int,
        *,
        timeout: float | None = None,
        callback: ResultCallback[str] | None = None,
    ) -> Call[str]:
        """A login token for ``uid`` on the client gate."""
        fn = "get_token"
        return Call(
            "gettoken", {"uid": _i64(fn, "uid", uid)}, _parse_token, "", True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def get_online_users(
        self,
        uids: list[int] | tuple[int, ...],
        *,
        timeout: float | None = None,
        callback: ResultCallback[list[int]] | None = None,
    ) -> Call[list[int]]:
        """The subset of ``uids`` (1..200 ids) that are online."""
        fn = "get_online_users"
        params = {"uids": _ids(fn, "uids", uids, ONLINE_MAX, required=True)}
        return Call(
            "getonlineusers", params, _PARSE_ONLINE, [], True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    # --- listen ----------------------------------------------------------------------------

    @api_method
    def add_listen(
        self,
        group_ids: list[int] | tuple[int, ...],
        room_ids: list[int] | tuple[int, ...],
        p2p: bool,
        events: list[str] | tuple[str, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Also listen to these groups, rooms, all P2P messages (``p2p=True``; ``False`` is
        ignored) and events (``login``/``logout``). Cached and re-applied after a reconnect."""
        fn = "add_listen"
        gids, rids, p2p, evs = _listen_args(fn, group_ids, room_ids, p2p, events)
        # 0.1.0 sends each key only when it changes something
        params = _listen_delta_params(gids, rids, p2p, evs)
        listen = self._listen

        def on_success(_: Any) -> None:
            listen.apply_add(gids, rids, p2p, evs)

        return Call(
            "addlisten", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback), on_success=on_success,
        )  # fmt: skip

    @api_method
    def remove_listen(
        self,
        group_ids: list[int] | tuple[int, ...],
        room_ids: list[int] | tuple[int, ...],
        p2p: bool,
        events: list[str] | tuple[str, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Stop listening to these groups, rooms, P2P messages (``p2p=True``; ``False`` is
        ignored) and events."""
        fn = "remove_listen"
        gids, rids, p2p, evs = _listen_args(fn, group_ids, room_ids, p2p, events)
        # 0.1.0 sends each key only when it changes something
        params = _listen_delta_params(gids, rids, p2p, evs)
        listen = self._listen

        def on_success(_: Any) -> None:
            listen.apply_remove(gids, rids, p2p, evs)

        return Call(
            "removelisten", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback), on_success=on_success,
        )  # fmt: skip

    @api_method
    def set_listen(
        self,
        group_ids: list[int] | tuple[int, ...],
        room_ids: list[int] | tuple[int, ...],
        p2p: bool,
        events: list[str] | tuple[str, ...],
        *,
        all: bool | None = None,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Replace the listen setting. ``all=True`` listens to everything and ``all=False``
        to nothing, ignoring the other arguments."""
        fn = "set_listen"
        gids, rids, p2p, evs = _listen_args(fn, group_ids, room_ids, p2p, events)
        params: dict[str, Any] = {"gids": gids, "rids": rids, "p2p": p2p, "events": evs}
        if all is not None:
            params["all"] = _bool(fn, "all", all)
        listen = self._listen

        def on_success(_: Any) -> None:
            listen.apply_set(gids, rids, p2p, evs, all)

        return Call(
            "setlisten", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback), on_success=on_success,
        )  # fmt: skip

    # --- devices ---------------------------------------------------------------------------

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

    # --- files -----------------------------------------------------------------------------

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
        mid: Any,
        timeout: Any,
        callback: Any,
    ) -> Call[int]:
        from_uid = _i64(fn, "from_uid", from_uid)
        content = _file_bytes(fn, file_content)
        filename = _str(fn, "filename", filename)
        mtype = _int(fn, "mtype", mtype, _I8)
        if extension is not None:
            extension = _str(fn, "extension", extension)
        if _str(fn, "attrs", attrs):
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
        legacy = self._legacy_file_attrs
        parse_mtime = _MTIME[cmd]

        def then(result: tuple[str, str]) -> Call[int]:
            token, endpoint = result
            params = dict(gate_params)
            params["token"] = token
            params["attrs"] = file_attrs(
                file_sign(content, token), filename, extension, legacy=legacy
            )
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
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a file to one user (``filetoken`` quest, then the file gate); returns
        ``mtime``. ``extension`` defaults to the part of ``filename`` after its last dot.
        ``attrs`` is accepted for API compatibility but **not sent**: the 0.1.0 file quest
        has no place for user attributes (a warning is logged when it is non-empty)."""
        fn = "send_file"
        return self._rtm_file(
            fn, "sendfile", "to", _i64(fn, "to_uid", to_uid), from_uid, file_content,
            filename, mtype, extension, attrs, mid, timeout, callback,
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
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a file to up to 2000 users (see ``send_file``)."""
        fn = "send_files"
        return self._rtm_file(
            fn, "sendfiles", "tos", _ids(fn, "to_uids", to_uids, TOS_MAX, required=True),
            from_uid, file_content, filename, mtype, extension, attrs, mid, timeout, callback,
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
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a file to a group (see ``send_file``)."""
        fn = "send_group_file"
        return self._rtm_file(
            fn, "sendgroupfile", "gid", _i64(fn, "group_id", group_id), from_uid,
            file_content, filename, mtype, extension, attrs, mid, timeout, callback,
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
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a file to a room (see ``send_file``)."""
        fn = "send_room_file"
        return self._rtm_file(
            fn, "sendroomfile", "rid", _i64(fn, "room_id", room_id), from_uid,
            file_content, filename, mtype, extension, attrs, mid, timeout, callback,
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
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Broadcast a file to every user (see ``send_file``)."""
        fn = "send_broadcast_file"
        return self._rtm_file(
            fn, "broadcastfile", None, None, from_uid, file_content, filename, mtype,
            extension, attrs, mid, timeout, callback,
        )  # fmt: skip
