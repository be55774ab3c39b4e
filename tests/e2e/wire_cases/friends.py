"""Wire cases of the friends area (spec §4.5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wire_cases import Case

UIDS = [100002, 100003]

CASES: list[Case] = [
    Case(69, "add_friends", (100001, UIDS)),
    Case(70, "del_friends", (100001, UIDS)),
    Case(71, "get_friends", (100001,)),
    Case(72, "is_friend", (100001, 100002)),
    Case(73, "is_friends", (100001, UIDS)),
]

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    "getfriends": lambda: {"uids": [100002]},
    "isfriend": lambda: {"ok": True},
    "isfriends": lambda: {"fuids": [100002]},
}
