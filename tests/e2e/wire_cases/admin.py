"""Wire cases of the admin area (spec current §4.10): kickout, black list, project bans."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wire_cases import Case

CASES: list[Case] = [
    Case(2, "kickout", (100001,)),
    Case(106, "add_project_black", (100001, 3600)),
    Case(107, "remove_project_black", (100001,)),
    Case(108, "is_project_black", (100001,)),
    Case(109, "add_project_ban", (100001, 300)),
    Case(110, "remove_project_ban", (100001,)),
    Case(111, "is_project_ban", (100001,)),
]

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    "isprojectblack": lambda: {"ok": False},
    "isprojectban": lambda: {"ok": True},
}
