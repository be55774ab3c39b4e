"""Wire cases of the messages area (spec §4.2): the five sends, their binary form, and the
chat (mtype 30) / cmd (mtype 32) wrappers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wire_cases import Case

UIDS = [100002, 100003]

CASES: list[Case] = [
    Case(3, "send_message", (100001, 100002, 51, "p2p message"), {"attrs": "attrs-p2p"}),
    Case(4, "send_message", (100001, 100002, 51, b"binary p2p message"),
         {"attrs": "attrs-bin"}),
    Case(5, "send_messages", (100001, UIDS, 51, "multi message"), {"attrs": "attrs-multi"}),
    Case(6, "send_messages", (100001, UIDS, 51, b"binary multi message")),
    Case(7, "send_group_message", (100001, 200001, 51, "group message"),
         {"attrs": "attrs-group"}),
    Case(8, "send_group_message", (100001, 200001, 51, b"binary group message")),
    Case(9, "send_room_message", (100001, 300001, 51, "room message"), {"attrs": "attrs-room"}),
    Case(10, "send_room_message", (100001, 300001, 51, b"binary room message")),
    Case(11, "send_broadcast_message", (100001, 51, "broadcast message"),
         {"attrs": "attrs-bc"}),
    Case(12, "send_broadcast_message", (100001, 51, b"binary broadcast message")),
    Case(13, "send_chat", (100001, 100002, "chat text"), {"attrs": '{"k":"v"}'}),
    Case(14, "send_cmd", (100001, 100002, "cmd text")),
    Case(15, "send_chats", (100001, UIDS, "chats text")),
    Case(16, "send_cmds", (100001, UIDS, "cmds text")),
    Case(17, "send_group_chat", (100001, 200001, "group chat text")),
    Case(18, "send_group_cmd", (100001, 200001, "group cmd text")),
    Case(19, "send_room_chat", (100001, 300001, "room chat text")),
    Case(20, "send_room_cmd", (100001, 300001, "room cmd text")),
    Case(21, "send_broadcast_chat", (100001, "broadcast chat text")),
    Case(22, "send_broadcast_cmd", (100001, "broadcast cmd text")),
]

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    method: lambda: {"mtime": 1796116949989}
    for method in ("sendmsg", "sendmsgs", "sendgroupmsg", "sendroommsg", "broadcastmsg")
}
