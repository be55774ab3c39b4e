"""Every client command we describe is put on the wire as the official client SDKs put it.

Data-driven: for each command of :data:`rtm.enduser.commands.COMMANDS` (commands added later
are checked too) the quest our client builds from its description, with every param set, is
encoded by our codec and compared with what the official SDKs sent for the same method in
the golden recordings (``tests/data/golden/client/*.jsonl``, copies of the spec's):

* every key we send was recorded for that method, or is an optional key of an SDK that was
  not recorded (those are sent only when the caller sets them: they are listed in the
  command's description and in :data:`NOT_RECORDED`, with the SDK they come from);
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
from rtm.enduser.spec import Command, Kind, Param
from rtm.fpnn.codec import encode_payload

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden" / "client"
FILES = sorted(GOLDEN.glob("client-*-wire.jsonl"))

#: Optional keys no recorded SDK sent, and the SDK (spec §2-§3 letters) that sends them.
NOT_RECORDED: dict[tuple[str, str], str] = {
    ("auth", "unread"): "L (legacy 2018)",
    ("auth", "ts"): "U (second login form)",
    ("auth", "authv"): "U (second login form)",
}
#: Recorded keys the description leaves out on purpose, and why.
IGNORED: dict[tuple[str, str], str] = {}

#: A value of each kind for building a quest with every param set.
SAMPLES: dict[Kind, Any] = {
    Kind.ID: 100001, Kind.INT: 5, Kind.I32: 7, Kind.BOOL: True, Kind.STR: "text",
    Kind.BODY: "body", Kind.IDS: [100002, 100003], Kind.INTS: [30, 40], Kind.STRS: ["a"],
    Kind.STR_MAP: {"k": "v"},
}


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


def _sample_quest(command: Command) -> dict[str, Any]:
    values = {param.name: SAMPLES[param.kind] for param in command.params}
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
            assert params[key].optional and (method, key) in NOT_RECORDED, (
                f"{method}: we send {key!r}, which no official SDK sent (a required key, "
                f"or an optional one missing from NOT_RECORDED)")
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


def test_not_recorded_entries_are_still_described() -> None:
    for method, key in NOT_RECORDED:
        assert any(p.key == key and p.optional for p in COMMANDS[method].params), (method, key)
