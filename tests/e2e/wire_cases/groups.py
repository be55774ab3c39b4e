"""Wire cases of the groups area (spec current §4.7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wire_cases import Case

GID, UIDS = 200001, [100002, 100003]

CASES: list[Case] = [
    Case(79, "add_group_members", (GID, UIDS)),
    Case(80, "del_group_members", (GID, UIDS)),
    Case(81, "del_group", (GID,)),
    Case(82, "get_group_members", (GID,)),
    Case(83, "get_group_count", (GID,)),
    Case(84, "is_group_member", (GID, 100001)),
    Case(85, "get_user_groups", (100001,)),
    Case(86, "add_group_ban", (GID, 100001, 120)),
    Case(87, "remove_group_ban", (GID, 100001)),
    Case(88, "is_ban_of_group", (GID, 100001)),
    Case(89, "set_group_info", (GID, "public info", "private info")),
    Case(90, "get_group_info", (GID,)),
    Case(91, "clear_project_group"),
    # a ban in every group: no gid on the wire, for None as for Go's gid <= 0
    Case(154, "add_group_ban", (None, 100001, 60)),
    Case(154, "add_group_ban", (0, 100001, 60)),
]

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    "getgroupmembers": lambda: {"uids": UIDS},
    "getgroupcount": lambda: {"cn": 2},
    "isgroupmember": lambda: {"ok": True},
    "getusergroups": lambda: {"gids": [GID]},
    "isbanofgroup": lambda: {"ok": False},
    "getgroupinfo": lambda: {"oinfo": "public info", "pinfo": ""},
}
