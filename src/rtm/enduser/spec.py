"""Each client-protocol command described once (``shared/spec/rtm-client-api.md`` §2-§4).

A :class:`Command` states a wire method's params (key, kind, optional, limit) and the keys of
its answer. It has two readers, so the two sides cannot drift:

* the end-user client builds a quest with :meth:`Command.quest`: Python values are checked
  (``TypeError``/``ValueError`` naming the method and the argument) and put on the wire in the
  types the official client SDKs use;
* the client gate reads an incoming quest with the same description
  (:func:`rtm.server.clientgate.reading.read_params`): the server API's rules and codes
  (10009 a missing key, 10010 a wrong type, both naming the key and the expected type;
  200001 an id ≤ 0; 200003 an empty list; 200005 too many items).

:meth:`Command.answer_problems` checks an answer against :attr:`Command.answer` (tests run
every gate answer through it).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rtm.api import args as _a

__all__ = ["Command", "Kind", "Param"]


class Kind(enum.Enum):
    """The wire type of one param or answer key."""

    ID = "id"  #: int64 > 0 (uid, gid, rid)
    INT = "int"  #: int64
    I8 = "i8"  #: int8 (mtype-sized enums such as a message ``type``)
    I16 = "i16"  #: int16 (a history page's ``num``)
    I32 = "i32"  #: int32
    BOOL = "bool"
    STR = "str"  #: str (bin holding UTF-8 is read as str)
    BODY = "body"  #: str or bin, kept as sent (message bodies, attrs)
    BIN = "bin"  #: bin only (file contents)
    IDS = "ids"  #: [int64 > 0]
    INTS = "ints"  #: [int64] (mtypes, counts)
    STRS = "strs"  #: [str]
    STR_MAP = "str_map"  #: {str: str}
    MAP = "map"  #: any map (answers only)
    LIST = "list"  #: any array (answers only: history rows)
    ANY = "any"  #: any value (answers only)


@dataclass(frozen=True, slots=True)
class Param:
    """One key of a quest or an answer.

    ``limit``: at most this many items (lists) or UTF-8 bytes (strings); ``arg``: the Python
    argument's name in the end-user client when it is not the key.
    """

    key: str
    kind: Kind
    optional: bool = False
    limit: int | None = None
    arg: str | None = None

    @property
    def name(self) -> str:
        return self.arg or self.key


@dataclass(frozen=True, slots=True)
class Command:
    """One wire method of the client gate. ``login``: it needs an authenticated connection
    (200022 otherwise); ``gate``: ``"client"`` or ``"file"`` (the file gate's quests)."""

    method: str
    params: tuple[Param, ...] = ()
    answer: tuple[Param, ...] = ()
    login: bool = True
    gate: str = "client"

    # ------------------------------------------------------------------ the client's building

    def quest(self, fn: str, **values: Any) -> dict[str, Any]:
        """The quest payload from Python values (by param key or ``arg`` name); a None
        optional value leaves its key out."""
        payload: dict[str, Any] = {}
        for param in self.params:
            value = values.pop(param.name, None)
            if value is None:
                if param.optional:
                    continue
                raise TypeError(f"{fn}(): {param.name!r} is required")
            payload[param.key] = _BUILDERS[param.kind](fn, param, value)
        if values:
            raise TypeError(f"{fn}(): unexpected argument(s) {', '.join(sorted(values))}")
        return payload

    # ------------------------------------------------------------------ answers

    def answer_problems(self, answer: Mapping[str, Any]) -> list[str]:
        """What in ``answer`` does not match :attr:`answer` (empty when it all does)."""
        problems: list[str] = []
        for param in self.answer:
            if param.key not in answer:
                if not param.optional:
                    problems.append(f"{self.method}: answer lacks {param.key!r}")
                continue
            if not _MATCHES[param.kind](answer[param.key]):
                problems.append(f"{self.method}: answer key {param.key!r} is not "
                                f"{param.kind.value}: {answer[param.key]!r}")
        return problems


# ---------------------------------------------------------------------------------- builders

_ID_RANGE = (1, 2**63 - 1, "a positive int64 id")
_I8 = (-(2**7), 2**7 - 1, "int8")
_I16 = (-(2**15), 2**15 - 1, "int16")


def _build_str(fn: str, param: Param, value: Any) -> str:
    text = _a._str(fn, param.name, value)
    if param.limit is not None and _a._utf8_len(text) > param.limit:
        raise ValueError(f"{fn}(): {param.name!r} is {_a._utf8_len(text)} bytes, at most "
                         f"{param.limit}")
    return text


def _build_body(fn: str, param: Param, value: Any) -> str | bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return _build_str(fn, param, value)


def _build_bin(fn: str, param: Param, value: Any) -> bytes:
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"{fn}(): {param.name!r} must be bytes, got {type(value).__name__}")
    return bytes(value)


def _build_ids(fn: str, param: Param, value: Any) -> list[int]:
    ids = _a._ids(fn, param.name, value, param.limit, required=True)
    for i, uid in enumerate(ids):
        _a._int(fn, f"{param.name}[{i}]", uid, _ID_RANGE)
    return ids


def _build_ints(fn: str, param: Param, value: Any) -> list[int]:
    return _a._ids(fn, param.name, value, param.limit, required=False)


_BUILDERS: dict[Kind, Callable[[str, Param, Any], Any]] = {
    Kind.ID: lambda fn, param, v: _a._int(fn, param.name, v, _ID_RANGE),
    Kind.INT: lambda fn, param, v: _a._i64(fn, param.name, v),
    Kind.I8: lambda fn, param, v: _a._int(fn, param.name, v, _I8),
    Kind.I16: lambda fn, param, v: _a._int(fn, param.name, v, _I16),
    Kind.I32: lambda fn, param, v: _a._int(fn, param.name, v, _a._I32),
    Kind.BOOL: lambda fn, param, v: _a._bool(fn, param.name, v),
    Kind.STR: _build_str,
    Kind.BODY: _build_body,
    Kind.BIN: _build_bin,
    Kind.IDS: _build_ids,
    Kind.INTS: _build_ints,
    Kind.STRS: lambda fn, param, v: _a._strs(fn, param.name, v),
    Kind.STR_MAP: lambda fn, param, v: _a._str_map(fn, param.name, v),
}

# ---------------------------------------------------------------------------------- answers


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


_MATCHES: dict[Kind, Callable[[Any], bool]] = {
    Kind.ID: lambda v: _is_int(v) and v > 0,
    Kind.INT: _is_int,
    Kind.I8: lambda v: _is_int(v) and -(2**7) <= v < 2**7,
    Kind.I16: lambda v: _is_int(v) and -(2**15) <= v < 2**15,
    Kind.I32: lambda v: _is_int(v) and -(2**31) <= v < 2**31,
    Kind.BOOL: lambda v: isinstance(v, bool),
    Kind.STR: lambda v: isinstance(v, str),
    Kind.BODY: lambda v: isinstance(v, (str, bytes)),
    Kind.BIN: lambda v: isinstance(v, bytes),
    Kind.IDS: lambda v: isinstance(v, list) and all(_is_int(x) and x > 0 for x in v),
    Kind.INTS: lambda v: isinstance(v, list) and all(_is_int(x) for x in v),
    Kind.STRS: lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    Kind.STR_MAP: lambda v: isinstance(v, dict) and all(
        isinstance(k, str) and isinstance(x, str) for k, x in v.items()),
    Kind.MAP: lambda v: isinstance(v, dict),
    Kind.LIST: lambda v: isinstance(v, list),
    Kind.ANY: lambda v: True,
}
