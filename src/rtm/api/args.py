"""Argument validation of the API builders, and the wire limits it enforces.

Integers must be ``int`` (not ``bool``) within the wire type's range; lists are lists or tuples;
strings ``str``. Errors are ``TypeError`` / ``ValueError`` naming the method, the argument and
the rule. Hot path: the fast checks are inline, error text is built only on failure.

Limits the server enforces with an RTM code are checked here too, and raise the error class of
that code before anything is encoded or sent: an ``mtype`` outside 1..127 is
``InvalidMtypeError`` (200005), a message or attrs over the size limit
``LargeMessageOrAttrsError`` (200030), a file over 5 MiB ``LargeFileOrAttrsError`` (200031).
So a 10 MB message fails like a 20 KB + 1 one, not with a frame-size error of the transport.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from enum import Enum
from typing import Any, Final

from rtm.api.errors import InvalidMtypeError, LargeFileOrAttrsError, LargeMessageOrAttrsError

_I8 = (-(2**7), 2**7 - 1, "int8")
_I16 = (-(2**15), 2**15 - 1, "int16")
_I32 = (-(2**31), 2**31 - 1, "int32")
_I64_MIN = -(2**63)
_I64_MAX = 2**63 - 1
_I64 = (_I64_MIN, _I64_MAX, "int64")

HISTORY_MAX_NUM = 20
#: Server limits (spec 0.1.0 §5.3, current §5.5/§10), in bytes (UTF-8 for text).
MAX_MSG_BYTES: Final = 20480
MAX_ATTRS_BYTES: Final = 2048
MAX_FILE_BYTES: Final = 5_242_880
MTYPE_MIN: Final = 1
MTYPE_MAX: Final = 127
# A str of at most this many code points is at most MAX_MSG_BYTES in UTF-8 (4 bytes each):
# the common case needs no encoding to know its size.
_MSG_SAFE_CHARS: Final = MAX_MSG_BYTES // 4
_ATTRS_SAFE_CHARS: Final = MAX_ATTRS_BYTES // 4
FRIENDS_MAX = 100
MEMBERS_MAX = 100
ONLINE_MAX = 200
TOS_MAX = 2000
#: Per-call list limits of the current generation (spec current §4.6 to §4.9; the ones the
#: sources leave open are the emulator's 100).
BLACKS_MAX = 100
ROOM_IDS_MAX = 100
INFO_UIDS_MAX = 100
SESSIONS_MAX = 100
LIST_LIMITS = {
    "friends": FRIENDS_MAX,
    "members": MEMBERS_MAX,
    "online": ONLINE_MAX,
    "tos": TOS_MAX,
    "blacks": BLACKS_MAX,
    "room_ids": ROOM_IDS_MAX,
    "info_uids": INFO_UIDS_MAX,
    "sessions": SESSIONS_MAX,
}

# ---------------------------------------------------------------------------------------------
# argument validation (hot path: fast checks inline, error text built only on failure)


#: argument names of ids (uids, group, room and conversation ids; not mids or cursors)
_ID_NAME = re.compile(r"(?:^|_)(?:uid|id|xid)s?(?:\[\d+\])?$")


def _int_error(fn: str, name: str, value: object, lo: int, hi: int, label: str) -> Exception:
    if label == "int64" and _ID_NAME.search(name):
        # The wire type is int64, but RTM ids are positive (the server answers 200001 to
        # 0 or a negative id): say what an id is rather than the wire type's range.
        rule = "must be an id: a positive int64 (1..2^63-1)"
    else:
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


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _too_large(fn: str, name: str, size: int, limit: int, cls: type[Exception]) -> Exception:
    return cls(f"{fn}(): {name!r} is {size} bytes, the server accepts at most {limit}")


def _msg(fn: str, value: Any) -> str | bytes:
    """A message body: ``str`` or ``bytes``, at most MAX_MSG_BYTES (LargeMessageOrAttrsError)."""
    if type(value) is str:
        if len(value) <= _MSG_SAFE_CHARS or _utf8_len(value) <= MAX_MSG_BYTES:
            return value
        raise _too_large(fn, "message", _utf8_len(value), MAX_MSG_BYTES,
                         LargeMessageOrAttrsError)
    if type(value) is bytes:
        data: bytes = value
    elif isinstance(value, str):
        return _msg(fn, str(value))
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
    else:
        raise TypeError(f"{fn}(): 'message' must be a str or bytes, got {type(value).__name__}")
    if len(data) > MAX_MSG_BYTES:
        raise _too_large(fn, "message", len(data), MAX_MSG_BYTES, LargeMessageOrAttrsError)
    return data


def _attrs(fn: str, value: Any) -> str:
    """Message attrs: a ``str`` of at most MAX_ATTRS_BYTES (LargeMessageOrAttrsError)."""
    text: str = value if type(value) is str else _str(fn, "attrs", value)
    if len(text) <= _ATTRS_SAFE_CHARS or _utf8_len(text) <= MAX_ATTRS_BYTES:
        return text
    raise _too_large(fn, "attrs", _utf8_len(text), MAX_ATTRS_BYTES, LargeMessageOrAttrsError)


def _mtype(fn: str, value: Any) -> int:
    """A message type: an int in 1..127, else InvalidMtypeError (the server's 200005)."""
    if type(value) is int and MTYPE_MIN <= value <= MTYPE_MAX:
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{fn}(): 'mtype' must be an int in [{MTYPE_MIN}, {MTYPE_MAX}], "
                        f"got {type(value).__name__}")
    if MTYPE_MIN <= value <= MTYPE_MAX:
        return int(value)  # IntEnum & co.: send a plain int
    raise InvalidMtypeError(
        f"{fn}(): 'mtype' must be in [{MTYPE_MIN}, {MTYPE_MAX}], got {value!r}")


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
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(fn, "file_content", len(data), MAX_FILE_BYTES, LargeFileOrAttrsError)
    return data




# ---------------------------------------------------------------------------------------------
# content services, RTC rooms, IM library (spec rtm-server-api-current.md §4.14-§4.16)

RTC_UIDS_MAX = 100  # emulator choice (E): the sources give no limit
IM_IDS_MAX = 100


def _text(fn: str, name: str, value: Any, *, required: bool = False) -> str:
    """A str (a str Enum member gives its value); ``required``: not empty."""
    if isinstance(value, Enum) and isinstance(value.value, str):
        text: str = value.value
    else:
        text = _str(fn, name, value)
    if required and not text:
        raise ValueError(f"{fn}(): {name!r} must not be empty")
    return text


def _choice(fn: str, name: str, value: Any, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (a str)."""
    text = _text(fn, name, value)
    if text not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{fn}(): {name!r} must be one of {allowed}, got {text!r}")
    return text


def _member(fn: str, name: str, value: Any, allowed: Collection[int], label: str) -> int:
    """An int (or IntEnum member) among ``allowed``."""
    number = _int(fn, name, value, _I32)
    if number not in allowed:
        raise ValueError(f"{fn}(): {name!r} must be {label}, got {number}")
    return number


def _optional_uid(fn: str, name: str, value: Any) -> int:
    """An int64 >= 0; 0 means "not given" (left out of the quest, as Go does)."""
    uid = _i64(fn, name, value)
    if uid < 0:
        raise ValueError(f"{fn}(): {name!r} must be >= 0 (0 = none), got {uid}")
    return uid


def _media(fn: str, name: str, value: Any) -> str | bytes:
    """A URL or content: str, or bytes (sent as msgpack bin)."""
    if type(value) is str or type(value) is bytes:
        data: str | bytes = value
    elif isinstance(value, str):
        data = str(value)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
    else:
        raise TypeError(f"{fn}(): {name!r} must be a str or bytes, got {type(value).__name__}")
    if not data:
        raise ValueError(f"{fn}(): {name!r} must not be empty")
    return data


def _str_map(fn: str, name: str, value: Any) -> dict[str, str]:
    """A mapping of str to str (copied)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{fn}(): {name!r} must be a dict of str to str, got "
                        f"{type(value).__name__}")
    out: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"{fn}(): {name!r} keys must be str, got {type(key).__name__}")
        out[str(key)] = _str(fn, f"{name}[{key!r}]", item)
    return out


def _opt_str(fn: str, name: str, value: Any) -> str | None:
    """``None`` (the key is left out of the quest) or a str."""
    return None if value is None else _str(fn, name, value)


def _mtypes(fn: str, name: str, value: Any) -> list[int]:
    """An optional list of int8 mtypes; ``None`` is the empty list."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        got = type(value).__name__
        raise TypeError(f"{fn}(): {name!r} must be a list or tuple of int8 mtypes or None, "
                        f"got {got}")
    return [_int(fn, f"{name}[{i}]", item, _I8) for i, item in enumerate(value)]


def _xid_or_all(fn: str, name: str, value: Any) -> int | None:
    """A group/room id, or ``None`` for "every group/room": Go's rule is any id <= 0."""
    if value is None:
        return None
    xid = _i64(fn, name, value)
    return xid if xid > 0 else None


def _ban_target(protocol: str, fn: str, key: str, name: str, value: Any) -> dict[str, int]:
    """The ``gid``/``rid`` part of a group/room ban quest. In the current profile ``None`` or
    an id <= 0 means every group/room and the key is left out (Go 0.9.20, spec current
    §4.7); the 0.1.0 wire has no such ban and sends the id as given."""
    if protocol == "0.1.0":
        if value is None:
            raise ValueError(f"{fn}(): {name!r}=None (every group/room) needs "
                             "protocol='current'; the 0.1.0 wire has no such ban")
        return {key: _i64(fn, name, value)}
    xid = _xid_or_all(fn, name, value)
    return {} if xid is None else {key: xid}


def _info_params(fn: str, public_info: Any, private_info: Any) -> dict[str, str]:
    """``oinfo``/``pinfo`` of a set*info quest: a ``None`` value is left out (unchanged)."""
    params: dict[str, str] = {}
    oinfo = _opt_str(fn, "public_info", public_info)
    pinfo = _opt_str(fn, "private_info", private_info)
    if oinfo is not None:
        params["oinfo"] = oinfo
    if pinfo is not None:
        params["pinfo"] = pinfo
    return params


def _enum_value(fn: str, name: str, value: Any, allowed: dict[int, str], label: str) -> int:
    """An IntEnum member (or its wire value) among ``allowed`` (value -> member name)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{fn}(): {name!r} must be a {label}, got {type(value).__name__}")
    if value not in allowed:
        names = ", ".join(f"{n}={v}" for v, n in allowed.items())
        raise ValueError(f"{fn}(): {name!r} must be a {label} ({names}), got {value!r}")
    return int(value)


_MESSAGE_TYPES = {1: "P2P", 2: "GROUP", 3: "ROOM", 4: "BROADCAST"}


def _message_type(fn: str, value: Any, allowed: tuple[int, ...] = (1, 2, 3, 4)) -> int:
    return _enum_value(fn, "message_type", value,
                       {v: _MESSAGE_TYPES[v] for v in allowed}, "MessageType")


def _clear_type(fn: str, value: Any) -> int:
    return _enum_value(fn, "clear_type", value,
                       {0: "P2P", 1: "ROOM", 2: "GROUP", 3: "BROADCAST", 4: "ALL"}, "ClearType")


def _current_only(fn: str, protocol: str, what: str) -> None:
    """``what`` exists only in the current protocol: refuse it in the 0.1.0 profile rather than
    silently send a request a 0.1.0 server would answer differently."""
    if protocol != "current":
        raise ValueError(f"{fn}(): {what} needs protocol='current' (this client uses "
                         f"protocol={protocol!r}, whose quest has no such key)")
