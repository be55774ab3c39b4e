"""Replay, byte for byte, what the official Go 0.9.20 and Python 2.2.6 SDKs sent for the
blacklist, groups, rooms, users, admin, data and devices areas (``*-full-wire.jsonl``) against
the local server: every quest is answered with success and the answer keys those SDKs read
(spec current §2); values that follow from the recorded sequence are checked too."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import ServerFactory
from .test_golden import (
    GOLDEN,
    GOLDEN_PID,
    GOLDEN_SECRET,
    RawConnection,
    _resign,
    encode_payload,
)

AREAS = ("blacklist", "groups", "rooms", "users", "admin", "data", "devices")

#: wire command -> area (spec current §4.1), for the commands of AREAS.
COMMANDS: dict[str, str] = {
    **dict.fromkeys(("addblacks", "delblacks", "getblacks", "isblack", "isblacks"),
                    "blacklist"),
    **dict.fromkeys(("addgroupmembers", "delgroupmembers", "delgroup", "getgroupmembers",
                     "getgroupcount", "isgroupmember", "getusergroups", "addgroupban",
                     "removegroupban", "isbanofgroup", "setgroupinfo", "getgroupinfo",
                     "clearprojectgroup"), "groups"),
    **dict.fromkeys(("addroommember", "addroommembers", "delroommember", "delroommembers",
                     "addroomban", "removeroomban", "isbanofroom", "setroominfo",
                     "getroominfo", "getroommembers", "getroomcount", "adduserrooms",
                     "deleteuserrooms"), "rooms"),
    **dict.fromkeys(("gettoken", "removetoken", "getonlineusers", "setuserinfo",
                     "getuserinfo", "getuseropeninfo", "addsessions", "removesessions"),
                    "users"),
    **dict.fromkeys(("kickout", "addprojectblack", "removeprojectblack", "isprojectblack",
                     "addprojectban", "removeprojectban", "isprojectban"), "admin"),
    **dict.fromkeys(("dataset", "dataget", "datadel"), "data"),
    **dict.fromkeys(("adddevice", "removedevice", "addoption", "removeoption", "getoption"),
                    "devices"),
}

OKS = {"isblack", "isgroupmember", "isbanofgroup", "isbanofroom", "isprojectblack",
       "isprojectban"}
SLICES = {"getblacks": "uids", "isblacks": "buids", "getgroupmembers": "uids",
          "getusergroups": "gids", "getroommembers": "uids", "getonlineusers": "uids",
          "addroommembers": "successedUids", "delroommembers": "successedUids"}
INFOS = {"getgroupinfo", "getroominfo", "getuserinfo"}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_shape(method: str, params: dict[str, Any], answer: dict[str, Any]) -> None:
    """The keys and types the Go SDK reads with ``Want*`` (spec current §2)."""
    if method in OKS:
        assert isinstance(answer["ok"], bool)
    elif method in SLICES:
        assert all(_is_int(v) for v in answer[SLICES[method]])
    elif method in INFOS:
        assert isinstance(answer["oinfo"], str) and isinstance(answer["pinfo"], str)
    elif method == "getgroupcount":
        assert _is_int(answer["cn"])
    elif method == "getroomcount":
        assert set(answer["cn"]) == {str(rid) for rid in params["rids"]}
        assert all(_is_int(n) for n in answer["cn"].values())
    elif method == "getuseropeninfo":
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in answer["info"].items())
    elif method == "getoption":
        for key in ("p2p", "group"):
            assert all(isinstance(k, str) and isinstance(v, list)
                       for k, v in answer[key].items())
    elif method == "gettoken":
        assert isinstance(answer["token"], str) and answer["token"]
    elif method == "dataget":
        assert set(answer) <= {"val"}
    else:
        assert answer == {}, (method, answer)


#: Answers that follow from the recorded sequence (the SDKs call set* right before get*).
EXPECTED = {
    "getgroupinfo": {"oinfo": "public info", "pinfo": "private info"},
    "getroominfo": {"oinfo": "public info", "pinfo": ""},
    "getuserinfo": {"oinfo": "public info", "pinfo": "private info"},
    "dataget": {"val": "value1"},
    "getuseropeninfo": {"info": {}},  # uids 100002/100003 never got an info
    "getblacks": {"uids": []},  # delblacks ran just before
    "getoption": {"p2p": {"100002": [30, 32]}, "group": {}},
}


@pytest.mark.parametrize("name", ["go-latest-full-wire", "py-official-full-wire"])
async def test_replay_official_sdk_sessions(make_server: ServerFactory, name: str) -> None:
    server = await make_server(projects={GOLDEN_PID: GOLDEN_SECRET})
    records = [json.loads(line) for line in (GOLDEN / f"{name}.jsonl").read_text().splitlines()
               if line.strip()]
    mine = [r for r in records if COMMANDS.get(r["method"]) in AREAS]
    assert {COMMANDS[r["method"]] for r in mine} == set(AREAS)
    conn = await RawConnection.open(server.endpoint)
    try:
        for record in mine:
            method: str = record["method"]
            params: dict[str, dict[str, Any]] = record["params"]
            _resign(method, params)
            answer = await conn.quest(method, encode_payload(params), record["version"])
            assert not answer.is_error, (name, method, answer.payload)
            values = {k: v["value"] for k, v in params.items()}
            check_shape(method, values, answer.payload)
            if method in EXPECTED:
                assert answer.payload == EXPECTED[method], (name, method)
    finally:
        await conn.close()
    # the recorded group ban without ``gid`` is a ban in every group
    assert await server.store.is_banned_in_group(GOLDEN_PID, 424242, 100001)
