"""Wire cases of the RTC rooms area (spec §4.15)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rtm import RTCAdminCommand, RTCRoomType
from wire_cases import Case

RID = 300001

CASES: list[Case] = [
    Case(130, "invite_user_into_rtc_room", (RID, 100001, [100002, 100003])),
    Case(131, "close_rtc_room", (RID,)),
    Case(132, "kickout_from_rtc_room", (RID, 100002, 100001)),
    Case(133, "get_rtc_room_list"),
    Case(134, "get_rtc_room_members", (RID,)),
    Case(135, "get_rtc_room_member_count", (RID,)),
    Case(136, "set_rtc_room_mic_status", (RID, True)),
    Case(137, "pull_user_into_rtc_room", (RID, [100002, 100003], RTCRoomType.VOICE, 100, 4)),
    Case(138, "admin_command", (RID, [100002, 100003], RTCAdminCommand.APPOINT_ADMIN)),
]

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    "getRTCRoomList": lambda: {"rids": [RID]},
    "getRTCRoomMembers": lambda: {"uids": [100001, 100002], "administrators": [100002],
                                  "managers": [100002], "owner": 100001},
    "getRTCRoomMemberCount": lambda: {"count": 2},
}
