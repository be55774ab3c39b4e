"""RTC rooms (current spec §4.15, §11.8) and the IM library (§4.16, §11.9) on the local
server: through the SDK and the plugin, the wire-level errors the SDK never sends, and the
state surviving a restart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from rtm import (
    AsyncRTMServerClient,
    IMApplyGrant,
    IMInviteGrant,
    IMObjectType,
    InvalidParameterError,
    NotOnlineError,
    PermissionDeniedError,
    RTCAdminCommand,
    RTCRoomMembers,
    RTCRoomType,
    RTMServerClient,
)
from rtm.enduser import AsyncEndUserClient
from rtm.testing import RTMProject

from .conftest import API, PID, ServerFactory

GROUP = IMObjectType.GROUP


def test_rtc_room_lifecycle(rtm_client: RTMServerClient, rtm_project: RTMProject) -> None:
    c = rtm_client
    assert c.get_rtc_room_list() == []
    assert c.get_rtc_room_members(7) == RTCRoomMembers([], [], 0)
    with pytest.raises(InvalidParameterError):  # no such room yet
        c.invite_user_into_rtc_room(7, 1, [5])
    with pytest.raises(InvalidParameterError):
        c.set_rtc_room_mic_status(7, True)

    c.pull_user_into_rtc_room(7, [3, 1, 2], RTCRoomType.VIDEO, 100, 4)
    c.pull_user_into_rtc_room(5, [9], RTCRoomType.VOICE)
    c.pull_user_into_rtc_room(7, [4, 1], RTCRoomType.VOICE)  # joins; the room keeps its type
    assert c.get_rtc_room_list() == [5, 7]
    assert c.get_rtc_room_members(7) == RTCRoomMembers([1, 2, 3, 4], [], 3)
    assert c.get_rtc_room_member_count(7) == 4

    c.admin_command(7, [2, 4, 99], RTCAdminCommand.APPOINT_ADMIN)  # 99 is no member: ignored
    c.admin_command(7, [4], RTCAdminCommand.DISMISS_ADMIN)
    assert c.get_rtc_room_members(7).administrators == [2]
    c.admin_command(7, [1, 2], RTCAdminCommand.CLOSE_OTHERS_MIC)
    c.set_rtc_room_mic_status(7, True)
    c.invite_user_into_rtc_room(7, 2, [10, 11])
    with pytest.raises(PermissionDeniedError):  # the inviter must be in the room
        c.invite_user_into_rtc_room(7, 10, [12])
    events = rtm_project.rtc_events()
    assert [(e.kind, e.rid, e.command, e.from_uid, e.uids) for e in events] == [
        ("command", 7, 6, 0, [1, 2]), ("invite", 7, 0, 2, [10, 11])]
    assert events[0].time_ms <= events[1].time_ms and events[0].id < events[1].id
    room = rtm_project.rtc_room(7)
    assert room is not None and room.mic_default and room.room_type == RTCRoomType.VIDEO
    assert (room.voice_range, room.max_receive_streams) == (0, 0)  # the latest pull's

    c.kickout_from_rtc_room(7, 3, 2)  # the owner: it stays the owner
    c.kickout_from_rtc_room(7, 2, 1)  # an administrator: gone from both lists
    assert c.get_rtc_room_members(7) == RTCRoomMembers([1, 4], [], 3)
    c.close_rtc_room(7)
    c.close_rtc_room(12345)  # unknown: still a success
    assert c.get_rtc_room_list() == [5]
    assert c.get_rtc_room_member_count(7) == 0
    assert rtm_project.rtc_room(7) is None
    assert len(rtm_project.rtc_events()) == 2  # the log outlives the room
    with pytest.raises(ValueError, match=r"'command' must be an RTCAdminCommand, 0\.\.7"):
        c.admin_command(5, [9], 8)


async def test_rtc_wire_errors(api: API) -> None:
    await api("pullIntoRTCRoom", rid=1, toUids=[1], type=1)  # PY sends no voice/streams keys
    assert await api.error("pullIntoRTCRoom", rid=1, toUids=[1], type=3) == 200034
    assert await api.error("pullIntoRTCRoom", rid=1, toUids=[], type=1) == 200033
    assert await api.error("pullIntoRTCRoom", rid=1, toUids=list(range(1, 102)),
                           type=1) == 200032
    assert await api.error("pullIntoRTCRoom", rid=0, toUids=[1], type=1) == 200001
    assert await api.error("adminCommand", rid=1, uids=[1], command=8) == 200034
    assert await api.error("adminCommand", rid=2, uids=[1], command=2) == 200034
    assert await api.error("kickoutFromRTCRoom", rid=1, uid=1) == 10009
    assert await api.error("setRTCRoomMicStatus", rid=1, status="on") == 10010
    assert await api.error("inviteUserIntoRTCRoom", rid=1, toUids=[2], fromUid=0) == 200001
    answer = await api("getRTCRoomMembers", rid=1)
    assert answer == {"uids": [1], "administrators": [], "managers": [], "owner": 1}


async def test_rtc_pull_can_require_online_users(
    rtm_async_client: AsyncRTMServerClient, rtm_project: RTMProject,
    rtm_enduser: Callable[[int], Awaitable[AsyncEndUserClient]],
) -> None:
    rtm_project.services.require_online_for_rtc()
    await rtm_enduser(1)
    with pytest.raises(NotOnlineError):
        await rtm_async_client.pull_user_into_rtc_room(3, [1, 2], 1)
    await rtm_async_client.pull_user_into_rtc_room(3, [1], 1)
    rtm_project.services.require_online_for_rtc(False)
    await rtm_async_client.pull_user_into_rtc_room(3, [2], 1)
    assert (await rtm_async_client.get_rtc_room_members(3)).uids == [1, 2]


def test_imlib_profiles_groups_and_grants(rtm_client: RTMServerClient) -> None:
    c = rtm_client
    c.imserver_set_user_infos(1, {"nick": "Alice", "level": "3"})
    c.imserver_set_user_infos(1, {"level": "4", "portraitUrl": "https://x/a.png"})
    c.imserver_set_user_infos(2, {})
    assert c.imserver_get_user_infos([1, 2, 3]) == {
        1: {"level": "4", "nick": "Alice", "portraitUrl": "https://x/a.png"}}

    c.imserver_create_group(10, 1, {"name": "Ten"}, {"type": "3", "extra": "pw"})
    with pytest.raises(InvalidParameterError):  # exists
        c.imserver_create_group(10, 2, {"name": "again"})
    assert c.get_group_members(10) == [1]  # the owner joined the RTM group
    assert c.imserver_get_apply_grant(GROUP, 10) == IMApplyGrant.PASSWORD
    c.imserver_set_group_infos(10, {"profile": "the tenth"})
    c.imserver_add_group_members(10, [2, 3])
    assert c.get_group_members(10) == [1, 2, 3]
    c.imserver_set_invite_grant(GROUP, 10, 1, 0)
    assert c.imserver_get_invite_grant(GROUP, 10) == IMInviteGrant(1, 0)

    c.imserver_create_group(11, 2, {"name": "Eleven"})  # no permissions: grant 0
    assert c.imserver_get_apply_grant(GROUP, 11) == IMApplyGrant.ANYONE
    c.imserver_set_apply_grant(IMObjectType.USER, 2, IMApplyGrant.APPROVAL)
    c.imserver_set_apply_grant(IMObjectType.ROOM, 5, IMApplyGrant.NOBODY)
    assert c.imserver_get_apply_grant(IMObjectType.USER, 2) == 1
    assert c.imserver_get_apply_grant(IMObjectType.ROOM, 5) == 2
    assert c.imserver_get_invite_grant(IMObjectType.ROOM, 5) == IMInviteGrant(0, 0)
    assert c.imserver_get_group_infos([10, 11, 12]) == {
        10: {"name": "Ten", "profile": "the tenth"}, 11: {"name": "Eleven"}}

    c.imserver_dismiss_group(10)
    c.del_group(11)  # a plain RTM delgroup drops the IM record too
    assert c.get_group_members(10) == []
    assert c.imserver_get_group_infos([10, 11]) == {}
    assert c.imserver_get_apply_grant(GROUP, 10) == 0
    assert c.imserver_get_invite_grant(GROUP, 10) == IMInviteGrant(0, 0)
    c.imserver_create_group(10, 3, {"name": "Ten again"})  # the id is free again
    assert c.get_group_members(10) == [3]
    with pytest.raises(ValueError, match=r"'extra' .* must not be empty"):
        c.imserver_set_apply_grant(GROUP, 10, IMApplyGrant.PASSWORD)
    with pytest.raises(ValueError, match="'object_type' must be 1"):
        c.imserver_get_invite_grant(IMObjectType.USER, 1)

    # clearprojectgroup drops every IM group record; user-level grants stay
    c.imserver_set_invite_grant(GROUP, 10, 1, 1)
    c.clear_project_group()
    assert c.imserver_get_group_infos([10]) == {}
    assert c.imserver_get_invite_grant(GROUP, 10) == IMInviteGrant(0, 0)
    assert c.imserver_get_apply_grant(IMObjectType.USER, 2) == IMApplyGrant.APPROVAL
    c.imserver_create_group(10, 4, {"name": "Ten, third time"})  # free again


async def test_imlib_wire_errors(api: API) -> None:
    assert await api.error("imserver_setapplygrant", type=1, xid=5, grant_type=3) == 200034
    assert await api.error("imserver_setapplygrant", type=3, xid=5, grant_type=0) == 200034
    assert await api.error("imserver_setapplygrant", type=1, xid=5, grant_type=4) == 200034
    assert await api.error("imserver_setinvitegrant", type=0, xid=1, invite_type=1,
                           invite_manage_type=1) == 200034
    assert await api.error("imserver_setinvitegrant", type=1, xid=1, invite_type=2,
                           invite_manage_type=1) == 200034
    assert await api.error("imserver_creategroup", gid=1, owner_uid=1, infos={},
                           permissions={"type": "9"}) == 200034
    assert await api.error("imserver_creategroup", gid=1, owner_uid=1, infos={},
                           permissions={"type": "3"}) == 200034
    assert await api.error("imserver_setuserinfos", uid=1, infos=["a"]) == 10010
    assert await api.error("imserver_setuserinfos", uid=1, infos={"k": 5}) == 10010
    assert await api.error("imserver_setuserinfos", uid=1) == 10009
    assert await api.error("imserver_setuserinfos", uid=1, infos={"k": "v" * 65536}) == 200030
    assert await api.error("imserver_getuserinfos", uids=[]) == 200033
    assert await api.error("imserver_getgroupinfos", gids=list(range(1, 102))) == 200032
    # GO sends permissions nil when none are given; bin keys and values are text too
    await api("imserver_creategroup", gid=1, owner_uid=1, infos={b"name": b"One"},
              permissions=None)
    assert await api("imserver_getgroupinfos", gids=[1]) == {"infos": {"1": {"name": "One"}}}
    assert await api("imserver_getapplygrant", type=1, xid=1) == {"grant_type": 0}


async def test_rtc_and_imlib_state_survive_a_restart(make_server: ServerFactory,
                                                     tmp_path: Path) -> None:
    db = str(tmp_path / "rtm.db")
    server = await make_server(db=db)
    api = API(server.endpoint)
    await api("pullIntoRTCRoom", rid=4, toUids=[1, 2], type=2, voiceRange=50,
              maxReceiveStreams=3)
    await api("adminCommand", rid=4, uids=[2], command=0)
    await api("adminCommand", rid=4, uids=[1], command=4)
    await api("setRTCRoomMicStatus", rid=4, status=True)
    await api("imserver_creategroup", gid=8, owner_uid=1, infos={"name": "Eight"},
              permissions={"type": "1"})
    await api("imserver_setinvitegrant", type=1, xid=8, invite_type=1, invite_manage_type=1)
    await api("imserver_setuserinfos", uid=1, infos={"nick": "A"})
    await api.close()
    await server.close()

    server = await make_server(db=db)
    api = API(server.endpoint)
    try:
        assert await api("getRTCRoomMembers", rid=4) == {
            "uids": [1, 2], "administrators": [2], "managers": [2], "owner": 1}
        room = await server.store.rtc_room(PID, 4)
        assert room is not None and room.mic_default and room.voice_range == 50
        events = await server.store.rtc_events(PID)
        assert [(e.kind, e.command, e.uids) for e in events] == [("command", 4, [1])]
        assert await api("imserver_getapplygrant", type=1, xid=8) == {"grant_type": 1}
        assert await api("imserver_getinvitegrant", type=1, xid=8) == {
            "invite_type": 1, "invite_manage_type": 1}
        assert await api("imserver_getuserinfos", uids=[1]) == {"infos": {"1": {"nick": "A"}}}
        assert await api("getgroupmembers", gid=8) == {"uids": [1]}
    finally:
        await api.close()
