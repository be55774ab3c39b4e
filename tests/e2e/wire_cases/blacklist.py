"""Wire cases of the blacklist area (spec current §4.6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wire_cases import Case

UIDS = [100002, 100003]

CASES: list[Case] = [
    Case(74, "add_blacks", (100001, UIDS)),
    Case(75, "del_blacks", (100001, UIDS)),
    Case(76, "get_blacks", (100001,)),
    Case(77, "is_black", (100001, 100002)),
    Case(78, "is_blacks", (100001, UIDS)),
]

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    "getblacks": lambda: {"uids": [100002]},
    "isblack": lambda: {"ok": True},
    "isblacks": lambda: {"buids": [100003]},
}
