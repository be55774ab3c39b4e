"""Argument validation of the API builders, and the wire limits it enforces.

Integers must be ``int`` (not ``bool``) within the wire type's range; lists are lists or tuples;
strings ``str``. Errors are ``TypeError`` / ``ValueError`` naming the method, the argument and
the rule. Hot path: the fast checks are inline, error text is built only on failure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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




def _mtypes(fn: str, value: Any, name: str = "mtypes") -> list[int]:
    """A list of message types (int8 each) for the ``mtypes`` filters."""
    if not isinstance(value, (list, tuple)):
        got = type(value).__name__
        raise TypeError(f"{fn}(): {name!r} must be a list or tuple of int8 mtypes, got {got}")
    return [_int(fn, f"{name}[{i}]", item, _I8) for i, item in enumerate(value)]


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
