"""Every API method puts on the wire what Go SDK 0.1.0 does (tests/data/golden/go-0.1.0-wire.jsonl):
same FPNN method, same param keys, same msgpack type families, same values."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import msgpack
import pytest
from typing_check_api import FakeAsyncClient, FakeSyncClient, Sent

from rtm.api import MessageType
from rtm.api.methods import api_methods

GOLDEN = Path(__file__).parents[1] / "data" / "golden" / "go-0.1.0-wire.jsonl"
LINES: list[dict[str, Any]] = [json.loads(line) for line in GOLDEN.read_text().splitlines() if line]
AUTH_KEYS = {"pid", "sign", "salt"}
FILE_CMDS = {"sendfile", "sendfiles", "sendgroupfile", "sendroomfile", "broadcastfile"}


def _value(spec: dict[str, Any]) -> Any:
    value = spec["value"]
    if spec["type"] == "bin":
        assert value.startswith("base64:")
        return base64.b64decode(value[len("base64:") :])
    return value


def _family(value: Any) -> str:
    """msgpack type family of ``value`` as it is actually encoded (int, str, bin, bool, ...)."""
    raw = msgpack.packb(value, use_bin_type=True)
    b = raw[0]
    if b <= 0x7F or b >= 0xE0 or 0xCC <= b <= 0xD3:
        return "int"
    if 0xA0 <= b <= 0xBF or 0xD9 <= b <= 0xDB:
        return "str"
    if 0xC4 <= b <= 0xC6:
        return "bin"
    if b in (0xC2, 0xC3):
        return "bool"
    if b == 0xC0:
        return "nil"
    if 0x90 <= b <= 0x9F or b in (0xDC, 0xDD):
        items = msgpack.unpackb(raw, raw=True)
        kinds = {_family(x if not isinstance(x, bytes) else x.decode()) for x in items}
        assert len(kinds) <= 1, kinds
        return f"array<{kinds.pop()}>" if kinds else "array<>"
    raise AssertionError(f"unexpected msgpack type byte {b:#x}")


def _golden_family(spec: dict[str, Any]) -> str:
    return spec["type"]


def _invoke(client: Any, method: str, p: dict[str, Any], gate: dict[str, Any] | None) -> Any:
    """Call the Python API with the values of one golden quest."""
    if method == "sendmsg":
        return client.send_message(
            p["from"], p["to"], p["mtype"], p["msg"], attrs=p["attrs"], mid=p["mid"]
        )
    if method == "sendmsgs":
        return client.send_messages(
            p["from"], p["tos"], p["mtype"], p["msg"], attrs=p["attrs"], mid=p["mid"]
        )
    if method == "sendgroupmsg":
        return client.send_group_message(
            p["from"], p["gid"], p["mtype"], p["msg"], attrs=p["attrs"], mid=p["mid"]
        )
    if method == "sendroommsg":
        return client.send_room_message(
            p["from"], p["rid"], p["mtype"], p["msg"], attrs=p["attrs"], mid=p["mid"]
        )
    if method == "broadcastmsg":
        return client.send_broadcast_message(
            p["from"], p["mtype"], p["msg"], attrs=p["attrs"], mid=p["mid"]
        )
    hist = (p.get("desc"), p.get("num"), p.get("begin"), p.get("end"), p.get("lastid"))
    if method == "getgroupmsg":
        return client.get_group_message(p["gid"], *hist)
    if method == "getroommsg":
        return client.get_room_message(p["rid"], *hist)
    if method == "getbroadcastmsg":
        return client.get_broadcast_message(*hist)
    if method == "getp2pmsg":
        return client.get_p2p_message(p["uid"], p["ouid"], *hist)
    simple = {
        "addfriends": lambda: client.add_friends(p["uid"], p["friends"]),
        "delfriends": lambda: client.del_friends(p["uid"], p["friends"]),
        "getfriends": lambda: client.get_friends(p["uid"]),
        "isfriend": lambda: client.is_friend(p["uid"], p["fuid"]),
        "isfriends": lambda: client.is_friends(p["uid"], p["fuids"]),
        "addgroupmembers": lambda: client.add_group_members(p["gid"], p["uids"]),
        "delgroupmembers": lambda: client.del_group_members(p["gid"], p["uids"]),
        "delgroup": lambda: client.del_group(p["gid"]),
        "getgroupmembers": lambda: client.get_group_members(p["gid"]),
        "isgroupmember": lambda: client.is_group_member(p["gid"], p["uid"]),
        "getusergroups": lambda: client.get_user_groups(p["uid"]),
        "addroommember": lambda: client.add_room_member(p["rid"], p["uid"]),
        "delroommember": lambda: client.del_room_member(p["rid"], p["uid"]),
        "addgroupban": lambda: client.add_group_ban(p["gid"], p["uid"], p["btime"]),
        "removegroupban": lambda: client.remove_group_ban(p["gid"], p["uid"]),
        "addroomban": lambda: client.add_room_ban(p["rid"], p["uid"], p["btime"]),
        "removeroomban": lambda: client.remove_room_ban(p["rid"], p["uid"]),
        "addprojectblack": lambda: client.add_project_black(p["uid"], p["btime"]),
        "removeprojectblack": lambda: client.remove_project_black(p["uid"]),
        "isbanofgroup": lambda: client.is_ban_of_group(p["gid"], p["uid"]),
        "isbanofroom": lambda: client.is_ban_of_room(p["rid"], p["uid"]),
        "isprojectblack": lambda: client.is_project_black(p["uid"]),
        "delmsg": lambda: client.del_message(p["mid"], p["from"], p["xid"], MessageType(p["type"])),
        "kickout": lambda: client.kickout(p["uid"], client_endpoint=p["ce"]),
        "gettoken": lambda: client.get_token(p["uid"]),
        "getonlineusers": lambda: client.get_online_users(p["uids"]),
        "addlisten": lambda: client.add_listen(
            p.get("gids", []), p.get("rids", []), p.get("p2p", False), p.get("events", [])
        ),
        "removelisten": lambda: client.remove_listen(
            p.get("gids", []), p.get("rids", []), p.get("p2p", False), p.get("events", [])
        ),
        "setlisten": lambda: client.set_listen(
            p["gids"], p["rids"], p["p2p"], p["events"], all=p.get("all")
        ),
        "adddevice": lambda: client.add_device(p["uid"], p["apptype"], p["devicetoken"]),
        "removedevice": lambda: client.remove_device(p["uid"], p["devicetoken"]),
    }
    if method in simple:
        return simple[method]()
    assert method == "filetoken" and gate is not None
    g = gate
    opts = {"mtype": g["mtype"], "mid": g["mid"]}
    content, name = g["file"], "demo.txt"
    cmd = p["cmd"]
    if cmd == "sendfile":
        return client.send_file(p["from"], p["to"], content, name, **opts)
    if cmd == "sendfiles":
        return client.send_files(p["from"], p["tos"], content, name, **opts)
    if cmd == "sendgroupfile":
        return client.send_group_file(p["from"], p["gid"], content, name, **opts)
    if cmd == "sendroomfile":
        return client.send_room_file(p["from"], p["rid"], content, name, **opts)
    assert cmd == "broadcastfile"
    return client.send_broadcast_file(p["from"], content, name, **opts)


def _cases() -> list[tuple[str, dict[str, Any], dict[str, Any] | None]]:
    cases = []
    i = 0
    while i < len(LINES):
        line = LINES[i]
        if line["method"] == "filetoken":
            cases.append((f"{i}-filetoken+{LINES[i + 1]['method']}", line, LINES[i + 1]))
            i += 2
        else:
            cases.append((f"{i}-{line['method']}", line, None))
            i += 1
    return cases


CASES = _cases()


def _check_quest(sent: Sent, golden: dict[str, Any]) -> None:
    assert sent.method == golden["method"]
    gparams: dict[str, Any] = golden["params"]
    assert set(sent.params) == set(gparams), (sent.method, set(sent.params) ^ set(gparams))
    for key, spec in gparams.items():
        assert _family(sent.params[key]) == _golden_family(spec), (sent.method, key)
        if key in ("sign", "salt"):
            continue
        if key == "pid":
            continue  # the golden capture used another project
        assert sent.params[key] == _value(spec), (sent.method, key)


def _answers(line: dict[str, Any], gate: dict[str, Any] | None) -> dict[str, Any]:
    if gate is None:
        return {}
    return {"filetoken": {"token": gate["params"]["token"]["value"], "endpoint": "10.0.0.1:13325"}}


@pytest.mark.parametrize(("name", "line", "gate"), CASES, ids=[c[0] for c in CASES])
def test_sync_wire_matches_go_010(
    name: str, line: dict[str, Any], gate: dict[str, Any] | None
) -> None:
    client = FakeSyncClient(_answers(line, gate))
    params = {k: _value(v) for k, v in line["params"].items()}
    gparams = {k: _value(v) for k, v in gate["params"].items()} if gate else None
    _invoke(client, line["method"], params, gparams)
    expected = [line] if gate is None else [line, gate]
    assert len(client.sent) == len(expected)
    for sent, golden in zip(client.sent, expected, strict=True):
        _check_quest(sent, golden)
    assert client.sent[0].signed and client.sent[0].endpoint is None
    if gate is not None:
        assert not client.sent[1].signed
        assert client.sent[1].endpoint == "10.0.0.1:13325"


@pytest.mark.parametrize(("name", "line", "gate"), CASES, ids=[c[0] for c in CASES])
def test_async_wire_matches_go_010(
    name: str, line: dict[str, Any], gate: dict[str, Any] | None
) -> None:
    client = FakeAsyncClient(_answers(line, gate))
    params = {k: _value(v) for k, v in line["params"].items()}
    gparams = {k: _value(v) for k, v in gate["params"].items()} if gate else None

    async def run() -> None:
        await _invoke(client, line["method"], params, gparams)

    asyncio.run(run())
    expected = [line] if gate is None else [line, gate]
    for sent, golden in zip(client.sent, expected, strict=True):
        _check_quest(sent, golden)


def test_every_method_is_covered_by_the_golden_file() -> None:
    golden_methods = {line["method"] for line in LINES}
    wire_of = {
        "send_message": "sendmsg", "send_messages": "sendmsgs",
        "send_group_message": "sendgroupmsg",
        "send_room_message": "sendroommsg", "send_broadcast_message": "broadcastmsg",
        "get_group_message": "getgroupmsg", "get_room_message": "getroommsg",
        "get_broadcast_message": "getbroadcastmsg", "get_p2p_message": "getp2pmsg",
        "add_friends": "addfriends", "del_friends": "delfriends", "get_friends": "getfriends",
        "is_friend": "isfriend", "is_friends": "isfriends", "add_group_members": "addgroupmembers",
        "del_group_members": "delgroupmembers", "del_group": "delgroup",
        "get_group_members": "getgroupmembers", "is_group_member": "isgroupmember",
        "get_user_groups": "getusergroups", "add_room_member": "addroommember",
        "del_room_member": "delroommember", "add_group_ban": "addgroupban",
        "remove_group_ban": "removegroupban", "add_room_ban": "addroomban",
        "remove_room_ban": "removeroomban", "add_project_black": "addprojectblack",
        "remove_project_black": "removeprojectblack", "is_ban_of_group": "isbanofgroup",
        "is_ban_of_room": "isbanofroom", "is_project_black": "isprojectblack",
        "del_message": "delmsg", "kickout": "kickout", "get_token": "gettoken",
        "get_online_users": "getonlineusers", "add_listen": "addlisten",
        "remove_listen": "removelisten", "set_listen": "setlisten", "add_device": "adddevice",
        "remove_device": "removedevice", "send_file": "sendfile", "send_files": "sendfiles",
        "send_group_file": "sendgroupfile", "send_room_file": "sendroomfile",
        "send_broadcast_file": "broadcastfile",
    }  # fmt: skip
    assert len(wire_of) == 45
    api = {n for n, v in api_methods().items() if type(v).__name__ == "Method"}
    assert api >= set(wire_of) | {"send_boradcast_message"}
    assert set(wire_of.values()) | {"filetoken"} == golden_methods


def test_listen_presence_rules() -> None:
    c = FakeSyncClient()
    c.add_listen([], [], False, [])
    c.add_listen([1], [], False, [])
    c.remove_listen([], [2], True, [])
    c.set_listen([], [], False, [])
    c.set_listen([], [], False, [], all=False)
    assert [s.params.keys() - AUTH_KEYS for s in c.sent] == [
        set(),
        {"gids"},
        {"rids", "p2p"},
        {"gids", "rids", "p2p", "events"},
        {"gids", "rids", "p2p", "events", "all"},
    ]
    assert c.sent[3].params["gids"] == [] and c.sent[3].params["p2p"] is False
    assert c.sent[4].params["all"] is False


def test_kickout_always_sends_ce() -> None:
    c = FakeSyncClient()
    c.kickout(5)
    assert c.sent[0].params["ce"] == ""


def test_message_bytes_go_out_as_bin_and_ints_as_plain_ints() -> None:
    c = FakeSyncClient()
    c.send_message(1, 2, MessageType.ROOM, b"\xff\x00")
    sent = c.sent[0].params
    assert _family(sent["msg"]) == "bin"
    assert type(sent["mtype"]) is int
    c.del_message(1, 2, 3, MessageType.GROUP)
    assert type(c.sent[1].params["type"]) is int and c.sent[1].params["type"] == 2


def test_generated_mids_are_used_for_sends_and_files() -> None:
    c = FakeSyncClient()
    c.send_message(1, 2, 3, "a")
    c.send_group_message(1, 2, 3, "b")
    c.send_file(1, 2, b"x", "f")
    mids = [c.sent[0].params["mid"], c.sent[1].params["mid"], c.sent[3].params["mid"]]
    assert mids == sorted(set(mids))
    assert all(m % 1000 == i + 1 for i, m in enumerate(mids))
