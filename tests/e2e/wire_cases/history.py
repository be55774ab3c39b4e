"""Wire cases of the history area (spec §4.3): history pages and their chat forms, and
message management."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rtm import ClearType, MessageType
from wire_cases import Case

MID = 1234567890123
B, E = 1500000000000, 1600000000000

CASES: list[Case] = [
    Case(23, "get_group_message", (200001, True, 10, 0, 0, 0, 100001), {"mtypes": [51]}),
    Case(24, "get_room_message", (300001, False, 10, B, E, 5, 100001)),
    Case(25, "get_broadcast_message", (True, 10, 0, 0, 0, 100001)),
    Case(26, "get_p2p_message", (100001, 100002, True, 10, 0, 0, 0)),
    Case(27, "get_group_chat", (200001, True, 10, 0, 0, 0, 100001)),
    Case(28, "get_room_chat", (300001,), {"num": 10, "uid": 100001}),
    Case(29, "get_broadcast_chat", (), {"num": 10, "uid": 100001}),
    Case(30, "get_p2p_chat", (100001, 100002, False, 10, B, E, 0)),
    Case(31, "del_message", (MID, 100001, 100002, MessageType.P2P)),
    Case(32, "del_p2p_message", (MID, 100001, 100002)),
    Case(33, "del_group_message", (MID, 100001, 200001)),
    Case(34, "del_room_message", (MID, 100001, 300001)),
    Case(35, "del_broadcast_message", (MID, 100001)),
    Case(36, "del_p2p_chat", (MID, 100001, 100002)),
    Case(37, "del_group_chat", (MID, 100001, 200001)),
    Case(38, "del_room_chat", (MID, 100001, 300001)),
    Case(39, "del_broadcast_chat", (MID, 100001)),
    Case(40, "get_message", (MID, 100001, 100002, MessageType.P2P)),
    Case(41, "get_chat", (MID, 100001, 200001, MessageType.GROUP)),
    Case(42, "clean_message", (100001, 100002, MessageType.P2P, B, E)),
    Case(43, "clean_p2p_message", (100001, 100002, B, E)),
    Case(44, "clean_group_message", (200001, B, E)),
    Case(45, "clean_room_message", (300001, B, E)),
    Case(46, "clean_broadcast_message", (100001, B, E)),
    Case(47, "clear_project_message", (ClearType.GROUP,)),
    Case(48, "get_msg_count", (MessageType.GROUP, 200001, B, E, [30, 32])),
    Case(49, "delete_conversation_messages", (100001, 200001, MessageType.GROUP)),
    Case(50, "edit_message", (MID, 100001, 200001, MessageType.GROUP, "edited text",
                              "edited-attrs", 120000)),
    Case(115, "clear_user_message", (100001,)),
    Case(155, "get_message", (MID, 100001, 300001, MessageType.ROOM)),
    Case(156, "get_message", (MID, 100001, 0, MessageType.BROADCAST)),
]


def _history() -> dict[str, Any]:
    return {"num": 2, "lastid": 2, "begin": 1, "end": 2, "msgs": [
        [1, 1, 30, 11, False, "a", "", 1],
        [2, 2, 50, 12, False, '{"url":"http://h/f","size":3}',
         '{"custom":"","rtm":{"sign":"x"}}', 2]]}


ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    "getgroupmsg": _history,
    "getroommsg": _history,
    "getbroadcastmsg": _history,
    "getp2pmsg": _history,
    "getmsg": lambda: {"id": 7, "mtype": 40, "msg": '{"url":"u","size":3,"surl":"s"}',
                       "attrs": '{"custom":{"k":"v"},"rtm":{"sign":"x"}}', "mtime": 1},
    "getmsgnum": lambda: {"sender": 2, "num": 5},
}
