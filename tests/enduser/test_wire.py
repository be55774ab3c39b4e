"""Every client command we describe is put on the wire as the official client SDKs put it.

Data-driven: for each command of :data:`rtm.enduser.commands.COMMANDS` (commands added later
are checked too) the quest our client builds from its description, with every param set, is
encoded by our codec and compared with what the official SDKs sent for the same method in
the golden recordings (``tests/data/golden/client/*.jsonl``, copies of the spec's):

* every key we send was recorded for that method, or is optional: an SDK-specific extra
  that no recorded SDK sent (the recordings are of the web, Android and C# SDKs; Unity's and
  the legacy SDK's extras such as ``strategyId`` or ``ts`` are not in them) goes out only
  when the caller sets it, and its type is the description's;
* every key we send has a msgpack family (int, str, bin, bool, array<int>, map<str,str>...)
  that some SDK used for it on the wire;
* every key some SDK sent is described (the gate reads it), unless :data:`IGNORED` says why
  not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgpack
import pytest

from rtm.enduser.commands import COMMANDS
from rtm.enduser.spec import Command, Param
from rtm.fpnn.codec import encode_payload

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden" / "client"
FILES = sorted(GOLDEN.glob("client-*-wire.jsonl"))

#: Recorded keys the description leaves out on purpose, and why.
IGNORED: dict[tuple[str, str], str] = {}

#: Candidate values for a param, tried in this order: the first its kind accepts is used (so
#: kinds added later need nothing here). Text comes before bytes: a str-or-bin body is sent
#: as str by default.
CANDIDATES: tuple[Any, ...] = (100001, 5, True, "text", b"\x01\x02", [100002, 100003], [30, 40],
                               ["a"], {"k": "v"})


def _wire_family(wire: str) -> str:
    """The family of a recorded exact format: ``uint32`` -> int, ``fixarray[uint32]`` ->
    array<int>, ``fixmap[fixstr:fixstr]`` -> map<str,str>."""
    if "[" in wire:
        outer, inner = wire.split("[", 1)
        inner = inner.rstrip("]")
        if outer.endswith("map"):
            key, value = inner.split(":")
            return f"map<{_wire_family(key)},{_wire_family(value)}>"
        return f"array<{_wire_family(inner)}>"
    if wire in ("bool", "nil") or wire.startswith("bin"):
        return "bin" if wire.startswith("bin") else wire
    if "str" in wire:
        return "str"
    if "int" in wire:
        return "int"
    if wire.startswith("float"):
        return "float"
    return wire


def _family(value: Any) -> str:
    """The msgpack family of a value decoded with str and bin kept apart."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, str):
        return "str"
    if isinstance(value, bytes):
        return "bin"
    if isinstance(value, list):
        families = sorted({_family(v) for v in value})
        return f"array<{'|'.join(families)}>"
    if isinstance(value, dict):
        keys = sorted({_family(k) for k in value})
        values = sorted({_family(v) for v in value.values()})
        return f"map<{'|'.join(keys)},{'|'.join(values)}>"
    return type(value).__name__


def _recordings() -> dict[str, list[dict[str, str]]]:
    """method -> one {key: family} per recorded quest (families from the exact ``wire``)."""
    out: dict[str, list[dict[str, str]]] = {}
    for path in FILES:
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            if "method" not in entry:  # answers, pushes, WebSocket events
                continue
            params = entry.get("params") or {}
            quest = {}
            for key, value in params.items():
                family = _wire_family(value["wire"])
                assert family == value["type"], (path.name, entry["method"], key, value)
                quest[key] = family
            out.setdefault(entry["method"], []).append(quest)
    return out


RECORDED = _recordings()


def _sample(command: Command, param: Param) -> Any:
    alone = Command(command.method, (param,))
    for value in CANDIDATES:
        try:
            alone.quest(command.method, **{param.name: value})
        except (TypeError, ValueError):
            continue
        return value
    raise AssertionError(f"{command.method}: no sample value fits {param.key!r} "
                         f"({param.kind}); add one to CANDIDATES")


def _sample_quest(command: Command) -> dict[str, Any]:
    values = {param.name: _sample(command, param) for param in command.params}
    payload = command.quest(command.method, **values)
    assert set(payload) == {param.key for param in command.params}
    decoded = msgpack.unpackb(encode_payload(payload), raw=False)
    assert isinstance(decoded, dict)
    return decoded


def test_recordings_are_there() -> None:
    assert len(FILES) >= 3 and "auth" in RECORDED and "sendmsg" in RECORDED


@pytest.mark.parametrize("method", sorted(COMMANDS))
def test_quest_matches_the_official_sdks(method: str) -> None:
    command = COMMANDS[method]
    recorded = RECORDED.get(method)
    if not recorded:
        pytest.skip(f"{method}: no official client SDK recorded it")
    ours = _sample_quest(command)
    families: dict[str, set[str]] = {}
    for quest in recorded:
        for key, family in quest.items():
            families.setdefault(key, set()).add(family)
    params: dict[str, Param] = {param.key: param for param in command.params}
    for key, value in ours.items():
        if key not in families:
            assert params[key].optional, (
                f"{method}: we always send {key!r}, which no official SDK sent")
            continue
        assert _family(value) in families[key], (
            f"{method}: {key!r} goes out as {_family(value)}, the SDKs sent "
            f"{sorted(families[key])}")
    for key in families:
        assert key in params or (method, key) in IGNORED, (
            f"{method}: the SDKs send {key!r}, which the description does not read")
    # what every SDK sends must not be optional for us, and what we require every SDK sends
    for key, param in params.items():
        if not param.optional:
            assert all(key in quest for quest in recorded), (
                f"{method}: {key!r} is required, but an SDK sent {method} without it")

