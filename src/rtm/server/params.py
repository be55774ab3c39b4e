"""Typed readers of quest parameters with the error codes of spec §0.3 and §5.2.

* Integers: every msgpack integer family is accepted (signed Go encodings, unsigned Python
  ones), then range-checked against the declared type. ``bool`` is not an integer.
* Strings: msgpack str or bin (bin is decoded as UTF-8). Message bodies (``msg``, ``attrs``,
  ``file``) keep the type they arrived with (str or bytes).
* Arrays: a msgpack array, or nil = the empty list (GO010 encodes nil slices as nil).
* A missing key answers 10009, a wrong type 10010; both messages name the key and the
  expected type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from rtm.fpnn.errors import FPNNError
from rtm.server import codes

I8: Final = (-(2**7), 2**7 - 1)
I16: Final = (-(2**15), 2**15 - 1)
I32: Final = (-(2**31), 2**31 - 1)
I64: Final = (-(2**63), 2**63 - 1)

_RANGES: Final = {"i8": I8, "i16": I16, "i32": I32, "i64": I64}
_I64_LO, _I64_HI = I64

Payload = str | bytes
_STR_KEYS: Final = frozenset({str})


def _describe(value: object) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, str):
        return "str"
    if isinstance(value, bytes | bytearray):
        return "bin"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, float):
        return "float"
    return type(value).__name__


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def byte_len(value: Payload) -> int:
    """Size in bytes of a str (UTF-8) or bytes value."""
    return len(value.encode("utf-8", "surrogatepass")) if isinstance(value, str) else len(value)


class Params:
    """Read access to one quest payload (keys sent as bin are treated as str keys)."""

    __slots__ = ("method", "payload")

    def __init__(self, payload: Mapping[Any, Any], method: str = "") -> None:
        self.method = method
        # The usual case (str keys only) is checked in C: {*map(type, ...)} is one set.
        # A quest's own payload is not copied: Params never changes it.
        if {*map(type, payload)} <= _STR_KEYS or all(isinstance(k, str) for k in payload):
            self.payload: dict[str, Any] = (
                payload if type(payload) is dict else dict(payload))
        else:
            self.payload = {}
            for key, value in payload.items():
                if isinstance(key, bytes | bytearray):
                    try:
                        key = bytes(key).decode()
                    except UnicodeDecodeError:
                        continue
                if isinstance(key, str):
                    self.payload[key] = value

    # ------------------------------------------------------------------ helpers

    def has(self, key: str) -> bool:
        return key in self.payload

    def present(self, key: str) -> bool:
        """The key is there and not nil."""
        return self.payload.get(key) is not None

    def _missing(self, key: str, expected: str) -> FPNNError:
        return codes.rtm_error(codes.KEY_NOT_FOUND,
                               f"missing key '{key}' (expected {expected})")

    def _wrong(self, key: str, expected: str, value: object) -> FPNNError:
        return codes.rtm_error(codes.TYPE_CONVERT,
                               f"key '{key}' expects {expected}, got {_describe(value)}")

    def _raw(self, key: str, expected: str) -> Any:
        try:
            return self.payload[key]
        except KeyError:
            raise self._missing(key, expected) from None

    # ------------------------------------------------------------------ integers

    def _check_int(self, key: str, value: object, type_name: str) -> int:
        lo, hi = _RANGES[type_name]
        if type(value) is int and lo <= value <= hi:  # the usual case, without the checks
            return value
        if not _is_int(value):
            raise self._wrong(key, type_name, value)
        assert isinstance(value, int)
        if not lo <= value <= hi:
            raise self._wrong(key, type_name, value)
        return value

    def int_(self, key: str, type_name: str = "i64") -> int:
        """A required integer of the declared type (i8/i16/i32/i64)."""
        value = self.payload.get(key)
        if type(value) is int and type_name == "i64" and _I64_LO <= value <= _I64_HI:
            return value
        return self._check_int(key, self._raw(key, type_name), type_name)

    def opt_int(self, key: str, default: int, type_name: str = "i64") -> int:
        """An optional integer; absent or nil gives ``default``."""
        value = self.payload.get(key)
        if value is None:
            return default
        return self._check_int(key, value, type_name)

    def id_(self, key: str) -> int:
        """A required i64 id that must be > 0 (200001 otherwise)."""
        value = self.int_(key)
        check_id(key, value)
        return value

    # ------------------------------------------------------------------ bools

    def _check_bool(self, key: str, value: object) -> bool:
        # A real bool is what the SDKs send; integers are tolerated (FPNN-CPP converts them).
        if isinstance(value, bool):
            return value
        if _is_int(value):
            return bool(value)
        raise self._wrong(key, "bool", value)

    def bool_(self, key: str) -> bool:
        return self._check_bool(key, self._raw(key, "bool"))

    def opt_bool(self, key: str, default: bool = False) -> bool:
        value = self.payload.get(key)
        if value is None:
            return default
        return self._check_bool(key, value)

    # ------------------------------------------------------------------ strings

    def _check_str(self, key: str, value: object) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, bytes | bytearray):
            try:
                return bytes(value).decode()
            except UnicodeDecodeError:
                raise self._wrong(key, "str (UTF-8)", value) from None
        raise self._wrong(key, "str", value)

    def str_(self, key: str) -> str:
        return self._check_str(key, self._raw(key, "str"))

    def opt_str(self, key: str, default: str = "") -> str:
        value = self.payload.get(key)
        if value is None:
            return default
        return self._check_str(key, value)

    def _check_payload(self, key: str, value: object, expected: str) -> Payload:
        if type(value) is str or isinstance(value, str | bytes):
            return value
        if isinstance(value, bytearray | memoryview):
            return bytes(value)
        raise self._wrong(key, expected, value)

    def payload_(self, key: str) -> Payload:
        """``msg``-like value: str or bin, returned as received."""
        return self._check_payload(key, self._raw(key, "str or bin"), "str or bin")

    def opt_payload(self, key: str, default: Payload = "") -> Payload:
        value = self.payload.get(key)
        if value is None:
            return default
        return self._check_payload(key, value, "str or bin")

    def bytes_(self, key: str) -> bytes:
        """``file``-like value: bin (or str, taken as its UTF-8 bytes)."""
        value = self._check_payload(key, self._raw(key, "bin"), "bin")
        return value.encode("utf-8", "surrogateescape") if isinstance(value, str) else value

    # ------------------------------------------------------------------ arrays

    def _array(self, key: str, expected: str, required: bool) -> list[Any] | None:
        if key not in self.payload:
            if required:
                raise self._missing(key, expected)
            return None
        value = self.payload[key]
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            raise self._wrong(key, expected, value)
        return list(value)

    def ints(self, key: str) -> list[int]:
        """A required arr<i64>; nil = []."""
        values = self._array(key, "arr<i64>", True)
        assert values is not None
        return self._check_ints(key, values)

    def opt_ints(self, key: str) -> list[int] | None:
        """An optional arr<i64>: None when absent, [] when nil."""
        values = self._array(key, "arr<i64>", False)
        return None if values is None else self._check_ints(key, values)

    def _check_ints(self, key: str, values: list[Any]) -> list[int]:
        lo, hi = I64
        for value in values:
            if not _is_int(value) or not lo <= value <= hi:
                raise codes.rtm_error(
                    codes.TYPE_CONVERT,
                    f"key '{key}' expects arr<i64>, got an element that is {_describe(value)}")
        return values

    def strs(self, key: str) -> list[str]:
        values = self._array(key, "arr<str>", True)
        assert values is not None
        return self._check_strs(key, values)

    def opt_strs(self, key: str) -> list[str] | None:
        values = self._array(key, "arr<str>", False)
        return None if values is None else self._check_strs(key, values)

    def _check_strs(self, key: str, values: list[Any]) -> list[str]:
        out: list[str] = []
        for value in values:
            if isinstance(value, str):
                out.append(value)
            elif isinstance(value, bytes | bytearray):
                try:
                    out.append(bytes(value).decode())
                except UnicodeDecodeError:
                    raise self._wrong(key, "arr<str>", value) from None
            else:
                raise codes.rtm_error(
                    codes.TYPE_CONVERT,
                    f"key '{key}' expects arr<str>, got an element that is {_describe(value)}")
        return out


# ---------------------------------------------------------------------------- value checks


def check_id(key: str, value: int) -> None:
    """ids (uid, gid, rid, pid, ...) must be > 0: 200001 otherwise."""
    if value <= 0:
        raise codes.rtm_error(codes.INVALID_PIDORUID, f"invalid {key} {value}: must be > 0")


def check_ids(key: str, values: list[int]) -> None:
    for value in values:
        if value <= 0:
            raise codes.rtm_error(codes.INVALID_PIDORUID,
                                  f"invalid id {value} in '{key}': ids must be > 0")


def check_list(key: str, values: list[Any], limit: int) -> None:
    """Empty -> 200033; longer than ``limit`` -> 200032."""
    if not values:
        raise codes.rtm_error(codes.EMPTY_PARAMETER, f"'{key}' is empty")
    if len(values) > limit:
        raise codes.rtm_error(codes.TOO_MANY_ITEMS_IN_PARAMETERS,
                              f"'{key}' has {len(values)} items, at most {limit} allowed")


def check_mtype(mtype: int) -> None:
    if not codes.MTYPE_MIN <= mtype <= codes.MTYPE_MAX:
        raise codes.rtm_error(codes.INVALID_MTYPE,
                              f"invalid mtype {mtype}, should be in [1-127]")


#: Lengths under which a str cannot be over the byte limit (4 UTF-8 bytes a character at
#: most): the usual message is not encoded just to be measured.
_MSG_SURELY_FITS: Final = codes.MAX_MSG_BYTES // 4
_ATTRS_SURELY_FITS: Final = codes.MAX_ATTRS_BYTES // 4


def check_message_size(msg: Payload, attrs: Payload) -> None:
    if len(msg) <= _MSG_SURELY_FITS and len(attrs) <= _ATTRS_SURELY_FITS:
        return
    if byte_len(msg) > codes.MAX_MSG_BYTES:
        raise codes.rtm_error(codes.LARGE_MESSAGE_OR_ATTRS,
                              f"msg is {byte_len(msg)} bytes, at most {codes.MAX_MSG_BYTES}")
    if byte_len(attrs) > codes.MAX_ATTRS_BYTES:
        raise codes.rtm_error(codes.LARGE_MESSAGE_OR_ATTRS,
                              f"attrs is {byte_len(attrs)} bytes, at most {codes.MAX_ATTRS_BYTES}")


def _as_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode()
        except UnicodeDecodeError:
            return None
    return None


def read_str_map(p: Params, key: str, *, required: bool = True) -> dict[str, str] | None:
    """A map<str,str> (str or bin keys and values, bin decoded as UTF-8); nil is the empty map.
    Absent: 10009 when ``required``, else None."""
    if key not in p.payload:
        if required:
            raise codes.rtm_error(codes.KEY_NOT_FOUND,
                                  f"missing key '{key}' (expected map<str,str>)")
        return None
    value = p.payload[key]
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise codes.rtm_error(codes.TYPE_CONVERT,
                              f"key '{key}' expects map<str,str>, got {_describe(value)}")
    out: dict[str, str] = {}
    for k, v in value.items():
        text_key, text_value = _as_text(k), _as_text(v)
        if text_key is None or text_value is None:
            part, bad = ("key", k) if text_key is None else ("value", v)
            raise codes.rtm_error(
                codes.TYPE_CONVERT,
                f"key '{key}' expects map<str,str>, got a {part} that is {_describe(bad)}")
        out[text_key] = text_value
    return out
def check_size(key: str, value: Payload, limit: int) -> None:
    """A value longer than ``limit`` bytes -> 200030."""
    size = byte_len(value)
    if size > limit:
        raise codes.rtm_error(codes.LARGE_MESSAGE_OR_ATTRS,
                              f"{key} is {size} bytes, at most {limit}")
