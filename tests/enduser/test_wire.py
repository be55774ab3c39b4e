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

Every command, recorded or not (Unity's ``imclient_*`` and ``speechtranslation``, the legacy
ones), is also checked against the spec's text (``tests/data/spec/rtm-client-api.md``, a copy of
``shared/spec/rtm-client-api.md``, read by :mod:`.spec_text`): the description's keys and their
optionality are the spec's, and a quest with every param set puts each key on the wire in the
msgpack type the spec states for it. :data:`READINGS` is where the spec's shorthand does not
settle the params.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgpack
import pytest

from rtm.enduser import AsyncEndUserClient
from rtm.enduser.commands import COMMANDS
from rtm.enduser.spec import Command, Param
from rtm.fpnn.codec import encode_payload

from .spec_text import SpecParam, parse_params, spec_params

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


def msgpack_family(value: Any) -> str:
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
        families = sorted({msgpack_family(v) for v in value})
        return f"array<{'|'.join(families)}>"
    if isinstance(value, dict):
        keys = sorted({msgpack_family(k) for k in value})
        values = sorted({msgpack_family(v) for v in value.values()})
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


@pytest.mark.parametrize("method", sorted(m for m in COMMANDS if m in RECORDED))
def test_quest_matches_the_official_sdks(method: str) -> None:
    command = COMMANDS[method]
    recorded = RECORDED[method]
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
        assert msgpack_family(value) in families[key], (
            f"{method}: {key!r} goes out as {msgpack_family(value)}, the SDKs sent "
            f"{sorted(families[key])}")
    for key in families:
        assert key in params or (method, key) in IGNORED, (
            f"{method}: the SDKs send {key!r}, which the description does not read")
    # what every SDK sends must not be optional for us, and what we require every SDK sends
    for key, param in params.items():
        if not param.optional:
            assert all(key in quest for quest in recorded), (
                f"{method}: {key!r} is required, but an SDK sent {method} without it")



# ---------------------------------------------------------------------------- the spec's text

SPEC, SPEC_AS_SERVER_API = spec_params()

#: §3.13's prose marks no key optional, so Unity always sends extra and attrs; our client does
#: too (empty by default, checked below), while the gate reads an absent one as "": a lenient
#: reading that accepts every quest Unity sends.
_EXTRA_ATTRS = "§3.13: our client always sends extra/attrs; the gate also takes a quest without"

#: Params (in the spec's notation) where the spec's text does not settle them, and why.
READINGS: dict[str, tuple[str, str]] = {
    "which": ("", "named without params (§2, §3.12: L only, already served)"),
    "whichall": ("", "named without params (§2, §3.12: L only, already served)"),
    "icheck": ("image:str|bin, type:int, strategyId?",
               "'as the server API' (image, type; its uid? is the session's) with tcheck's "
               "strategyId?"),
    "acheck": ("audio:str|bin, type:int, lang:str, codec?:str, srate?:int, strategyId?",
               "'as the server API' (audio, type, lang, codec?, srate?) with strategyId?"),
    "vcheck": ("video:str|bin, type:int, videoName?:str, strategyId?",
               "'as the server API', where videoName is needed only when type=2 (200034 "
               "without it), so it is optional on the wire"),
    **{m: (params, _EXTRA_ATTRS) for m, params in (
        ("imclient_addfriend", "ouid, extra?, attrs?"),
        ("imclient_ackaddfriend", "ouid, agree, attrs?"),
        ("imclient_joingroup", "gid, extra?, attrs?"),
        ("imclient_ackjoingroup", "gid, from, agree, attrs?"),
        ("imclient_inviteintogroup", "gid, target_uids, extra?, attrs?"),
        ("imclient_ackinviteintogroup", "gid, from, agree, attrs?"),
        ("imclient_joinroom", "rid, extra?, attrs?"),
        ("imclient_ackjoinroom", "rid, from, agree, attrs?"),
        ("imclient_inviteintoroom", "rid, target_uids, extra?, attrs?"),
        ("imclient_ackinviteintoroom", "rid, from, agree, attrs?"),
    )},
}

_INT = {"int", "int64", "2"}  # "2": auth's ``authv:2``, an int literal
#: The msgpack families a spec type allows on the wire; "" (no type stated) allows any.
_SPEC_FAMILIES: dict[str, set[str]] = {
    "str": {"str"}, "bin": {"bin"}, "str|bin": {"str", "bin"}, "bool": {"bool"},
    "[int]": {"array<int>"}, "{str:str}": {"map<str,str>"},
    **{t: {"int"} for t in _INT},
}


def _spec_families(spec_type: str) -> set[str] | None:
    """The families ``spec_type`` allows; None when it states none."""
    text = spec_type.replace("\\|", "|").split(" (")[0].strip()
    if not text:
        return None
    if text.startswith('"'):  # a literal such as "chat"|"mail"
        return {"str"}
    assert text in _SPEC_FAMILIES, f"spec type {spec_type!r}: add it to _SPEC_FAMILIES"
    return _SPEC_FAMILIES[text]


def _expected(method: str) -> dict[str, SpecParam]:
    if method in READINGS:
        return parse_params(READINGS[method][0])
    assert method in SPEC, f"{method}: the spec does not give its params; add a reading"
    return SPEC[method]


def test_the_spec_is_read() -> None:
    """The reader gets the spec's shorthand right (else every check below means nothing)."""
    assert len(SPEC) >= 120
    assert sorted(SPEC_AS_SERVER_API) == ["acheck", "icheck", "vcheck"]
    assert SPEC["sendgroupmsg"]["strategyid"] == SpecParam("strategyid", True, "str")  # as above
    assert set(SPEC["getp2pmsgcount"]) == {"ouid", "begin", "end", "mtypes"}  # gid|rid|ouid
    assert set(SPEC["getbroadcastmsgcount"]) == {"begin", "end", "mtypes"}
    assert set(SPEC["setroominfo"]) == {"rid", "oinfo", "pinfo"}  # `…` / `…`
    assert set(SPEC["getroominfo"]) == {"rid"}
    assert SPEC["filetoken"]["tos"].optional and not SPEC["filetoken"]["cmd"].optional
    assert SPEC["addoption"]["type"].type.startswith("int")
    assert SPEC["imclient_removeroommanagers"] == {  # "the same set for rooms", a / b {…}
        "rid": SpecParam("rid", False), "uids": SpecParam("uids", False)}
    assert SPEC["imclient_getroominvitelist"] == {} and SPEC["dataget"] == {
        "key": SpecParam("key", False)}
    auth = SPEC["auth"]
    assert [k for k, p in auth.items() if not p.optional] == ["pid", "uid", "token"]
    assert {"version", "lang", "device", "attrs", "unread", "ts", "authv"} <= set(auth)
    assert SPEC["kickout"] == {"ce": SpecParam("ce", False, '"ip:port"')}
    assert SPEC["ping"] == SPEC["bye"] == SPEC["getsession"] == {}


def test_every_spec_command_is_described() -> None:
    assert not (set(SPEC) | SPEC_AS_SERVER_API) - set(COMMANDS)
    for method in READINGS:  # a reading only where the text does not settle the params
        assert method in COMMANDS
        if method in SPEC:
            reading = {k: p.optional for k, p in parse_params(READINGS[method][0]).items()}
            assert reading != {k: p.optional for k, p in SPEC[method].items()}, (
                f"{method}: the spec's text settles it; drop the reading")


@pytest.mark.parametrize("method", sorted(COMMANDS))
def test_description_matches_the_spec(method: str) -> None:
    command = COMMANDS[method]
    expected = _expected(method)
    ours = {param.key: param.optional for param in command.params}
    assert ours == {key: p.optional for key, p in expected.items()}, (
        f"{method}: described {ours}, the spec says "
        f"{ {key: p.optional for key, p in expected.items()} }")
    quest = _sample_quest(command)
    for key, value in quest.items():
        families = _spec_families(expected[key].type)
        if families is None:
            continue
        assert msgpack_family(value) in families, (
            f"{method}: {key!r} goes out as {msgpack_family(value)}, the spec says "
            f"{expected[key].type!r}")


def test_the_client_always_sends_what_the_spec_requires() -> None:
    """Where a reading makes a key optional that the spec's text requires, the typed method
    still sends it by default: built (not sent) for each such command."""
    user = AsyncEndUserClient("127.0.0.1:1", 1, 7, "token")  # never connects: calls are built
    calls = {
        "imclient_addfriend": ("imclient_add_friend", (5,)),
        "imclient_ackaddfriend": ("imclient_ack_add_friend", (5, True)),
        "imclient_joingroup": ("imclient_join_group", (5,)),
        "imclient_ackjoingroup": ("imclient_ack_join_group", (5, 3, True)),
        "imclient_inviteintogroup": ("imclient_invite_into_group", (5, [3])),
        "imclient_ackinviteintogroup": ("imclient_ack_invite_into_group", (5, 3, True)),
        "imclient_joinroom": ("imclient_join_room", (5,)),
        "imclient_ackjoinroom": ("imclient_ack_join_room", (5, 3, True)),
        "imclient_inviteintoroom": ("imclient_invite_into_room", (5, [3])),
        "imclient_ackinviteintoroom": ("imclient_ack_invite_into_room", (5, 3, True)),
    }
    loosened = {method for method in READINGS if method in SPEC}
    assert loosened == set(calls), "a new reading of a settled key: check what the client sends"
    for method, (name, args) in calls.items():
        call = getattr(AsyncEndUserClient, name).build(user, *args)
        assert call.method == method
        assert set(call.params) == set(SPEC[method]), (method, call.params)
