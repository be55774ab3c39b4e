"""Cases of the current-profile wire test (``test_wire_current.py``), one module per API area.

A :class:`Case` is one API call and the line of ``go-latest-full-wire.jsonl`` (what Go SDK
0.9.20 sent for the same call) its quests must match: method, key set and msgpack type family
of every value. A file send is two quests (``filetoken`` on the main connection, then the
file-gate quest): its case names the ``filetoken`` line and matches the line after it too.
Each area module has ``CASES`` and ``ANSWERS`` (wire method -> a valid answer for the
recorder to send back, spec §2); ``uncovered.UNCOVERED`` lists the lines no case covers yet.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).resolve().parents[2] / "data" / "golden" / "go-latest-full-wire.jsonl"
FILE_GATE_METHODS = frozenset(
    {"sendfile", "sendfiles", "sendgroupfile", "sendroomfile", "broadcastfile"})

AREAS = (
    "messages",
    "history",
    "files",
    "friends",
    "blacklist",
    "groups",
    "rooms",
    "users",
    "admin",
    "data",
    "devices",
    "listen",
    "services",
    "rtc",
    "imlib",
)

#: The area of spec §4 each of the 112 wire commands belongs to.
AREA_OF: dict[str, str] = {
    "sendmsg": "messages",
    "sendmsgs": "messages",
    "sendgroupmsg": "messages",
    "sendroommsg": "messages",
    "broadcastmsg": "messages",
    "getgroupmsg": "history",
    "getroommsg": "history",
    "getbroadcastmsg": "history",
    "getp2pmsg": "history",
    "delmsg": "history",
    "getmsg": "history",
    "cleanmsg": "history",
    "clearprojectmsg": "history",
    "getmsgnum": "history",
    "delconversationmsgs": "history",
    "editmsg": "history",
    "clearusermsg": "history",
    "filetoken": "files",
    "sendfile": "files",
    "sendfiles": "files",
    "sendgroupfile": "files",
    "sendroomfile": "files",
    "broadcastfile": "files",
    "addfriends": "friends",
    "delfriends": "friends",
    "getfriends": "friends",
    "isfriend": "friends",
    "isfriends": "friends",
    "addblacks": "blacklist",
    "delblacks": "blacklist",
    "getblacks": "blacklist",
    "isblack": "blacklist",
    "isblacks": "blacklist",
    "addgroupmembers": "groups",
    "delgroupmembers": "groups",
    "delgroup": "groups",
    "getgroupmembers": "groups",
    "getgroupcount": "groups",
    "isgroupmember": "groups",
    "getusergroups": "groups",
    "addgroupban": "groups",
    "removegroupban": "groups",
    "isbanofgroup": "groups",
    "setgroupinfo": "groups",
    "getgroupinfo": "groups",
    "clearprojectgroup": "groups",
    "addroommember": "rooms",
    "addroommembers": "rooms",
    "delroommember": "rooms",
    "delroommembers": "rooms",
    "addroomban": "rooms",
    "removeroomban": "rooms",
    "isbanofroom": "rooms",
    "setroominfo": "rooms",
    "getroominfo": "rooms",
    "getroommembers": "rooms",
    "getroomcount": "rooms",
    "adduserrooms": "rooms",
    "deleteuserrooms": "rooms",
    "gettoken": "users",
    "removetoken": "users",
    "getonlineusers": "users",
    "setuserinfo": "users",
    "getuserinfo": "users",
    "getuseropeninfo": "users",
    "addsessions": "users",
    "removesessions": "users",
    "kickout": "admin",
    "addprojectblack": "admin",
    "removeprojectblack": "admin",
    "isprojectblack": "admin",
    "addprojectban": "admin",
    "removeprojectban": "admin",
    "isprojectban": "admin",
    "dataset": "data",
    "dataget": "data",
    "datadel": "data",
    "adddevice": "devices",
    "removedevice": "devices",
    "addoption": "devices",
    "removeoption": "devices",
    "getoption": "devices",
    "addlisten": "listen",
    "removelisten": "listen",
    "setlisten": "listen",
    "translate": "services",
    "profanity": "services",
    "speech2text": "services",
    "tcheck": "services",
    "icheck": "services",
    "acheck": "services",
    "vcheck": "services",
    "inviteUserIntoRTCRoom": "rtc",
    "closeRTCRoom": "rtc",
    "kickoutFromRTCRoom": "rtc",
    "getRTCRoomList": "rtc",
    "getRTCRoomMembers": "rtc",
    "getRTCRoomMemberCount": "rtc",
    "setRTCRoomMicStatus": "rtc",
    "pullIntoRTCRoom": "rtc",
    "adminCommand": "rtc",
    "imserver_setuserinfos": "imlib",
    "imserver_getuserinfos": "imlib",
    "imserver_setgroupinfos": "imlib",
    "imserver_getgroupinfos": "imlib",
    "imserver_creategroup": "imlib",
    "imserver_dismissgroup": "imlib",
    "imserver_addgroupmembers": "imlib",
    "imserver_setapplygrant": "imlib",
    "imserver_getapplygrant": "imlib",
    "imserver_setinvitegrant": "imlib",
    "imserver_getinvitegrant": "imlib",
}


@dataclass(frozen=True)
class Case:
    """``client.<method>(*args, **kwargs)`` must send golden line ``line`` (and ``line + 1``
    for a file send)."""

    line: int
    method: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def family(value: Any) -> str:
    """The golden file's type notation for a decoded msgpack value."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, str):
        return "str"
    if isinstance(value, bytes):
        return "bin"
    if value is None:
        return "nil"
    if isinstance(value, list):
        inner = {family(v) for v in value}
        return f"array<{inner.pop() if len(inner) == 1 else ''}>"
    if isinstance(value, dict):
        keys = {family(k) for k in value}
        values = {family(v) for v in value.values()}
        k = keys.pop() if len(keys) == 1 else ""
        v = values.pop() if len(values) == 1 else ""
        return f"map<{k},{v}>"
    return type(value).__name__


def golden_lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in GOLDEN.read_text().splitlines()]


def golden_shape(record: dict[str, Any]) -> tuple[str, dict[str, str]]:
    return record["method"], {k: v["type"] for k, v in record["params"].items()}


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for area in AREAS:
        cases.extend(importlib.import_module(f"wire_cases.{area}").CASES)
    return cases


def all_answers() -> dict[str, Callable[[], dict[str, Any]]]:
    answers: dict[str, Callable[[], dict[str, Any]]] = {}
    for area in AREAS:
        answers.update(importlib.import_module(f"wire_cases.{area}").ANSWERS)
    return answers
