"""Wire cases of the rooms area (spec current §4.8)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wire_cases import Case

RID, RIDS, UIDS = 300001, [300001, 300002], [100002, 100003]

CASES: list[Case] = [
    Case(92, "add_room_member", (RID, 100001)),
    Case(93, "add_room_members", (RID, UIDS)),
    Case(94, "del_room_member", (RID, 100001)),
    Case(95, "del_room_members", (RID, UIDS)),
    Case(96, "add_room_ban", (RID, 100001, 120)),
    Case(97, "remove_room_ban", (RID, 100001)),
    Case(98, "is_ban_of_room", (RID, 100001)),
    Case(99, "set_room_info", (RID, "public info")),  # no private info: no pinfo key
    Case(100, "get_room_info", (RID,)),
    Case(101, "get_room_members", (RID,)),
    Case(102, "get_room_count", (RIDS,)),
    Case(103, "add_user_rooms", (RIDS, 100001)),
    Case(104, "delete_user_rooms", (RIDS, 100001)),
]

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    "addroommembers": lambda: {"successedUids": UIDS},
    "delroommembers": lambda: {"successedUids": UIDS},
    "isbanofroom": lambda: {"ok": False},
    "getroominfo": lambda: {"oinfo": "public info", "pinfo": ""},
    "getroommembers": lambda: {"uids": UIDS},
    "getroomcount": lambda: {"cn": {"300001": 2, "300002": 0}},
}
