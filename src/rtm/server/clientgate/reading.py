"""The client gate's reading of a quest, from the command's one description
(:mod:`rtm.enduser.spec`), with the server API's codes: 10009 a missing key, 10010 a wrong
type (both name the key and the expected type), 200001 an id ≤ 0, 200003 an empty list,
200005 a list over its limit, 200030 a string over its limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rtm.enduser.spec import Command, Kind, Param
from rtm.server.params import Params, check_id, check_ids, check_list, check_size, read_str_map

Args = dict[str, Any]


def read_params(command: Command, p: Params) -> Args:
    """The params of ``command`` in ``p``, checked; an absent optional key reads as None."""
    out: Args = {}
    for param in command.params:
        key = param.key
        if param.optional and not p.present(key):
            out[key] = None
            continue
        out[key] = _READERS[param.kind](p, param)
    return out


def _read_id(p: Params, param: Param) -> int:
    value = p.int_(param.key)
    check_id(param.key, value)
    return value


def _read_ids(p: Params, param: Param) -> list[int]:
    values = p.ints(param.key)
    check_ids(param.key, values)
    if param.limit is not None:
        check_list(param.key, values, param.limit)
    return values


def _read_str(p: Params, param: Param) -> str:
    value = p.str_(param.key)
    if param.limit is not None:
        check_size(param.key, value, param.limit)
    return value


def _read_str_map(p: Params, param: Param) -> dict[str, str]:
    value = read_str_map(p, param.key)
    assert value is not None  # required: read_str_map raised 10009 otherwise
    return value


_READERS: dict[Kind, Callable[[Params, Param], Any]] = {
    Kind.ID: _read_id,
    Kind.INT: lambda p, param: p.int_(param.key),
    Kind.I8: lambda p, param: p.int_(param.key, "i8"),
    Kind.I16: lambda p, param: p.int_(param.key, "i16"),
    Kind.I32: lambda p, param: p.int_(param.key, "i32"),
    Kind.BOOL: lambda p, param: p.bool_(param.key),
    Kind.STR: _read_str,
    Kind.BODY: lambda p, param: p.payload_(param.key),
    Kind.BIN: lambda p, param: p.bytes_(param.key),
    Kind.IDS: _read_ids,
    Kind.INTS: lambda p, param: p.ints(param.key),
    Kind.STRS: lambda p, param: p.strs(param.key),
    Kind.STR_MAP: _read_str_map,
}
