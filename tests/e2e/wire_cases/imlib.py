"""Wire cases of the IM library area (spec §4.16)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rtm import IMApplyGrant, IMObjectType
from wire_cases import Case

GID = 200001

CASES: list[Case] = [
    Case(139, "imserver_set_user_infos", (100001, {"level": "3", "nick": "Alice"})),
    Case(140, "imserver_set_group_infos", (GID, {"name": "group one"})),
    Case(141, "imserver_set_apply_grant",
         (IMObjectType.GROUP, GID, IMApplyGrant.PASSWORD, "secret-pass")),
    Case(142, "imserver_set_invite_grant", (IMObjectType.GROUP, GID, 1, 0)),
    Case(143, "imserver_create_group", (GID, 100001, {"name": "group one"}, {"type": "0"})),
    Case(144, "imserver_dismiss_group", (GID,)),
    Case(145, "imserver_get_apply_grant", (1, GID)),
    Case(146, "imserver_get_invite_grant", (1, GID)),
    Case(147, "imserver_get_user_infos", ([100002, 100003],)),
    Case(148, "imserver_get_group_infos", ([GID],)),
    Case(149, "imserver_add_group_members", (GID, [100002, 100003])),
]

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    "imserver_getapplygrant": lambda: {"grant_type": 3},
    "imserver_getinvitegrant": lambda: {"invite_type": 1, "invite_manage_type": 0},
    "imserver_getuserinfos": lambda: {"infos": {"100002": {"nick": "Bob"}}},
    "imserver_getgroupinfos": lambda: {"infos": {str(GID): {"name": "group one"}}},
}
