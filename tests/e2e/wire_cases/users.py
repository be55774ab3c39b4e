"""Wire cases of the users area (spec current §4.9): tokens, presence, infos, sessions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wire_cases import Case

UIDS = [100002, 100003]

CASES: list[Case] = [
    Case(0, "get_token", (100001,)),
    Case(1, "remove_token", (100001,)),
    Case(105, "get_online_users", (UIDS,)),
    Case(112, "set_user_info", (100001, "public info", "private info")),
    Case(113, "get_user_info", (100001,)),
    Case(114, "get_user_public_info", (UIDS,)),
    Case(116, "add_sessions", (100001, UIDS)),
    Case(117, "remove_sessions", (100001, UIDS)),
]

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    "gettoken": lambda: {"token": "0123456789ABCDEF0123456789ABCDEF"},
    "getonlineusers": lambda: {"uids": [100002]},
    "getuserinfo": lambda: {"oinfo": "public info", "pinfo": "private info"},
    "getuseropeninfo": lambda: {"info": {"100002": "public info"}},
}
